import fc from 'fast-check';
import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';

/**
 * Seeded property-based fuzzing of the two endpoints that take the most
 * structure from outside: deploy (mutated BPMN) and start (arbitrary JSON).
 * Whatever arrives, the answer is a success or a clear 4xx problem — never a
 * 5xx, never a hang — and a refused request writes nothing. Bounded in runs
 * and in time.
 */

const SEED = 20_261_207;
const ACCEPTED_DEPLOY = new Set([200, 201, 400, 413, 415]);
const ACCEPTED_START = new Set([201, 400, 404, 413, 415, 422]);

interface Problem {
  status: number;
  detail: string;
}

describe('hostile input fuzzing over HTTP', () => {
  let h: ApiHarness;
  const base = fixture('tasks/script-task.bpmn');
  beforeAll(async () => {
    h = await startApi('api_fuzz');
    expect((await h.api('/processes', xmlPost(fixture('tasks/service-task.bpmn')))).status).toBe(201);
  }, 60_000);
  afterAll(() => h?.close());

  /** A mutation of the fixture: cut, splice, or insert hostile text. */
  const mutation = fc.oneof(
    fc.nat({ max: base.length }).map((at) => base.slice(0, at)),
    fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: 200 })).map(([at, n]) => base.slice(0, at) + base.slice(at + n)),
    fc
      .tuple(
        fc.nat({ max: base.length }),
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom(
            '<',
            '>',
            '&',
            '&amp;',
            '<!DOCTYPE x>',
            '<![CDATA[',
            '\u0000',
            '\ud800',
            '"',
            "'",
            '<bpmn:task id="t" />',
            '<bpmn:task />',
            '<bpmn:sequenceFlow id="x" sourceRef="nowhere" targetRef="add" />',
            '<zeebe:script expression="= for i in 1..100000000 return i" resultVariable="r" />',
            'xmlns:bpmn="urn:other"',
            ' id="add" ',
            '<bpmn:subProcess id="s">',
            '</bpmn:process>',
          ),
        ),
      )
      .map(([at, text]) => base.slice(0, at) + text + base.slice(at)),
  );

  it('a mutated deploy is a success or a clear 4xx, never a 5xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(mutation, async (xml) => {
        const response = await h.api('/processes', xmlPost(xml));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const body = (await response.json()) as Problem;
        if (!ACCEPTED_DEPLOY.has(response.status)) throw new Error(`deploy answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
        if (response.status >= 400) expect(body.detail.length).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 150, interruptAfterTimeLimit: 60_000 },
    );
    // The generator reaches both sides: documents that deploy and documents refused.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 120_000);

  const jsonValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, 'x', '', '\u0000', '\ud800', 'é', '𝄞'),
      fc.string({ maxLength: 20 }),
      fc.double(),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const startBody = fc.oneof(
    jsonValue,
    fc.record(
      {
        variables: jsonValue,
        businessKey: jsonValue,
        version: jsonValue,
        startEventId: jsonValue,
      },
      { requiredKeys: [] },
    ),
  );

  it('an arbitrary JSON start is a success or a clear 4xx, and a refused one writes nothing', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(startBody, async (body) => {
        const before = await h.db.prisma.processInstance.count();
        const text = JSON.stringify(body) ?? 'null';
        const response = await h.api('/processes/service-task/instances', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const answer = (await response.json()) as Problem;
        if (!ACCEPTED_START.has(response.status)) throw new Error(`start answered ${response.status} to ${text.slice(0, 200)}: ${JSON.stringify(answer).slice(0, 300)}`);
        const after = await h.db.prisma.processInstance.count();
        expect(after - before).toBe(response.status === 201 ? 1 : 0);
      }),
      { seed: SEED, numRuns: 300, interruptAfterTimeLimit: 60_000 },
    );
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
