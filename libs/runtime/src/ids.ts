import { v7 } from 'uuid';

/** UUIDv7: unique, and sorted by creation time, so ids double as "newest first" cursors. */
export const newId = (): string => v7();
