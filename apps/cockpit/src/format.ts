/** A timestamp of the API (ISO 8601, UTC) in the browser's locale and zone. */
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString() : '';

export const json = (value: unknown): string => JSON.stringify(value, null, 2);
