import { levelProcess } from '../../../libs/runtime/test/retention/retention-fixtures';
import { startApi, xmlPost, type ApiHarness } from './api-harness';

/** HISTORY_LEVEL=none on the host; one process overrides it with `baton:historyLevel`. */
describe('history levels over REST', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi('history_level', { HISTORY_LEVEL: 'none' });
  });
  afterAll(() => h?.close());

  async function runOne(processId: string, level?: string): Promise<string> {
    expect((await h.api('/processes', xmlPost(levelProcess(processId, level)))).status).toBe(201);
    const started = await h.json('POST', `/processes/${processId}/instances`, {});
    expect(started.status).toBe(201);
    await h.drain();
    expect((await h.json('GET', `/instances/${started.body.id}`)).body.status).toBe('COMPLETED');
    return started.body.id as string;
  }

  it('with history off the history is an empty list, and the answer says history is off', async () => {
    const id = await runOne('quiet');
    const history = await h.json('GET', `/instances/${id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([]);
    expect(history.headers.get('baton-history-level')).toBe('none');
  });

  it("a process's baton:historyLevel wins: its instances write history and say so", async () => {
    const id = await runOne('chatty', 'activity');
    const history = await h.json('GET', `/instances/${id}/history`);
    expect(history.headers.get('baton-history-level')).toBe('activity');
    expect(history.body.items.map((e: { type: string; elementId: string }) => `${e.type} ${e.elementId}`)).toEqual([
      'ELEMENT_ACTIVATED chatty',
      'ELEMENT_ACTIVATED work',
      'ELEMENT_COMPLETED work',
      'ELEMENT_COMPLETED chatty',
    ]);
  });

  it('the OpenAPI document names the answer header', async () => {
    const response = await fetch(`${h.origin}/api/docs-json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { paths: Record<string, { get?: { responses: Record<string, { headers?: Record<string, unknown> }> } }> };
    expect(Object.keys(doc.paths['/api/v1/instances/{id}/history'].get!.responses['200'].headers ?? {})).toEqual(['Baton-History-Level']);
  });

  it('a deploy with an unknown level is refused, naming the process', async () => {
    const response = await h.api('/processes', xmlPost(levelProcess('typo', 'everything')));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("baton:historyLevel 'everything' is not one of full, activity, none");
  });
});
