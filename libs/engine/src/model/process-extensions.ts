import { bodyOf, children, extension, extensions, str } from './moddle-element';
import type { ModdleElement } from './moddle-element';
import type { HistoryLevel } from './model.types';
import type { ReadContext } from './process-draft';

/** What a `<process>`'s own extension elements add to it: its version tag and its embedded forms. */
export interface ProcessExtensions {
  readonly versionTag?: string;
  readonly embeddedForms?: ReadonlyMap<string, string>;
  readonly historyLevel?: HistoryLevel;
}

/** The `zeebe:property` of a process that sets its history level. */
export const HISTORY_LEVEL_PROPERTY = 'baton:historyLevel';
const HISTORY_LEVELS: readonly HistoryLevel[] = ['full', 'activity', 'none'];

/** The value of `baton:historyLevel` among the process's `zeebe:properties`, trimmed and lower-cased. */
function historyLevelProperty(processEl: ModdleElement): string | undefined {
  let value: string | undefined;
  for (const block of extensions(processEl, 'zeebe:Properties')) {
    for (const property of children(block, 'properties')) {
      if (str(property, 'name')?.trim() === HISTORY_LEVEL_PROPERTY) value = (str(property, 'value') ?? '').trim().toLowerCase();
    }
  }
  return value;
}

/** A `baton:historyLevel` that is not one of the levels refuses the model. */
export function checkProcessExtensions(ctx: ReadContext, processEl: ModdleElement): void {
  const level = historyLevelProperty(processEl);
  if (level !== undefined && !(HISTORY_LEVELS as readonly string[]).includes(level)) {
    ctx.problems.at(processEl, `${HISTORY_LEVEL_PROPERTY} '${level}' is not one of ${HISTORY_LEVELS.join(', ')}`);
  }
}

/**
 * `zeebe:versionTag value`, the `baton:historyLevel` property and the `zeebe:userTaskForm` elements (id, JSON
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
  const level = historyLevelProperty(processEl);
  const historyLevel = HISTORY_LEVELS.find((l) => l === level);
  return {
    ...(versionTag ? { versionTag } : {}),
    ...(historyLevel ? { historyLevel } : {}),
    ...(forms.size > 0 ? { embeddedForms: forms } : {}),
  };
}
