/**
 * A clock the test moves by hand. The store, the use cases, the key
 * generator and the definition cache all read the same one, so "a timer is
 * due" or "a lease ran out" is a step of the test, never a wait.
 */
export class FakeClock {
  private ms: number;

  constructor(start: Date | number = Date.UTC(2025, 0, 6, 9, 0, 0)) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  /** Epoch milliseconds, as `Date.now` (pass it as a `clock` option). */
  readonly now = (): number => this.ms;

  date(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError('the fake clock only moves forward');
    this.ms += ms;
  }

  set(to: Date | number): void {
    const ms = typeof to === 'number' ? to : to.getTime();
    if (ms < this.ms) throw new RangeError('the fake clock only moves forward');
    this.ms = ms;
  }
}
