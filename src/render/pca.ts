/**
 * The first two principal components of a set of points (rows of equal length), by power iteration on
 * the centred data (never forming the D × D covariance): cheap for a few thousand path points of a few
 * thousand features. Deterministic.
 */
export interface Projection {
  /** Each row's coordinates on the two components. */
  readonly coords: Array<[number, number]>;
  /** Fraction of the total variance along each component. */
  readonly explained: [number, number];
}

export function pca2(rows: readonly ArrayLike<number>[], iterations = 300): Projection {
  const n = rows.length;
  if (n === 0) return { coords: [], explained: [0, 0] };
  const d = rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== d) throw new Error(`rows[${i}]: expected ${d} values like rows[0], got ${r.length}`);
  });
  const mean = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) mean[k] += r[k] / n;
  const centred = rows.map((r) => Float64Array.from({ length: d }, (_, k) => r[k] - mean[k]));
  let total = 0;
  for (const r of centred) for (let k = 0; k < d; k++) total += r[k] * r[k];
  const components: Float64Array[] = [];
  const variances: number[] = [];
  for (let c = 0; c < 2; c++) {
    let v: Float64Array | undefined = Float64Array.from({ length: d }, (_, k) => Math.sin(1 + k * (c + 1.618)));
    let variance = 0;
    for (let it = 0; it < iterations && v; it++) {
      v = unitOrthogonal(v, components);
      if (!v) break;
      const next = new Float64Array(d);
      let sq = 0;
      for (const r of centred) {
        let p = 0;
        for (let k = 0; k < d; k++) p += r[k] * v[k];
        sq += p * p;
        for (let k = 0; k < d; k++) next[k] += p * r[k];
      }
      if (!(sq > 1e-12 * total)) {
        v = undefined; // nothing left in the data beyond the earlier components
        break;
      }
      const converged = Math.abs(sq - variance) <= 1e-12 * sq;
      variance = sq;
      if (converged) break;
      v = next;
    }
    components.push(v ? (unitOrthogonal(v, components) ?? new Float64Array(d)) : new Float64Array(d));
    variances.push(v ? variance : 0);
  }
  const coords = centred.map((r) => components.map((u) => r.reduce((s, x, k) => s + x * u[k], 0)) as [number, number]);
  const explained = variances.map((v) => (total > 0 ? v / total : 0)) as [number, number];
  return { coords, explained };
}

/** v without its parts along `components` (twice, for accuracy), of length 1; undefined if nothing is left. */
function unitOrthogonal(v: Float64Array, components: readonly Float64Array[]): Float64Array | undefined {
  const before = l2(v);
  const out = Float64Array.from(v);
  for (let pass = 0; pass < 2; pass++) for (const u of components) orthogonalise(out, u);
  const norm = l2(out);
  if (!(norm > 1e-9 * before)) return undefined;
  return out.map((x) => x / norm);
}

function orthogonalise(v: Float64Array, u: Float64Array): void {
  let dot = 0;
  for (let k = 0; k < v.length; k++) dot += v[k] * u[k];
  for (let k = 0; k < v.length; k++) v[k] -= dot * u[k];
}

function l2(v: Float64Array): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  return Math.sqrt(s);
}
