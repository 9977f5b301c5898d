/** Numbers as the report shows them: the median of repeated runs with the min and max beside it. */

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many runs (rounds, windows) the median is taken over. */
  readonly n: number;
  readonly unit: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function stat(values: readonly number[], unit: string): Stat {
  return {
    median: median(values),
    min: values.length ? values.reduce((a, b) => (b < a ? b : a), Infinity) : NaN,
    max: values.length ? values.reduce((a, b) => (b > a ? b : a), -Infinity) : NaN,
    n: values.length,
    unit,
  };
}

/** A stat over the same field of several runs. */
export function statOf<T>(runs: readonly T[], pick: (run: T) => number, unit: string): Stat {
  return stat(
    runs.map(pick).filter((v) => Number.isFinite(v)),
    unit,
  );
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** 12,345 / 123 / 12.3 / 1.23: enough digits to read, never noise. */
export function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** `1,234 (1,100–1,300)`; a single run shows only its value. */
export function fmtStat(s: Stat | null | undefined): string {
  if (!s || !Number.isFinite(s.median)) return 'n/a';
  return s.n > 1 && s.min !== s.max
    ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`
    : fmt(s.median);
}

export const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
