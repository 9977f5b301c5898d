import { createCamundaClient, type CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture } from './api-harness';

/** What the official client throws for a problem answer. */
export interface HttpSdkError {
  status: number;
  title?: string;
  detail?: string;
}

/**
 * The official client against a Baton origin, authentication off.
 * `req:strict,res:strict` checks every request and answer against the 8.8
 * spec's schemas; a mismatch throws.
 */
export function camundaClient(origin: string, validation = 'req:strict,res:strict'): CamundaClient {
  return createCamundaClient({
    env: {},
    config: {
      CAMUNDA_REST_ADDRESS: origin,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_SDK_VALIDATION: validation,
      CAMUNDA_SDK_LOG_LEVEL: 'error',
    },
  });
}

/** The service-task fixture under its own process id and job type, so each test works only its own jobs. */
export const serviceTask = (name: string): string =>
  fixture('tasks/service-task.bpmn').replaceAll('"service-task"', `"${name}"`).replace('type="charge-card"', `type="${name}"`);

/** A deployment resource as Modeler and the clients send it. */
export const file = (name: string, xml: string): File => new File([xml], name, { type: 'application/octet-stream' });

/** Deploys one BPMN document; its process definition. */
export async function deploy(camunda: CamundaClient, name: string, xml: string): Promise<{ processDefinitionKey: string; processDefinitionId: string }> {
  const result = await camunda.createDeployment({ resources: [file(`${name}.bpmn`, xml)] });
  const definition = result.deployments[0]?.processDefinition;
  if (definition === undefined) throw new Error('no process deployed');
  return definition;
}

/** Activates jobs of a type and expects exactly one: asking for `upTo` more shows that no second one is there. */
export async function activateOne(camunda: CamundaClient, type: string, options: { worker?: string; upTo?: number } = {}) {
  const { jobs } = await camunda.activateJobs({ type, worker: options.worker ?? 'w1', maxJobsToActivate: options.upTo ?? 1, timeout: 30_000, requestTimeout: 5_000 });
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

/** The problem a call failed with; throws when it succeeded. */
export async function failure(call: Promise<unknown>): Promise<HttpSdkError> {
  try {
    await call;
  } catch (e) {
    return e as HttpSdkError;
  }
  throw new Error('expected the call to fail');
}

/** Polls `read` until `done` holds; after `timeoutMs` fails naming `what` and the last value read. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
