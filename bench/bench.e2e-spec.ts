import { measureApi } from './lib/api';
import { runE2eCell, type E2eCellResult } from './lib/e2e';
import { DEFAULT_RABBITMQ_URL } from './lib/options';
import {
  CAMUNDA_SHAPES,
  camundaShapesMarkdown,
  jobTypesOf,
  runCamundaShape,
  shapeXml,
  type CamundaShape,
} from './lib/camunda-shapes';
import { BenchWorld } from './lib/world';

// Smoke test of `npm run bench`'s measuring code at tiny sizes, against the
// local Postgres and RabbitMQ: the end-to-end cell (worker processes, the
// batched starter, R3's job worker) and the API run complete and yield
// well-formed numbers. It asserts no speed: the bench itself reports speeds.
jest.setTimeout(120_000);

const rabbitmqUrl = process.env.RABBITMQ_URL || DEFAULT_RABBITMQ_URL;

const wellFormed = (n: number | null) => typeof n === 'number' && Number.isFinite(n) && n >= 0;

function expectCell(cell: E2eCellResult, instances: number): void {
  expect(cell.completed).toBe(instances);
  expect(cell.started).toBe(instances);
  expect(cell.startErrors).toBe(0);
  expect(cell.openIncidents).toBe(0);
  expect(cell.instancesPerSec.n).toBeGreaterThan(0);
  expect(wellFormed(cell.instancesPerSec.median)).toBe(true);
  expect(cell.instancesPerSec.median).toBeGreaterThan(0);
  expect(cell.workerRssMB).toHaveLength(1);
}

describe('npm run bench, at smoke size', () => {
  it('runs an end-to-end cell: R1, 1 worker, 50 instances', async () => {
    const cell = await runE2eCell({
      process: 'R1',
      workers: 1,
      batchSize: 100,
      warmupSeconds: 0,
      windows: 1,
      windowSeconds: 10,
      maxInstances: 50,
      rabbitmqUrl,
    });
    expectCell(cell, 50);
  });

  it('runs R3 with its job worker: 50 instances, each through a job', async () => {
    const cell = await runE2eCell({
      process: 'R3',
      workers: 1,
      batchSize: 100,
      warmupSeconds: 0,
      windows: 1,
      windowSeconds: 15,
      maxInstances: 50,
      rabbitmqUrl,
    });
    expectCell(cell, 50);
    expect(cell.jobs?.completed).toBe(50);
    expect(cell.jobs?.errors).toBe(0);
  });

  it("runs R3 with the official client's createJobWorker over /v2: 30 instances, each through a job", async () => {
    const cell = await runE2eCell({
      process: 'R3',
      workers: 1,
      batchSize: 100,
      warmupSeconds: 0,
      windows: 1,
      windowSeconds: 20,
      maxInstances: 30,
      rabbitmqUrl,
      jobWorker: 'camunda-client',
    });
    expectCell(cell, 30);
    expect(cell.jobs).toMatchObject({ completed: 30, errors: 0 });
    expect(cell.jobs?.worker).toContain('createJobWorker');
  });

  it('measures the API: 200 starts at a fixed rate over /api/v1 and over /v2, a short saturation run, GET /processes', async () => {
    const api = await measureApi(
      {
        rates: [100],
        rounds: 1,
        roundSeconds: 2,
        warmupSeconds: 0.5,
        saturationConnections: 8,
        wrkConnections: 20,
        listRequests: 200,
        nginxConnections: 0,
        nginxSeconds: 0,
        rabbitmqUrl,
      },
      () => undefined,
    );
    const [fixed] = api.startFixed;
    expect(fixed.requests).toBe(200);
    expect(fixed.non2xx + fixed.errors + fixed.timeouts).toBe(0);
    for (const figure of [
      fixed.rps,
      fixed.p50,
      fixed.p95,
      fixed.p99,
      api.startSaturation.rps,
      api.listAb.rps,
      api.listWrk.rps,
    ]) {
      expect(wellFormed(figure.median)).toBe(true);
    }
    expect(fixed.p50.median).toBeLessThanOrEqual(fixed.p99.median);
    const [v2] = api.v2StartFixed ?? [];
    expect(v2).toMatchObject({ rate: 100, requests: 200, non2xx: 0, errors: 0, timeouts: 0 });
    expect(wellFormed(v2.p95.median)).toBe(true);
    expect(wellFormed(api.v2StartSaturation?.rps.median ?? null)).toBe(true);
    expect(api.v2StartSaturation?.non2xx).toBe(0);
    expect(api.listAb.requests).toBe(200);
    expect(api.nginx.skipped).not.toBeNull();
    expect(wellFormed(api.apiRssMB.idle)).toBe(true);
  });
});

describe("npm run bench --only=camunda, at smoke size (Zeebe's benchmark shapes)", () => {
  it('deploys one_task, ten_tasks and typical_process as the bench runs them', async () => {
    const world = await BenchWorld.create('camunda_deploy', rabbitmqUrl, 2);
    try {
      for (const shape of Object.keys(CAMUNDA_SHAPES) as CamundaShape[]) {
        const xml = shapeXml(shape);
        const definition = await world.deploy(xml);
        expect(definition.bpmnProcessId).toBe('benchmark');
        expect(jobTypesOf(xml).length).toBeGreaterThan(0);
      }
      expect(shapeXml('typical_process')).not.toContain('PT20M');
      expect(jobTypesOf(shapeXml('one_task'))).toEqual([
        'benchmark-task',
        'benchmark-task-never-executed',
      ]);
    } finally {
      await world.close();
    }
  });

  // typical_process alone (gateway on the payload's var2, two timers, ten jobs): one shape keeps this test to a few seconds.
  it('runs typical_process end to end over /v2 with the payload: 5 instances, 10 jobs each, both timers', async () => {
    const r = await runCamundaShape({
      shape: 'typical_process',
      workers: 1,
      batchSize: 100,
      warmupSeconds: 0,
      windows: 1,
      windowSeconds: 30,
      maxInstances: 5,
      backlog: 5,
      rabbitmqUrl,
    });
    expect(r).toMatchObject({ started: 5, completed: 5, startErrors: 0, openIncidents: 0 });
    expect(r.jobs).toMatchObject({ completed: 50, errors: 0 });
    expect(r.jobTypes).toEqual(['benchmark-task']);
    expect(r.instancesPerSec.median).toBeGreaterThan(0);
    expect(wellFormed(r.cores.baton)).toBe(true);
    expect(camundaShapesMarkdown([r]).join('\n')).toContain('| typical_process |');
  });
});
