import type { DefinitionRegistry } from '../definitions/definition-registry';
import { iso, pageOf } from '../instances/listing';
import { isKey, type Key } from '../keys/key-generator';
import type { RuntimeStore } from '../ports/repositories';
import type { FormRecord, FormWithSchema, Page, PageRequest, TenantScope, UserTaskRecord } from '../ports/records';
import { RuntimeError } from '../runtime-error';

/** A deployed form version as the APIs show it. */
export interface FormView {
  readonly formKey: Key;
  readonly formId: string;
  readonly version: number;
  readonly versionTag: string | null;
  readonly tenantId: string;
  readonly deploymentKey: Key;
  readonly resourceName: string;
  readonly deployedAt: string;
}

/**
 * What a user task shows: a deployed form it links (`linked`), a form embedded
 * in its process (`embedded`, Camunda 7-style `camunda-forms:bpmn:<id>`), or a
 * reference only the caller's own front end understands (`external`: a custom
 * form key or `externalReference`).
 */
export type TaskForm =
  | { readonly kind: 'linked'; readonly form: FormView; readonly schema: unknown }
  | { readonly kind: 'embedded'; readonly formKey: string; readonly schema: unknown }
  | { readonly kind: 'external'; readonly formKey: string };

const EMBEDDED = 'camunda-forms:bpmn:';

export const formView = (row: FormRecord): FormView => ({
  formKey: row.id,
  formId: row.formId,
  version: row.version,
  versionTag: row.versionTag,
  tenantId: row.tenantId,
  deploymentKey: row.deploymentId,
  resourceName: row.resourceName,
  deployedAt: iso(row.deployedAt) as string,
});

/**
 * Deployed Camunda Forms and the form of a user task. A linked form is bound
 * as Camunda 8 binds it when the task is created: `latest` is the latest
 * version deployed before the task was created (a later deployment does not
 * change an open task's form), `deployment` the version deployed together
 * with the task's process, `versionTag` the latest version with that tag.
 */
export class FormService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly definitions: DefinitionRegistry,
  ) {}

  async formOfTask(task: Pick<UserTaskRecord, 'id' | 'tenantId' | 'definitionId' | 'elementId' | 'formKey' | 'createdAt'>): Promise<TaskForm | null> {
    if (task.formKey === null) return null;
    const definition = task.definitionId === null ? null : await this.definitions.byId(task.definitionId);
    const process = definition?.process;
    const userTask = process?.nodes.get(task.elementId)?.userTask;
    const binding = userTask?.form;
    if (binding !== undefined && definition) {
      const row = await this.store.repos.forms.resolve(
        task.tenantId,
        binding.formId,
        binding.bindingType === 'latest'
          ? { bindingType: 'latest', at: task.createdAt }
          : binding.bindingType === 'deployment'
            ? { bindingType: 'deployment', deploymentId: definition.deploymentId ?? '0' }
            : { bindingType: 'versionTag', versionTag: binding.versionTag ?? '' },
      );
      if (row === null) throw RuntimeError.notFound(`the form '${binding.formId}' of user task ${task.id} (${describeBinding(binding)})`);
      return { kind: 'linked', form: formView(row), schema: schemaOf(row) };
    }
    if (task.formKey.startsWith(EMBEDDED)) {
      const id = task.formKey.slice(EMBEDDED.length);
      const body = process?.embeddedForms?.get(id);
      if (body === undefined) throw RuntimeError.notFound(`the embedded form '${id}' of user task ${task.id}`);
      return { kind: 'embedded', formKey: task.formKey, schema: embeddedSchema(body) };
    }
    return { kind: 'external', formKey: task.formKey };
  }

  async get(key: string, tenants: TenantScope): Promise<FormView & { readonly schema: unknown }> {
    const row = isKey(key) ? await this.store.repos.forms.byId(key) : null;
    if (row === null || (tenants !== undefined && !tenants.includes(row.tenantId))) throw RuntimeError.notFound(`form ${key.slice(0, 40)}`);
    return { ...formView(row), schema: schemaOf(row) };
  }

  /**
   * Deletes a form version (Camunda's resource deletion): no binding picks it
   * any more, so tasks bound to it show the version a binding picks without
   * it (the one before, for `latest`), or none. Null when the key is unknown,
   * deleted already, or another tenant's.
   */
  async delete(key: string, tenants: TenantScope): Promise<FormView | null> {
    if (!isKey(key)) return null;
    const forms = this.store.repos.forms;
    const row = await forms.byId(key);
    if (row === null || (tenants !== undefined && !tenants.includes(row.tenantId))) return null;
    const deleted = await forms.markDeleted(key);
    return deleted === null ? null : formView(deleted);
  }

  /** A version of a form id (default the latest). */
  async byFormId(formId: string, tenantId: string, version?: number): Promise<FormView & { readonly schema: unknown }> {
    const forms = this.store.repos.forms;
    const latest = version === undefined ? await forms.latest(tenantId, formId) : null;
    const row = version !== undefined ? await forms.byVersion(tenantId, formId, version) : latest && (await forms.byId(latest.id));
    if (!row) throw RuntimeError.notFound(`form '${formId}'${version === undefined ? '' : ` version ${version}`}`);
    return { ...formView(row), schema: schemaOf(row) };
  }

  /** The latest version of each form id, by form id. */
  async listLatest(query: PageRequest & { readonly tenants?: TenantScope }): Promise<Page<FormView>> {
    let after: { formId: string; tenantId: string } | undefined;
    if (query.cursor !== undefined) {
      try {
        after = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as { formId: string; tenantId: string };
        if (typeof after.formId !== 'string' || typeof after.tenantId !== 'string') throw new Error('shape');
      } catch {
        throw RuntimeError.badRequest('cursor', 'cursor is not one this list returned');
      }
    }
    const rows = await this.store.repos.forms.listLatest({ limit: query.limit + 1, after }, query.tenants);
    return pageOf(rows, query.limit, formView, (last) =>
      Buffer.from(JSON.stringify({ formId: last.formId, tenantId: last.tenantId })).toString('base64url'),
    );
  }
}

function describeBinding(binding: { bindingType: string; versionTag?: string }): string {
  if (binding.bindingType === 'versionTag') return `the version tagged '${binding.versionTag ?? ''}'`;
  if (binding.bindingType === 'deployment') return "the version deployed with the task's process";
  return 'the latest version deployed before the task was created';
}

/** Deployed forms were checked as JSON when they were deployed. */
const schemaOf = (row: FormWithSchema): unknown => JSON.parse(row.schema) as unknown;

/** An embedded form is the process author's text, unchecked (as in Camunda 8): its JSON, or the text when it is not JSON. */
function embeddedSchema(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
