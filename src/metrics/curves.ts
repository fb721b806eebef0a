/**
 * Pure curve arithmetic shared by the metrics: trapezoid AUC, the quantile and interpolation rules of
 * the PIC reference (numpy/scipy semantics, spec guided-ig.md §4), and the per-point aggregation.
 * Host-side float64, no tensors.
 */

/** A curve: `y[i]` at `x[i]`. */
export interface Curve {
  readonly x: number[];
  readonly y: number[];
}

/** ∫ y dx by the trapezoid rule (numpy.trapz). */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error(`internal: trapezoid of ${x.length} x and ${y.length} y`);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/** numpy.quantile(values, q) with the default linear interpolation. */
export function quantileLinear(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  // numpy's virtual index for 'linear' (alpha = beta = 1), in numpy's operation order: n·q + (1 − q) − 1.
  const position = n * q + (1 + q * -1) - 1;
  const lo = Math.max(0, Math.min(Math.floor(position), n - 1));
  const hi = Math.min(lo + 1, n - 1);
  const t = position - lo;
  // numpy's _lerp: a + (b − a)·t, and b − (b − a)·(1 − t) when t ≥ 0.5.
  const [a, b] = [sorted[lo], sorted[hi]];
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/**
 * scipy.interpolate.interp1d(x, y) (linear) evaluated at `at`: the nodes are sorted by x with a stable
 * sort; at an x shared by several nodes the last of them (in that order) gives y; strictly between
 * nodes, linear between the last node ≤ x and the next. `at` must lie within [min x, max x].
 */
export function interpolateStable(nodesX: readonly number[], nodesY: readonly number[], at: readonly number[]): number[] {
  const order = nodesX.map((_, i) => i).sort((i, j) => nodesX[i] - nodesX[j] || i - j);
  const xs = order.map((i) => nodesX[i]);
  const ys = order.map((i) => nodesY[i]);
  return at.map((x) => {
    if (x < xs[0] || x > xs[xs.length - 1]) throw new Error(`internal: ${x} outside the curve's x range`);
    let j = xs.length - 1;
    while (xs[j] > x) j--; // the last node ≤ x
    if (xs[j] === x || j === xs.length - 1) return ys[j];
    const slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]);
    return slope * (x - xs[j]) + ys[j];
  });
}

/** numpy.linspace(0, 1, n, endpoint=False): k · (1/n). */
export function gridExcludingOne(n: number): number[] {
  const step = 1 / n;
  return Array.from({ length: n }, (_, k) => k * step);
}

/** Per-x median (numpy.median: the mean of the two middle values for an even count) or mean of several curves' y. */
export function aggregateY(ys: readonly (readonly number[])[], method: 'median' | 'mean'): number[] {
  if (ys.length === 0) throw new Error('results: expected at least one curve to aggregate, got none');
  return ys[0].map((_, i) => {
    const column = ys.map((y) => y[i]);
    if (method === 'mean') return column.reduce((a, b) => a + b, 0) / column.length;
    column.sort((a, b) => a - b);
    const mid = column.length >> 1;
    return column.length % 2 === 1 ? column[mid] : (column[mid - 1] + column[mid]) / 2;
  });
}
