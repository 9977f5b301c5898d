import type { Page } from '../ports/records';

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

export const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());
