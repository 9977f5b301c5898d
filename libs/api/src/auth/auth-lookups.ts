import {
  isKey,
  RuntimeError,
  type DefinitionRegistry,
  type IncidentService,
  type InstanceService,
  type JobService,
  type TaskService,
} from '@baton/runtime';
import type { AuthLookups } from './auth-hook';

/**
 * The facts the auth hook needs about a job or a user task, from the
 * runtime's services. An id the services refuse or do not know is `null`:
 * the handler then answers 400/404 as it does for every caller.
 */
export function authLookups(
  jobs: JobService,
  tasks: TaskService,
  instances: InstanceService,
  incidents: IncidentService,
  registry: DefinitionRegistry,
): AuthLookups {
  const orNull = async <T>(work: Promise<T>): Promise<T | null> => {
    try {
      return await work;
    } catch (e) {
      if (e instanceof RuntimeError) return null;
      throw e;
    }
  };
  return {
    job: async (id) => {
      const job = await orNull(jobs.get(id));
      return job === null ? null : { type: job.type, tenantId: job.tenantId };
    },
    task: (id) => orNull(tasks.get(id)),
    definition: async (key) => {
      const definition = isKey(key) ? await orNull(registry.byId(key)) : null;
      return definition === null ? null : { bpmnProcessId: definition.bpmnProcessId, tenantId: definition.tenantId };
    },
    tenantOf: async (kind, id) => {
      const instanceId = kind === 'instance' ? id : (await orNull(incidents.get(id)))?.instanceId;
      if (instanceId === undefined) return null;
      return (await orNull(instances.get(instanceId)))?.tenantId ?? null;
    },
  };
}
