/** What the bus needs to report trouble; the apps pass their Nest logger in. */
export interface BusLogger {
  warn(message: string): void;
  error(message: string): void;
}

export const consoleBusLogger: BusLogger = {
  warn: (message) => console.warn(`[baton:bus] ${message}`),
  error: (message) => console.error(`[baton:bus] ${message}`),
};
