import { Logger } from '@nestjs/common';
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
