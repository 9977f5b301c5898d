import { createHmac } from 'node:crypto';
import type { ExportSink } from './export-dispatcher';
import type { ExportRecord } from './export.records';

/** The body of one record as sinks send it (also the RabbitMQ message). */
export function exportBody(record: ExportRecord): string {
  return JSON.stringify({
    id: record.id,
    type: record.type,
    processInstanceKey: record.instanceId,
    bpmnProcessId: record.bpmnProcessId,
    createdAt: record.createdAt.toISOString(),
    value: record.payload,
  });
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with EXPORT_WEBHOOK_SECRET. */
export function exportSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * EXPORT_WEBHOOK_URL: one POST per record, in order, each with its id as
 * `X-Baton-Event-Id` (the receiver's idempotency key) and, with a secret, an
 * `X-Baton-Signature`. A 2xx delivers it; anything else (or no answer within
 * `timeoutMs`) stops the batch there.
 */
export class WebhookSink implements ExportSink {
  readonly name = 'webhook' as const;

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async deliver(records: readonly ExportRecord[]): Promise<{ delivered: number; error?: Error }> {
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const body = exportBody(record);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-baton-event-id': record.id,
        'x-baton-event-type': record.type,
      };
      if (this.secret !== undefined) headers['x-baton-signature'] = exportSignature(this.secret, body);
      try {
        const response = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
        await response.body?.cancel();
        if (!response.ok) return { delivered: i, error: new Error(`webhook answered ${response.status} for record ${record.id}`) };
      } catch (e) {
        return { delivered: i, error: new Error(`webhook request for record ${record.id} failed: ${(e as Error).message}`) };
      }
    }
    return { delivered: records.length };
  }
}
