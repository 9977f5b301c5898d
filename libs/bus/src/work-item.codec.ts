import { BusError, BusErrorCode } from './bus.error';
import type { ConsumeOptions, WorkItem } from './token-bus.port';

/**
 * Most work items in one broker message. A message is the broker's unit of
 * work (a persistent write, a delivery, an ack): items published together
 * travel together, so a group of starts or a batch's follow-ups costs the
 * broker a few messages instead of one per instance. Small enough that the
 * consumers' prefetch (in messages) still spreads work among the workers.
 */
export const MAX_ITEMS_PER_MESSAGE = 10;

/** A message body for up to {@link MAX_ITEMS_PER_MESSAGE} items: `{"instanceId"}` for one (as before), `{"instanceIds"}` for more. */
export function encodeWorkMessage(instanceIds: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify(instanceIds.length === 1 ? { instanceId: instanceIds[0] } : { instanceIds }));
}

const isInstanceId = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The items of a message body; null for anything else, so the caller can drop it as a poison message. */
export function decodeWorkMessage(body: Buffer): WorkItem[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { instanceId, instanceIds } = parsed as { instanceId?: unknown; instanceIds?: unknown };
  if (isInstanceId(instanceId)) return [{ instanceId }];
  if (!Array.isArray(instanceIds) || instanceIds.length === 0 || instanceIds.length > 1000 || !instanceIds.every(isInstanceId)) return null;
  return instanceIds.map((id) => ({ instanceId: id }));
}

/** Rejects items the consumer side would drop as poison, at the publisher where the bug is. */
export function assertWorkItems(items: readonly WorkItem[]): void {
  for (const item of items) {
    if (typeof item?.instanceId !== 'string' || item.instanceId === '') {
      throw new BusError(
        BusErrorCode.InvalidArgument,
        `work item without an instanceId: ${JSON.stringify(item)}`,
      );
    }
  }
}

export function assertConsumeOptions(options: ConsumeOptions): void {
  const { batchSize, lingerMs, retryDelayMs, priority } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new BusError(
      BusErrorCode.InvalidArgument,
      `batchSize must be a whole number > 0, got ${batchSize}`,
    );
  }
  if (!Number.isFinite(lingerMs) || lingerMs < 0) {
    throw new BusError(BusErrorCode.InvalidArgument, `lingerMs must be >= 0, got ${lingerMs}`);
  }
  if (retryDelayMs !== undefined && (!Number.isFinite(retryDelayMs) || retryDelayMs < 0)) {
    throw new BusError(
      BusErrorCode.InvalidArgument,
      `retryDelayMs must be >= 0, got ${retryDelayMs}`,
    );
  }
  if (priority !== undefined && (!Number.isInteger(priority) || priority < 0 || priority > 2 ** 31 - 1)) {
    throw new BusError(
      BusErrorCode.InvalidArgument,
      `priority must be a whole number from 0 to 2^31 - 1, got ${priority}`,
    );
  }
}

export const DEFAULT_RETRY_DELAY_MS = 200;
