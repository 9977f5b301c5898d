import { validate, version } from 'uuid';
import { newId } from '../src/ids';

describe('newId', () => {
  it('makes valid, unique UUIDv7s', () => {
    const ids = Array.from({ length: 50_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1_000)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
  });

  it('sorts in the order the ids were made, also within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time it was made in its first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    // Within one millisecond a run of ids may borrow the next one (counter overflow): allow it.
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after + 1);
  });

  it('does not repeat random bits across the pool refills', () => {
    const tails = new Set(Array.from({ length: 2_000 }, () => newId().slice(-12)));
    expect(tails.size).toBe(2_000);
  });
});
