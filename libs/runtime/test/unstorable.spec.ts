import { findUnstorable } from '../src';

describe('findUnstorable', () => {
  it.each([
    [{ a: 'x\u0000' }, { path: 'a', reason: 'nul' }],
    [{ a: [1, { 'k\u0000': 1 }] }, { path: 'a[1].k\\u0000', reason: 'nul' }],
    [{ a: ['ok', '\ud800'] }, { path: 'a[1]', reason: 'surrogate' }],
    [{ a: { b: Infinity } }, { path: 'a.b', reason: 'number' }],
    [{ a: 2 ** 70 }, { path: 'a', reason: 'number' }],
  ])('names the first culprit in %j', (value, expected) => {
    expect(findUnstorable(value, 10)).toEqual(expected);
  });

  it('counts nesting of objects and arrays', () => {
    expect(findUnstorable([[[1]]], 2)).toEqual({ path: '[0][0]', reason: 'depth' });
    expect(findUnstorable([[[1]]], 3)).toBeNull();
  });

  it('passes what a store takes, including characters beyond the BMP and safe integers', () => {
    expect(findUnstorable({ a: ['é𝄞', 2 ** 53 - 1, -1.5, null, true, { b: [] }] }, 4)).toBeNull();
  });

  it('walks a hostile depth without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorable(deep, 100)).toMatchObject({ reason: 'depth' });
  });
});
