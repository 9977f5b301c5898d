import { BusError, BusErrorCode } from './bus.error';
import type { ConsumeOptions, WorkItem } from './token-bus.port';

export function encodeWorkItem(item: WorkItem): Buffer {
  return Buffer.from(JSON.stringify({ instanceId: item.instanceId }));
}

/** Returns null for anything that is not a work item, so the caller can drop it as a poison message. */
export function decodeWorkItem(body: Buffer): WorkItem | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const instanceId = (parsed as { instanceId?: unknown }).instanceId;
  return typeof instanceId === 'string' && instanceId !== '' ? { instanceId } : null;
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
  const { batchSize, lingerMs, retryDelayMs } = options;
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
}

export const DEFAULT_RETRY_DELAY_MS = 200;
