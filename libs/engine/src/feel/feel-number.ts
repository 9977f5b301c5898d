import DecimalJs from 'decimal.js';

/**
 * FEEL numbers.
 *
 * feel-scala computes with `BigDecimal` and `MathContext.DECIMAL128` (34
 * significant digits, half-even rounding); Baton's variables are JSON, so a
 * number lives as a JavaScript double between operations and its decimal
 * value is the shortest decimal that round-trips to that double (`0.1` is
 * 0.1, not 0.1000000000000000055...). Each operation is computed as
 * feel-scala computes it, on those decimals, and the result is rounded back
 * to the nearest double:
 *
 * - integers whose exact result is a safe integer take the fast path (plain
 *   double arithmetic is exact there);
 * - everything else goes through decimal.js at 34 digits, half-even, so
 *   `0.1 + 0.2 = 0.3`, `0.3 / 0.1 = 3` and `1.1 * 1.1 = 1.21` hold as they
 *   do in Camunda.
 *
 * What doubles cannot carry is lost at the end of each operation: digits
 * beyond the 17th (`1 / 3` is 0.3333333333333333), and magnitudes beyond
 * about 1.8e308, which become `null` (feel-scala keeps `1E+1000`).
 */
export const Decimal = DecimalJs.clone({
  precision: 34,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = DecimalJs;

/** A finite double, or null for what a JSON number cannot hold. */
export function fromDecimal(value: DecimalJs): number | null {
  const n = value.toNumber();
  return Number.isFinite(n) ? n : null;
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

export function add(a: number, b: number): number | null {
  const r = a + b;
  if (Number.isInteger(a) && Number.isInteger(b) && Number.isSafeInteger(r)) return r;
  return fromDecimal(Decimal.add(a, b));
}

export function subtract(a: number, b: number): number | null {
  const r = a - b;
  if (Number.isInteger(a) && Number.isInteger(b) && Number.isSafeInteger(r)) return r;
  return fromDecimal(Decimal.sub(a, b));
}

export function multiply(a: number, b: number): number | null {
  const r = a * b;
  if (Number.isInteger(a) && Number.isInteger(b) && Number.isSafeInteger(r)) return r;
  return fromDecimal(Decimal.mul(a, b));
}

/** `null` for a zero divisor, as in feel-scala. */
export function divide(a: number, b: number): number | null {
  if (b === 0) return null;
  if (Number.isInteger(a) && Number.isInteger(b) && a % b === 0) return finite(a / b);
  return fromDecimal(Decimal.div(a, b));
}

/**
 * feel-scala: `x.pow(y)` for a whole exponent (34 digits), else
 * `Math.pow` on doubles. Exponents beyond what a double result can carry
 * skip the decimal work: their result is 0, 1 or out of range anyway.
 */
export function power(a: number, b: number): number | null {
  if (Number.isInteger(b) && Math.abs(b) <= 10_000) {
    if (b < 0 && a === 0) return null;
    return fromDecimal(Decimal.pow(a, b));
  }
  return finite(Math.pow(a, b));
}

export function negate(a: number): number {
  return a === 0 ? 0 : -a;
}

/** Java `BigDecimal.intValue` (truncation) for the integral arguments of built-ins. */
export function intValue(n: number): number {
  return Math.trunc(n);
}

export type RoundingMode =
  'UP' | 'DOWN' | 'CEILING' | 'FLOOR' | 'HALF_UP' | 'HALF_DOWN' | 'HALF_EVEN';

const MODES: Readonly<Record<RoundingMode, DecimalJs.Rounding>> = {
  UP: DecimalJs.ROUND_UP,
  DOWN: DecimalJs.ROUND_DOWN,
  CEILING: DecimalJs.ROUND_CEIL,
  FLOOR: DecimalJs.ROUND_FLOOR,
  HALF_UP: DecimalJs.ROUND_HALF_UP,
  HALF_DOWN: DecimalJs.ROUND_HALF_DOWN,
  HALF_EVEN: DecimalJs.ROUND_HALF_EVEN,
};

export const ROUNDING_MODES: readonly RoundingMode[] = Object.keys(MODES) as RoundingMode[];

/**
 * `BigDecimal.setScale(scale, mode)`: a negative scale rounds to tens,
 * hundreds... (`decimal(1234, -2)` is 1200).
 */
export function round(n: number, scale: number, mode: RoundingMode): number | null {
  const s = Math.trunc(scale);
  // the shortest decimal of a double has fewer than 400 places: nothing to round
  if (s > 400) return Number.isFinite(n) ? n : null;
  if (s < -400) return null;
  const d = new Decimal(n);
  if (s >= 0) return fromDecimal(d.toDecimalPlaces(s, MODES[mode]));
  const factor = new Decimal(10).pow(-s);
  return fromDecimal(d.div(factor).toDecimalPlaces(0, MODES[mode]).mul(factor));
}

/** Scala `BigDecimal` `%`: the sign of the dividend; `null` for a zero divisor. */
export function remainder(a: number, b: number): number | null {
  if (b === 0) return null;
  if (Number.isInteger(a) && Number.isInteger(b)) return a % b;
  return fromDecimal(Decimal.mod(a, b));
}

/** Parses a FEEL/Java decimal text (`BigDecimal(String)`): digits, a point, an exponent. */
export function parseDecimalText(text: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  return finite(Number(text));
}
