/** Human-readable log lines of the runtime (metrics come from the observer, never from these). */
export interface RuntimeLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
