import { withTimeout } from './store';

/** One dependency `/health/ready` asks: Postgres, and Redis and RabbitMQ when configured (HostReadiness). */
export interface ReadinessCheck {
  readonly name: string;
  /** Rejects (with a reason) when the dependency is not usable. */
  check(): Promise<void>;
  /** A check that has not answered by then is down. Default 2000 ms. */
  readonly timeoutMs?: number;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { status: 'up' | 'down'; message?: string }>;
}

export async function runReadinessChecks(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withTimeout(c.check(), c.timeoutMs ?? 2_000, c.name);
        return [c.name, { status: 'up' as const }] as const;
      } catch (e) {
        return [c.name, { status: 'down' as const, message: (e as Error).message }] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r.status === 'up'), checks: Object.fromEntries(results) };
}
