import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { camundaClient, deploy, until } from './camunda-support';

/** Searches read what is committed: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

/**
 * Compensation end to end, as a Camunda 8 user drives it with the official
 * client: book a hotel, book a car, the payment fails with a BPMN error, a
 * compensation throw event undoes both bookings through job workers.
 */
describe('compensation over the Camunda 8 REST API', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_compensation');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  // Both handlers are workers of one type, so one activation shows which job came first.
  const model = fixture('compensation/car-rental.bpmn')
    .replace('type="cancel-hotel"', 'type="cancel-booking"')
    .replace('type="cancel-car"', 'type="cancel-booking"');

  async function activate(type: string, upTo = 1) {
    const read = () =>
      camunda.activateJobs({ type, worker: 'car-rental', maxJobsToActivate: upTo, timeout: 30_000, requestTimeout: 2_000 });
    const { jobs } = await read();
    return jobs;
  }

  async function work(type: string, variables: Record<string, unknown> = {}) {
    const [job] = await until(() => activate(type), (jobs) => jobs.length === 1, `a job of type ${type}`);
    await camunda.completeJob({ jobKey: job.jobKey, variables });
    return job;
  }

  it('the handlers of the bookings run as jobs, the later booking first, and the instance completes', async () => {
    const { processDefinitionId } = await deploy(camunda, 'car-rental', model);
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: processDefinitionId as never,
      variables: { customer: 'ada' },
    });
    await work('book-hotel', { hotelBooking: 'H-1' });
    await work('book-car', { carBooking: 'C-7' });
    const [pay] = await until(() => activate('pay'), (jobs) => jobs.length === 1, 'the payment job');
    await camunda.throwJobError({ jobKey: pay.jobKey, errorCode: 'PAYMENT_FAILED', errorMessage: 'card declined' });

    // Both handler jobs are out at once; created latest completion first.
    const collected: Awaited<ReturnType<typeof activate>> = [];
    await until(
      async () => {
        collected.push(...(await activate('cancel-booking', 2)));
        return collected.length;
      },
      (n) => n >= 2,
      'both handler jobs',
    );
    const handlers = [...collected].sort((a, b) => (BigInt(a.jobKey) < BigInt(b.jobKey) ? -1 : 1));
    expect(handlers.map((j) => j.elementId)).toEqual(['cancelCar', 'cancelHotel']);
    expect(handlers[1].variables).toEqual(expect.objectContaining({ booking: 'H-1', customer: 'ada' }));

    // The throw event waits for the handlers: still active once the first one completed.
    const states = async () => {
      const r = await camunda.searchElementInstances(
        { filter: { processInstanceKey: processInstanceKey as never }, page: { limit: 100 } },
        NOW,
      );
      return Object.fromEntries((r.items ?? []).map((e) => [e.elementId, e.state]));
    };
    expect(await states()).toEqual(expect.objectContaining({ undoBookings: 'ACTIVE', cancelCar: 'ACTIVE' }));
    await camunda.completeJob({ jobKey: handlers[0].jobKey, variables: {} });
    const afterFirst = await until(states, (s) => s.cancelCar === 'COMPLETED', 'the first handler to complete');
    expect(afterFirst).toEqual(expect.objectContaining({ undoBookings: 'ACTIVE', cancelHotel: 'ACTIVE' }));
    await camunda.completeJob({ jobKey: handlers[1].jobKey, variables: {} });

    const done = await until(
      () => camunda.getProcessInstance({ processInstanceKey: processInstanceKey as never }, NOW),
      (i) => i.state !== 'ACTIVE',
      'the instance to end',
    );
    expect(done.state).toBe('COMPLETED');
    const r = await camunda.searchElementInstances(
      { filter: { processInstanceKey: processInstanceKey as never }, page: { limit: 100 } },
      NOW,
    );
    expect((r.items ?? []).map((e) => `${e.elementId} ${e.state}`).sort()).toEqual([
      'bookCar COMPLETED',
      'bookHotel COMPLETED',
      'cancelCar COMPLETED',
      'cancelHotel COMPLETED',
      'car-rental COMPLETED',
      'compCar COMPLETED',
      'compHotel COMPLETED',
      'notRented COMPLETED',
      'pay TERMINATED',
      'payFailed COMPLETED',
      'start COMPLETED',
      'undoBookings COMPLETED',
    ]);
  }, 60_000);
});
