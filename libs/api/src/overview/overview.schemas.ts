import { z } from 'zod';

const bounded = z
  .object({
    count: z.number().int().meta({ example: 42 }),
    capped: z.boolean().describe('true: at least `count` (counting stopped there)'),
  })
  .describe('A count read with a bound (100,000): `capped` when there are more');

const typeCount = z.object({ type: z.string().meta({ example: 'charge-card' }), count: z.number().int() });

export const OverviewSchema = z.object({
  at: z.iso.datetime().describe('When the figures were read (an answer is reused for 2 s)'),
  instances: z
    .object({ active: bounded, suspended: bounded, completed: bounded, canceled: bounded, withIncident: bounded })
    .describe('Instances by state; `withIncident`: instances with at least one open incident'),
  incidents: z.object({ open: bounded }),
  throughput: z.object({
    minutes: z.number().int().describe('60: the last hour'),
    perMinute: z
      .array(
        z.object({
          minute: z.iso.datetime().describe('The minute (UTC), the current one last'),
          started: z.number().int(),
          completed: z.number().int(),
          canceled: z.number().int(),
        }),
      )
      .describe('Instances started and ended per minute, oldest first'),
    started: z.number().int(),
    completed: z.number().int(),
    canceled: z.number().int(),
  }),
  jobs: z.object({
    backlog: bounded.describe('Jobs waiting for a job worker (ACTIVATABLE)'),
    backlogByType: z.array(typeCount).describe('The backlog by job type, largest first (20 at most)'),
    workers: z
      .array(z.object({ worker: z.string().meta({ example: 'payments-1' }), types: z.array(z.string()), jobs: z.number().int() }))
      .describe('Job workers holding jobs now (activated, lock not run out), by the worker name they activate with'),
  }),
  processes: z
    .array(
      z.object({
        node: z.number().int().describe('Its key node'),
        app: z.string().describe('api, worker, or baton (the all-in-one: both)').meta({ example: 'worker' }),
        host: z.string(),
        pid: z.number().int().nullable(),
        consumes: z.array(z.string()).describe('What it takes work from').meta({ example: ['token queue', 'timers', 'batch chunks'] }),
        leaseUntil: z.iso.datetime().describe('Its key node lease runs to here; renewed while it lives'),
      }),
    )
    .nullable()
    .describe('The processes of the installation alive now (holding a key node lease); null for a caller confined to some tenants'),
  tokenQueue: z
    .object({
      bus: z.enum(['rabbitmq', 'in-process']),
      depth: z.number().int().nullable().describe('Work items waiting, not yet delivered to a worker; null when the bus did not answer within 1 s'),
    })
    .nullable()
    .describe('The token bus queue; null for a caller confined to some tenants'),
});
