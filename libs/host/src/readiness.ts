/**
 * One dependency `/health/ready` asks. Postgres now; Redis and RabbitMQ join
 * with the observability work (a check per adapter, provided next to it).
 */
export interface ReadinessCheck {
  readonly name: string;
  /** Rejects (with a reason) when the dependency is not usable. */
  check(): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { status: 'up' | 'down'; message?: string }>;
}

export async function runReadinessChecks(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await c.check();
        return [c.name, { status: 'up' as const }] as const;
      } catch (e) {
        return [c.name, { status: 'down' as const, message: (e as Error).message }] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r.status === 'up'), checks: Object.fromEntries(results) };
}
