/**
 * A value read by an expensive probe (a query, a broker round trip) on
 * scrape, at most once per `maxAgeMs`: concurrent scrapes share one read, a
 * read that takes longer than `timeoutMs` counts as failed, and a failure
 * yields `undefined` (the gauges stay empty rather than show stale numbers).
 */
export class RefreshingValue<T> {
  private value?: { at: number; value: T };
  private reading?: Promise<T | undefined>;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly options: {
      readonly maxAgeMs: number;
      readonly timeoutMs: number;
      readonly onError: (error: Error) => void;
      readonly now?: () => number;
    },
  ) {}

  get(): Promise<T | undefined> {
    const now = (this.options.now ?? Date.now)();
    if (this.value !== undefined && now - this.value.at < this.options.maxAgeMs)
      return Promise.resolve(this.value.value);
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async refresh(): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        this.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.options.timeoutMs} ms`)),
            this.options.timeoutMs,
          );
        }),
      ]);
      this.value = { at: (this.options.now ?? Date.now)(), value };
      return value;
    } catch (e) {
      this.value = undefined;
      this.options.onError(e instanceof Error ? e : new Error(String(e)));
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
