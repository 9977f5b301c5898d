import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { repoFile, startApi, type ApiHarness } from './api-harness';
import { camundaClient, failure, file, until } from './camunda-support';

/**
 * Camunda Forms: `.form` files deployed over `/api/v1/forms` and `/v2/deployments`,
 * versioned per form id, and the form each user task shows — linked by
 * `zeebe:formDefinition formId` with each `bindingType`, embedded
 * (`zeebe:userTaskForm`), or an external reference. `/v2` through the
 * official client with strict response validation.
 */

const FORM = repoFile('apps/api/test/fixtures/forms/approve-order.form');
const PROCESS = repoFile('apps/api/test/fixtures/forms/forms.bpmn');

/** The fixture form with another label and version tag: another version of `approve-order`. */
const formVersion = (tag: string) => {
  const form = JSON.parse(FORM) as { versionTag: string; components: { label: string }[] };
  form.versionTag = tag;
  form.components[1].label = `Comment (${tag})`;
  return form;
};

type Task = { id: string; elementId: string };

describe('Camunda Forms: deploy, version, link to user tasks', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_forms');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  /** Starts the fixture process; its open tasks by element id once all six exist. */
  async function startForms(): Promise<Record<string, Task>> {
    const started = await h.json('POST', '/processes/forms/instances', {});
    expect(started.status).toBe(201);
    const tasks = await until(
      async () => (await h.json<{ items: Task[] }>('GET', `/tasks?instanceId=${started.body.id}&limit=20`)).body.items,
      (items) => items.length === 6,
      'the six user tasks',
    );
    return Object.fromEntries(tasks.map((t) => [t.elementId, t]));
  }

  const formOf = (task: Task) => h.json('GET', `/tasks/${task.id}/form`);

  let first: Record<string, Task>;
  let keys: { v1: string; v2: string; v3: string };

  it('deploys a form over /api/v1 as version 1, and the same form again as that version', async () => {
    const deployed = await h.json('POST', '/forms', JSON.parse(FORM));
    expect(deployed.status).toBe(201);
    expect(deployed.body.forms).toEqual([
      expect.objectContaining({ formId: 'approve-order', version: 1, versionTag: 'v1', resourceName: 'approve-order.form' }),
    ]);
    const again = await h.json('POST', '/forms', JSON.parse(FORM));
    expect(again.status).toBe(200);
    expect(again.body.forms[0].formKey).toBe(deployed.body.forms[0].formKey);
    keys = { v1: deployed.body.forms[0].formKey, v2: '', v3: '' };
  });

  it('deploys a process and a new form version together over /v2, as Camunda lists them', async () => {
    const result = await camunda.createDeployment({
      resources: [file('forms.bpmn', PROCESS), file('approve-order.form', JSON.stringify(formVersion('v2')))],
    });
    const form = result.deployments.find((d) => d.form !== undefined)?.form;
    expect(form).toMatchObject({ formId: 'approve-order', version: 2, resourceName: 'approve-order.form', tenantId: '<default>' });
    expect(result.deployments[0].processDefinition?.processDefinitionId).toBe('forms');
    keys.v2 = String(form?.formKey);
    // The process's zeebe:versionTag is the version's tag.
    const process = await h.json('GET', '/processes/forms');
    expect(process.body.versionTag).toBe('release-1');
  });

  it("binds each linked task to its form version, and a later deployment does not change an open task's form", async () => {
    first = await startForms();
    const v3 = await h.json('POST', '/forms', formVersion('v3'));
    expect(v3.body.forms[0].version).toBe(3);
    keys.v3 = v3.body.forms[0].formKey;

    const latest = await formOf(first.latest);
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ kind: 'linked', form: { formId: 'approve-order', version: 2, formKey: keys.v2 } });
    expect(latest.body.schema.components[1].label).toBe('Comment (v2)');
    expect((await formOf(first.deployment)).body.form).toMatchObject({ version: 2, formKey: keys.v2 });
    expect((await formOf(first.tagged)).body.form).toMatchObject({ version: 1, versionTag: 'v1', formKey: keys.v1 });

    // A task created after v3 was deployed binds v3; the deployment binding stays with the process's own.
    const second = await startForms();
    expect((await formOf(second.latest)).body.form).toMatchObject({ version: 3, formKey: keys.v3 });
    expect((await formOf(second.deployment)).body.form).toMatchObject({ version: 2 });
  });

  it('shows an embedded form and an external reference as the model gives them', async () => {
    const embedded = await formOf(first.embedded);
    expect(embedded.status).toBe(200);
    expect(embedded.body).toEqual({
      kind: 'embedded',
      formKey: 'camunda-forms:bpmn:UserTaskForm_embedded',
      schema: { id: 'embedded-review', type: 'default', components: [{ type: 'text', text: 'Check the order<br/>then approve' }] },
    });
    expect((await formOf(first.external)).body).toEqual({ kind: 'external', formKey: 'https://forms.example.com/approve' });
  });

  it('answers 404 naming the form when a linked form was never deployed', async () => {
    const missing = await formOf(first.missing);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain("'never-deployed'");
  });

  it("serves a task's linked form over /v2 (getUserTaskForm), and 204 for an embedded one", async () => {
    const form = await camunda.getUserTaskForm({ userTaskKey: first.latest.id as never }, { consistency: { waitUpToMs: 0 } });
    expect(form).toMatchObject({ formId: 'approve-order', formKey: keys.v2, tenantId: '<default>' });
    // The spec's int64: the client reads it as a bigint.
    expect(Number(form?.version)).toBe(2);
    expect((form as { schema: { id: string } }).schema.id).toBe('approve-order');
    const embedded = await fetch(`${h.origin}/v2/user-tasks/${first.embedded.id}/form`);
    expect(embedded.status).toBe(204);
  });

  it('lists the latest version of each form and reads any version', async () => {
    const list = await h.json('GET', '/forms');
    expect(list.body.items).toEqual([expect.objectContaining({ formId: 'approve-order', version: 3 })]);
    const v1 = await h.json('GET', '/forms/approve-order?version=1');
    expect(v1.body).toMatchObject({ formKey: keys.v1, versionTag: 'v1', schema: JSON.parse(FORM) });
    expect((await h.json('GET', '/forms/nothing-here')).status).toBe(404);
  });

  it("deletes a form version (Camunda's resource deletion): bindings pick the version before it, its key answers 404 once gone", async () => {
    await camunda.deleteResource({ resourceKey: keys.v3 as never });
    const second = await startForms();
    expect((await formOf(second.latest)).body.form).toMatchObject({ version: 2, formKey: keys.v2 });
    expect((await h.json('GET', '/forms/approve-order')).body.version).toBe(2);
    const again = await failure(camunda.deleteResource({ resourceKey: keys.v3 as never }));
    expect(again.status).toBe(404);
  });

  it('refuses a form that is not JSON or has no id, naming the file, and deploys nothing of that request', async () => {
    const notJson = await failure(
      camunda.createDeployment({ resources: [file('other.bpmn', PROCESS.replaceAll('"forms"', '"other"')), file('broken.form', '{ "id": ')] }),
    );
    expect(notJson.status).toBe(400);
    expect(notJson.detail).toContain("'broken.form'");
    expect((await h.json('GET', '/processes/other')).status).toBe(404);

    const noId = await h.json('POST', '/forms', { type: 'default', components: [] });
    expect(noId.status).toBe(400);
    expect(noId.body.detail).toContain("no 'id'");
  });
});
