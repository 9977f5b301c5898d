import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportRunner } from '@baton/host';
import { levelProcess } from '../../../libs/runtime/test/retention/retention-fixtures';
import { startApi, xmlPost, type ApiHarness } from './api-harness';

/** Event export's dead letters over REST: a webhook that refuses everything, one attempt per record. */
describe('event export dead letters over REST', () => {
  let h: ApiHarness;
  let server: Server;
  let accept = false;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (accept) received.push(String(req.headers['x-baton-event-id']));
        res.statusCode = accept ? 204 : 503;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    h = await startApi('export', { EXPORT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, EXPORT_MAX_ATTEMPTS: '1', EXPORT_RETRY_DELAY_MS: '10' });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => server.close(() => r(undefined)));
  });

  async function deadLetters(): Promise<{ id: string; sink: string; attempts: number; record: { id: string; type: string } }[]> {
    const page = await h.json('GET', '/export/dead-letters?limit=1000');
    expect(page.status).toBe(200);
    return page.body.items;
  }

  it('lists the records a sink gave up on, and a retry delivers one under its own id', async () => {
    expect((await h.api('/processes', xmlPost(levelProcess('exported')))).status).toBe(201);
    expect((await h.json('POST', '/processes/exported/instances', { variables: { n: 1 } })).status).toBe(201);
    await h.drain();
    const dispatcher = h.app.get(ExportRunner).dispatcher;
    const until = Date.now() + 20_000;
    // The instance's records: created, its variable, the elements, completed.
    while ((await deadLetters()).length < 10 && Date.now() < until) {
      await dispatcher.pass();
      await new Promise((r) => setTimeout(r, 20));
    }
    const letters = await deadLetters();
    expect(letters.map((l) => l.record.type)).toEqual(expect.arrayContaining(['PROCESS_INSTANCE_CREATED', 'VARIABLE_CREATED', 'ELEMENT_COMPLETED', 'PROCESS_INSTANCE_COMPLETED']));
    expect(letters.every((l) => l.sink === 'webhook' && l.attempts === 1)).toBe(true);

    const first = await h.json('GET', '/export/dead-letters?limit=2');
    expect(first.body.items).toHaveLength(2);
    const next = await h.json('GET', `/export/dead-letters?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.items[0].id).not.toBe(first.body.items[0].id);

    accept = true;
    const retried = letters[0];
    const answer = await h.json('POST', `/export/dead-letters/${retried.id}/retry`);
    expect(answer).toMatchObject({ status: 202, body: { id: retried.id } });
    while (!received.includes(retried.record.id) && Date.now() < until) {
      await dispatcher.pass();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(received).toContain(retried.record.id);
    expect((await deadLetters()).map((l) => l.id)).not.toContain(retried.id);
  });

  it('answers 404 for an unknown dead letter and 400 for an id that is not a key', async () => {
    const missing = await h.json('POST', '/export/dead-letters/424242/retry');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain("export dead letter '424242'");
    expect((await h.json('POST', '/export/dead-letters/abc/retry')).status).toBe(400);
    expect((await h.json('GET', '/export/dead-letters?limit=0')).status).toBe(400);
  });
});
