/** One page of a list: `nextCursor` is null on the last page (DESIGN §4.1). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  /** 1..1000; the HTTP layer applies the default (50) and the bounds. */
  readonly limit: number;
  /** The last id of the previous page. */
  readonly cursor?: string;
}

/**
 * Builds a page from `limit + 1` rows: the extra row only tells that another
 * page exists, and the cursor is the last row shown.
 */
export function pageOf<R, T>(rows: readonly R[], limit: number, view: (row: R) => T, cursorOf: (row: R) => string): Page<T> {
  const shown = rows.length > limit ? rows.slice(0, limit) : rows;
  return {
    items: shown.map(view),
    nextCursor: rows.length > limit && shown.length > 0 ? cursorOf(shown[shown.length - 1]) : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs: anything else cannot name a row, and Postgres would refuse to compare it. */
export const isUuid = (value: string): boolean => UUID.test(value);

export const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());
