import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshSchema, type FreshSchema } from '../../store/test/fresh-schema';
import { BatchProcessor, DefinitionRegistry, InstanceStarter, type RuntimeLogger } from '../src';
import { MemoryDefinitionCache } from '@baton/cache';

export const quietLogger: RuntimeLogger = { log: () => undefined, warn: () => undefined, error: (m) => console.error(m) };


/** A publisher that keeps what was published, for tests that drive batches by hand. */
export class QueuePublisher {
  readonly items: string[] = [];
  async publish(items: readonly { instanceId: string }[]) {
    for (const item of items) this.items.push(item.instanceId);
  }
  take(n = Infinity): string[] {
    return this.items.splice(0, n);
  }
}

export interface Harness {
  db: FreshSchema;
  registry: DefinitionRegistry;
  publisher: QueuePublisher;
  processor: BatchProcessor;
  starter: InstanceStarter;
  /** Processes published work in batches until none is left. */
  drain(batchSize?: number): Promise<number>;
  close(): Promise<void>;
}

export async function harness(prefix: string): Promise<Harness> {
  const db = await freshSchema({ prefix, poolSize: 6 });
  const registry = new DefinitionRegistry(db.prisma, new MemoryDefinitionCache(), { cacheTtlSeconds: 60 });
  const publisher = new QueuePublisher();
  const processor = new BatchProcessor(db.prisma, registry, publisher, { maxParallel: 50, stepBudget: 10_000, logger: quietLogger });
  const starter = new InstanceStarter(db.prisma, publisher, { logger: quietLogger });
  return {
    db,
    registry,
    publisher,
    processor,
    starter,
    async drain(batchSize = 100) {
      let batches = 0;
      while (publisher.items.length > 0) {
        await processor.process(publisher.take(batchSize));
        batches++;
        if (batches > 10_000) throw new Error('work does not drain');
      }
      return batches;
    },
    close: () => db.drop(),
  };
}

export function bpmn(path: string): string {
  return readFileSync(join(__dirname, '..', '..', '..', path), 'utf8');
}
