import { createHash } from 'node:crypto';
import type { Key } from '../keys/key-generator';
import type { Repositories } from '../ports/repositories';
import type { FormRecord } from '../ports/records';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';

/** A `.form` file read and checked, ready to be versioned. */
export interface CompiledForm {
  readonly name: string;
  readonly formId: string;
  readonly versionTag: string | null;
  /** The file as deployed: renderers get the author's JSON, not Baton's re-serialisation. */
  readonly schema: string;
  readonly hash: string;
}

/** One form of a deployment: the version it created, or the unchanged latest one. */
export interface DeployedForm extends FormRecord {
  readonly created: boolean;
}

/** Form ids are XML ids in Camunda Modeler; this is generous and keeps them printable. */
const MAX_FORM_ID_LENGTH = 255;

/** Whether a deployed resource is a Camunda Form, by its name as Camunda 8 decides it. */
export const isFormResource = (name: string): boolean => /\.form$/i.test(name);

/**
 * Reads a Camunda Form (`.form`: the form-js JSON schema). Camunda 8 requires
 * a JSON object with a string `id`, which user tasks name in
 * `zeebe:formDefinition formId`; `versionTag` is optional. Anything else in the
 * schema is the renderer's business and is kept as it is.
 */
export function compileForm(name: string, text: string, maxBytes?: number): CompiledForm {
  const refuse = (message: string) =>
    new RuntimeError(RuntimeErrorCode.InvalidDefinition, `'${name}': the form was refused: ${message}`, [
      { elementId: null, elementType: 'form', message },
    ]);
  if (maxBytes !== undefined && Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw refuse(`it is over the limit of ${maxBytes} bytes (MAX_MODEL_BYTES)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw refuse(`it is not JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw refuse('a form is a JSON object');
  const { id, versionTag } = parsed as { id?: unknown; versionTag?: unknown };
  if (typeof id !== 'string' || id.trim() === '') throw refuse("it has no 'id': user tasks link a form by that id");
  if (id.length > MAX_FORM_ID_LENGTH) throw refuse(`its 'id' is longer than ${MAX_FORM_ID_LENGTH} characters`);
  if (versionTag !== undefined && versionTag !== null && typeof versionTag !== 'string') throw refuse("its 'versionTag' is not a string");
  return {
    name,
    formId: id,
    versionTag: typeof versionTag === 'string' && versionTag.trim() !== '' ? versionTag.trim() : null,
    schema: text,
    hash: createHash('sha256').update(text).digest('hex'),
  };
}

/**
 * Versions forms within a deployment's transaction, as processes are versioned:
 * a form id whose latest version has the same content keeps that version; any
 * other content is the next version (numbers are never reused, even after a
 * deletion). `record` writes the deployment row before the first new version.
 */
export async function insertFormVersions(
  tx: Repositories,
  newKey: () => Key,
  deploymentId: Key,
  tenantId: string,
  forms: readonly CompiledForm[],
  record: () => Promise<void>,
): Promise<DeployedForm[]> {
  const seen = new Map<string, string>();
  for (const form of forms) {
    const other = seen.get(form.formId);
    if (other !== undefined) {
      throw RuntimeError.badRequest('resources', `form id '${form.formId}' is in both '${other}' and '${form.name}'; a deployment takes each form id once`);
    }
    seen.set(form.formId, form.name);
  }
  const deployed: DeployedForm[] = [];
  for (const form of forms) {
    await tx.forms.lockFormId(tenantId, form.formId);
    const latest = await tx.forms.latest(tenantId, form.formId);
    if (latest !== null && latest.hash === form.hash) {
      deployed.push({ ...latest, created: false });
      continue;
    }
    await record();
    const row = await tx.forms.insert({
      id: newKey(),
      deploymentId,
      tenantId,
      formId: form.formId,
      version: (await tx.forms.highestVersion(tenantId, form.formId)) + 1,
      versionTag: form.versionTag,
      resourceName: form.name,
      schema: form.schema,
      hash: form.hash,
    });
    deployed.push({ ...row, created: true });
  }
  return deployed;
}
