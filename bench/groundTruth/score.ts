// How the ground-truth benchmark scores one attribution: tabular, Spearman's ρ between an example's
// attributions and its true contributions; text, whether the deciding tokens rank first.
import { spearman } from '../../src/metrics/rankCorrelation.js';
import { seededUniform } from '../../src/random.js';
import { keywordsRankedFirst } from './text.js';

/** Mean over examples of Spearman's ρ between attribution rows and true contributions, both `[n, F]` row-major. */
export function meanRankCorrelation(attribution: ArrayLike<number>, truth: readonly number[][]): number {
  const features = truth[0].length;
  const rhos = truth.map((row, r) => spearman(Array.from({ length: features }, (_, i) => attribution[r * features + i]), row));
  const finite = rhos.filter((v) => Number.isFinite(v));
  return finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** Per-token scores: the attribution `[n, T, D]` summed over its embedding axis, `[n][T]`. */
export function tokenScores(attribution: ArrayLike<number>, n: number, length: number, dim: number): number[][] {
  return Array.from({ length: n }, (_, r) =>
    Array.from({ length }, (_, t) => {
      let s = 0;
      for (let d = 0; d < dim; d++) s += attribution[(r * length + t) * dim + d];
      return s;
    }),
  );
}

/** The fraction of sentences whose deciding tokens hold the top places of their token scores. */
export function keywordHitRate(scores: readonly number[][], ids: ArrayLike<number>, length: number, keywords: readonly number[]): number {
  const hits = scores.filter((row, r) => keywordsRankedFirst(row, Array.from({ length }, (_, t) => ids[r * length + t]), keywords));
  return hits.length / scores.length;
}

/** The mean share of |token score| that falls on the deciding tokens, over the sentences. */
export function keywordShare(scores: readonly number[][], ids: ArrayLike<number>, length: number, keywords: readonly number[]): number {
  const shares = scores.map((row, r) => {
    const total = row.reduce((s, v) => s + Math.abs(v), 0);
    const onKeywords = row.reduce((s, v, t) => s + (keywords.includes(ids[r * length + t]) ? Math.abs(v) : 0), 0);
    return total > 0 ? onKeywords / total : 0;
  });
  return shares.reduce((a, b) => a + b, 0) / shares.length;
}

/** The control: uniform random attributions of a given size. */
export function randomAttribution(size: number, seed: number): Float32Array {
  const uniform = seededUniform(seed);
  return Float32Array.from({ length: size }, () => uniform() - 0.5);
}
