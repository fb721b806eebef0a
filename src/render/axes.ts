/**
 * Axis ranges and ticks shared by the Plotly figures (which write their ranges into the JSON) and the
 * static chart renderer (which draws those ranges): both show the same axes.
 */

export interface RangeOptions {
  /** Keep 0 inside the range (fractions, distances). */
  readonly includeZero?: boolean;
  /** Never go below / above these (e.g. a fraction never below 0). */
  readonly min?: number;
  readonly max?: number;
  /** Padding on each side, as a fraction of the span (default 0.05). */
  readonly pad?: number;
}

/**
 * A range that fits the finite values, padded a little. A constant series gets a range around it that
 * is 20% of its size (or ±0.5 for 0), not Plotly's −0.5…1 guess.
 */
export function fitRange(values: Iterable<number | null | undefined>, options: RangeOptions = {}): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [options.min ?? 0, options.max ?? 1];
  if (options.includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  let span = hi - lo;
  if (!(span > 1e-12 * Math.max(Math.abs(lo), Math.abs(hi)))) {
    const half = lo === 0 ? 0.5 : Math.abs(lo) * 0.1;
    lo -= half;
    hi += half;
    span = hi - lo;
  }
  const pad = (options.pad ?? 0.05) * span;
  let from = lo - pad;
  let to = hi + pad;
  if (options.includeZero && lo >= 0) from = Math.max(from, 0);
  if (options.includeZero && hi <= 0) to = Math.min(to, 0);
  if (options.min !== undefined) from = Math.max(from, options.min);
  if (options.max !== undefined) to = Math.min(to, options.max);
  return [from, to];
}

/** About `count` round tick values (1, 2 or 5 × 10^k apart) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/** A tick label: few digits, exponents only for very large or small values. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(1).replace('e+', 'e');
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals).replace('-', '−');
}
