import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import type { BusLogger } from '@baton/bus';
import type { RuntimeLogger } from '@baton/runtime';

/** The runtime's and the bus's logger ports on Nest's logger (one context each). */
export function nestLogger(context: string): RuntimeLogger & BusLogger {
  const logger = new Logger(context);
  return {
    log: (message) => logger.log(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  };
}

/** Nest log levels for LOG_LEVEL (`info` is Nest's `log`). */
export function nestLogLevels(level: string): ('fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose')[] {
  const order = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  const index = order.indexOf((level === 'info' ? 'log' : level) as (typeof order)[number]);
  return order.slice(0, index < 0 ? 4 : index + 1);
}

/**
 * Nest's start-up plumbing: a line per controller, per route and per module
 * (some 50 lines on every start). Logged at debug: LOG_LEVEL=debug shows it.
 */
export const START_UP_DETAIL_CONTEXTS: ReadonlySet<string> = new Set(['RoutesResolver', 'RouterExplorer', 'InstanceLoader']);

/**
 * Colours only for a person at a terminal: not when stdout is a pipe or a
 * file (docker logs, systemd, `| tee`), nor when NO_COLOR is set to
 * anything (https://no-color.org). Nest's own default colours whenever
 * NO_COLOR is unset.
 */
export function logColours(stdout: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stdout.isTTY === true && (env.NO_COLOR ?? '') === '';
}

/** Nest's console logger, with the start-up plumbing demoted to debug (see {@link START_UP_DETAIL_CONTEXTS}). */
export class BatonConsoleLogger extends ConsoleLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const last = optionalParams[optionalParams.length - 1];
    const context = typeof last === 'string' ? last : this.context;
    if (context !== undefined && START_UP_DETAIL_CONTEXTS.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/**
 * The process-wide logger a Baton entry point installs first
 * (`Logger.overrideLogger(nestConsoleLogger(settings.LOG_LEVEL))`): the
 * levels LOG_LEVEL names, colours only on a terminal, Nest's route and
 * module lines at debug. A later `overrideLogger(levels)` (the API's
 * `createApiApp`) only changes the levels of this logger.
 */
export function nestConsoleLogger(level: string, colours: boolean = logColours()): ConsoleLogger {
  return new BatonConsoleLogger({ logLevels: nestLogLevels(level) as LogLevel[], colors: colours });
}
