import { bodyOf, extension, extensions, str } from './moddle-element';
import type { ModdleElement } from './moddle-element';

/** What a `<process>`'s own extension elements add to it: its version tag and its embedded forms. */
export interface ProcessExtensions {
  readonly versionTag?: string;
  readonly embeddedForms?: ReadonlyMap<string, string>;
}

/**
 * `zeebe:versionTag value` and the `zeebe:userTaskForm` elements (id, JSON
 * body) of a process. A form's body is kept as text: Camunda 8 deploys it
 * unparsed and hands it to whoever renders the task.
 */
export function readProcessExtensions(processEl: ModdleElement): ProcessExtensions {
  const versionTag = str(extension(processEl, 'zeebe:VersionTag'), 'value')?.trim();
  const forms = new Map<string, string>();
  for (const form of extensions(processEl, 'zeebe:UserTaskForm')) {
    const id = str(form, 'id')?.trim();
    const body = bodyOf(form);
    if (id && body !== undefined) forms.set(id, body);
  }
  return {
    ...(versionTag ? { versionTag } : {}),
    ...(forms.size > 0 ? { embeddedForms: forms } : {}),
  };
}
