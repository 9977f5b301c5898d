import type { Key } from '@baton/runtime';

/**
 * Counts the completed instances among those it was given, asking Postgres
 * each time only about the ones not yet seen completed (by primary key).
 * Counting `status = 'COMPLETED'` over the whole table, as the bench did
 * before, cost more with every instance a cell completed: with no autovacuum
 * on the bench's database the visibility map stays empty, so the count
 * visited every completed row, and ten times a second that took most of a
 * core from the system under test by the end of a fast cell. Calls that
 * overlap share one query.
 */
export class CompletionCounter {
  private open: string[] = [];
  private done = 0;
  private running?: Promise<number>;

  constructor(private readonly completedAmong: (ids: readonly string[]) => Promise<readonly string[]>) {}

  add(id: Key): void {
    this.open.push(String(id));
  }

  count(): Promise<number> {
    this.running ??= this.query().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async query(): Promise<number> {
    const asked = this.open;
    if (asked.length === 0) return this.done;
    this.open = [];
    let completed: ReadonlySet<string>;
    try {
      completed = new Set(await this.completedAmong(asked));
    } catch (e) {
      this.open = asked.concat(this.open);
      throw e;
    }
    this.done += completed.size;
    // Those started while the query ran were not asked about: they stay open behind the rest.
    this.open = asked.filter((id) => !completed.has(id)).concat(this.open);
    return this.done;
  }
}
