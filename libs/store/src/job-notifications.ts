import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { databaseTarget } from './database-target';

export interface JobNotificationsOptions {
  /** DATABASE_URL (with `?schema=`): notifications stay within the schema's processes. */
  readonly url: string;
  /** Job types another process (or this one) committed jobs of. */
  readonly onNotified: (types: string[]) => void;
  readonly logger: { warn(message: string): void };
  /** Pause before connecting again after the connection was lost. Default 1 s. */
  readonly reconnectMs?: number;
  /** Names the connection in `pg_stat_activity`. */
  readonly applicationName?: string;
}

/**
 * "Jobs of these types were committed", between the processes of one
 * deployment, over Postgres `LISTEN`/`NOTIFY` on one dedicated connection per
 * process: a worker that commits jobs publishes their types; every process
 * listening (API, workers with job handlers) wakes its long polls for them at
 * once instead of at their next poll. A hint only: a notification that is lost
 * (the connection was down) costs a poll interval, never a job, since polls
 * still look by themselves.
 *
 * The channel is named after the schema, so deployments sharing a database in
 * different schemas do not wake each other.
 */
export class PgJobNotifications {
  readonly channel: string;
  private client?: Client;
  private connecting?: Promise<void>;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private queued = new Set<string>();
  private flushing = false;

  constructor(private readonly options: JobNotificationsOptions) {
    const target = databaseTarget(options.url);
    this.channel = jobChannel(target.schema ?? 'public');
  }

  /** Connects and listens; resolves once listening or once the first attempt failed (it keeps trying). */
  start(): Promise<void> {
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Tells every listening process (this one too) that jobs of these types were committed. */
  publish(types: Iterable<string>): void {
    for (const type of types) this.queued.add(type);
    if (this.queued.size === 0 || this.flushing) return;
    this.flushing = true;
    // Commits of one event-loop turn share one statement.
    setImmediate(() => void this.flush());
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const target = databaseTarget(this.options.url);
    const client = new Client({ connectionString: target.connectionString, application_name: this.options.applicationName ?? 'baton-job-notifications' });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.options.onNotified(message.payload.split('\n'));
    });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      // A notification is a hint: its commit need not wait for the WAL to reach the disk.
      await client.query(`SET synchronous_commit TO off; LISTEN "${this.channel}"`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
    } catch (e) {
      await client.end().catch(() => undefined);
      this.lost(client, e as Error);
    }
  }

  private lost(client: Client, e: Error): void {
    if (this.client === client) this.client = undefined;
    if (this.stopped || this.retry !== undefined) return;
    this.options.logger.warn(`job notifications: ${e.message}; long polls fall back to polling until the connection is back`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.start();
    }, this.options.reconnectMs ?? 1_000);
    this.retry.unref();
  }

  private async flush(): Promise<void> {
    const types = [...this.queued];
    this.queued = new Set();
    try {
      // Types joined by newlines (a type holding one only misses its wake-up: polls still find its jobs);
      // Postgres caps a payload at 8,000 bytes.
      if (this.client !== undefined && types.length > 0) {
        for (const payload of chunks(types, 7_000)) await this.client.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
      }
    } catch {
      // The connection is being replaced ('error' said so); polls find these jobs.
    } finally {
      this.flushing = false;
      if (this.queued.size > 0) this.publish([]);
    }
  }
}

/** The notification channel of a schema: within Postgres' 63-byte identifiers whatever the schema's name. */
export function jobChannel(schema: string): string {
  return `baton_jobs_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

function* chunks(types: readonly string[], maxBytes: number): Generator<string> {
  let current: string[] = [];
  let bytes = 0;
  for (const type of types) {
    const size = Buffer.byteLength(type) + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      yield current.join('\n');
      current = [];
      bytes = 0;
    }
    current.push(type);
    bytes += size;
  }
  if (current.length > 0) yield current.join('\n');
}
