import { readFileSync } from 'node:fs';
import { CORPUS, corpusFiles } from '../../../test/support/corpus';
import { relative } from 'node:path';
import { startApi, type ApiHarness } from './api-harness';

const files = corpusFiles();
const describeCorpus = files.length > 0 ? describe : describe.skip;
if (files.length === 0) console.warn(`corpus walk skipped: no BPMN corpus at ${CORPUS}`);

interface DeployError {
  elementId: string | null;
  elementType: string | null;
  message: string;
}

describeCorpus('POST /processes on the public BPMN corpus (test/corpus)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi('api_corpus');
  }, 60_000);
  afterAll(() => h?.close());

  it(
    'deploys every file or refuses it with 400 and located, explained errors, writing nothing',
    async () => {
      const outcomes: Record<string, number> = {};
      for (const file of files) {
        const name = relative(CORPUS, file);
        const before = await h.db.prisma.definition.count();
        const response = await h.api('/processes', {
          method: 'POST',
          headers: { 'content-type': 'application/xml' },
          body: readFileSync(file),
          signal: AbortSignal.timeout(20_000),
        });
        outcomes[response.status] = (outcomes[response.status] ?? 0) + 1;
        expect({ name, status: [200, 201, 400].includes(response.status) }).toEqual({ name, status: true });
        const body = (await response.json()) as { processes?: { key: string; version: number }[]; errors?: DeployError[] };
        if (response.status === 400) {
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect({ name, errors: (body.errors ?? []).length > 0 }).toEqual({ name, errors: true });
          for (const error of body.errors ?? []) {
            expect({ name, message: typeof error.message === 'string' && error.message.length > 0 }).toEqual({ name, message: true });
            if (error.elementId === null) expect({ name, error }).toEqual({ name, error: { ...error, elementType: null } });
            else expect({ name, elementType: typeof error.elementType }).toEqual({ name, elementType: 'string' });
          }
          expect({ name, written: (await h.db.prisma.definition.count()) - before }).toEqual({ name, written: 0 });
        } else {
          expect({ name, processes: (body.processes ?? []).length > 0 }).toEqual({ name, processes: true });
        }
      }
      // Both outcomes occur: the corpus holds deployable Camunda 8 models and descriptive or broken ones.
      expect(outcomes[201]).toBeGreaterThan(0);
      expect(outcomes[400]).toBeGreaterThan(0);
    },
    180_000,
  );
});
