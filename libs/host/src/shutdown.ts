import type { RuntimeLogger } from '@baton/runtime';

export interface ShutdownOptions {
  /** Longest the close may take before the process gives up and exits 1. */
  readonly graceMs: number;
  readonly logger: RuntimeLogger;
  /** What closing does, e.g. "finishing the batch in flight". */
  readonly what?: string;
  /**
   * Also shut down when the parent process goes away. `npm start` runs
   * `sh -c node ...`, and a SIGTERM to npm (a process manager stopping it)
   * ends npm and the shell but never reaches node, which would run on as an
   * orphan holding the port and the data directory.
   */
  readonly followParent?: boolean;
}

export interface ShutdownHandle {
  /** Set once a signal arrived: start-up code checks it between steps. */
  readonly requested: boolean;
  /** Starts the shutdown as a signal would (a fatal start-up error). */
  shutdown(reason: string, code?: number): Promise<void>;
}

/**
 * SIGTERM/SIGINT: run `close` (Nest's `app.close()`: shutdown hooks, then the
 * adapters), then exit 0 — or 1 when closing failed. A second signal, or the
 * grace period running out, exits 1 at once. `close` is looked up when the
 * signal arrives, so a signal during start-up closes whatever exists by then.
 */
export function exitOnSignals(close: () => Promise<void> | undefined, options: ShutdownOptions): ShutdownHandle {
  let shuttingDown: Promise<void> | undefined;
  const { logger } = options;
  const shutdown = (reason: string, code = 0): Promise<void> => {
    if (shuttingDown !== undefined) return shuttingDown;
    logger.log(`${reason}: ${options.what ?? 'closing'}, then exiting`);
    const again = () => {
      logger.error(`${reason} again: exiting without waiting`);
      process.exit(1);
    };
    process.once('SIGTERM', again);
    process.once('SIGINT', again);
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${options.graceMs} ms; exiting`);
      process.exit(1);
    }, options.graceMs).unref();
    shuttingDown = (async () => {
      try {
        await close();
      } catch (e) {
        logger.error(`shutdown failed: ${(e as Error).stack ?? String(e)}`);
        process.exit(1);
      }
      logger.log('stopped');
      process.exit(code);
    })();
    return shuttingDown;
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  if (options.followParent === true) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      void shutdown(`parent process ${parent} exited`);
    }, 500);
    watch.unref();
  }
  return {
    get requested() {
      return shuttingDown !== undefined;
    },
    shutdown,
  };
}
