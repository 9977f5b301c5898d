import type { PrismaClient } from '../generated/prisma/client';

/**
 * PGlite runs Postgres without its background processes, autovacuum among
 * them: left alone, the embedded store's tables keep every dead row version
 * an UPDATE or DELETE leaves (an instance's row is rewritten at every step),
 * grow without bound, gather no planner statistics, and its transaction ids
 * age towards wraparound. This does autovacuum's work in the open: every
 * round, each table whose dead rows passed autovacuum's own threshold
 * (50 + 20 % of its live rows) gets `VACUUM (ANALYZE)`, one table at a time
 * (PGlite is one connection: each VACUUM queues behind the transaction in
 * flight, and the work in flight queues behind it only for that table).
 */
export interface VacuumRound {
  /** Tables vacuumed this round, with their dead rows before. */
  readonly vacuumed: readonly { readonly table: string; readonly deadRows: number; readonly ms: number }[];
}

/** Autovacuum's defaults: autovacuum_vacuum_threshold and autovacuum_vacuum_scale_factor. */
const BASE_THRESHOLD = 50;
const SCALE_FACTOR = 0.2;

export async function vacuumRound(prisma: PrismaClient): Promise<VacuumRound> {
  const candidates = await prisma.$queryRawUnsafe<{ table: string; dead: number }[]>(
    `SELECT relname AS table, n_dead_tup::int AS dead
       FROM pg_stat_user_tables
      WHERE schemaname = current_schema() AND n_dead_tup > $1::int + $2::float8 * n_live_tup
      ORDER BY n_dead_tup DESC`,
    BASE_THRESHOLD,
    SCALE_FACTOR,
  );
  const vacuumed: { table: string; deadRows: number; ms: number }[] = [];
  for (const { table, dead } of candidates) {
    const started = performance.now();
    // A name read from the catalogue, quoted as an identifier.
    await prisma.$executeRawUnsafe(`VACUUM (ANALYZE) "${table.replace(/"/g, '""')}"`);
    vacuumed.push({ table, deadRows: dead, ms: performance.now() - started });
  }
  return { vacuumed };
}

/**
 * Runs {@link vacuumRound} every `intervalSeconds` (not at all for 0) until
 * the returned stop is called; stop waits for a round in flight. A round that
 * fails (the database closing under it) is reported and the next one tried.
 */
export function startEmbeddedVacuum(
  prisma: PrismaClient,
  intervalSeconds: number,
  report: { round?: (round: VacuumRound) => void; failed?: (error: Error) => void } = {},
): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running !== undefined || stopped) return;
    running = vacuumRound(prisma)
      .then((round) => report.round?.(round))
      .catch((e: unknown) => report.failed?.(e as Error))
      .finally(() => {
        running = undefined;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
