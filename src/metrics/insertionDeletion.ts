import * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from '../model.js';
import { trapezoid, type Curve } from './curves.js';
import { rankPositions, type FeatureLayout } from './layout.js';
import { predictRows } from './predict.js';

export type RevealCurveKind = 'insertion' | 'deletion';

export interface RevealCurvesInput {
  readonly model: ModelAdapter;
  readonly x: tf.Tensor;
  /** What removed (deletion) or not yet revealed (insertion) pixels show, x's shape. */
  readonly baseline: tf.Tensor;
  readonly layout: FeatureLayout;
  readonly targets: readonly number[];
  /** Per method, per example, the pixel saliencies (higher = revealed first / removed first). */
  readonly saliency: ReadonlyMap<string, Float64Array[]>;
  readonly kinds: readonly RevealCurveKind[];
  /** The curve has steps + 1 points: k = round(s · pixels / steps) pixels for s = 0 … steps. */
  readonly steps: number;
  readonly rowsPerCall: number;
  readonly scores: 'probabilities' | 'softmax';
  /** Checked between model calls. */
  readonly signal?: AbortSignal;
}

/**
 * Insertion and deletion curves of every method and example. Insertion starts at the baseline and
 * reveals the most salient pixels of x first; deletion starts at x and replaces the most salient pixels
 * by the baseline first. y = the probability of the explained class; x = the fraction of pixels
 * revealed or removed; AUC by the trapezoid rule. All rows (methods × kinds × steps × examples) go
 * through the model in chunks of `rowsPerCall`, built on the backend from a rank table.
 */
export async function revealCurves(input: RevealCurvesInput): Promise<Map<string, Map<RevealCurveKind, Array<Curve & { auc: number }>>>> {
  const { layout, kinds, steps } = input;
  const methods = [...input.saliency.keys()];
  const [B, P, C, M, K, S] = [layout.examples, layout.pixels, layout.channels, methods.length, kinds.length, steps + 1];
  const counts = Array.from({ length: S }, (_, s) => Math.round((s * P) / steps));
  const ranks = new Float32Array(B * M * P);
  methods.forEach((m, mi) => input.saliency.get(m)!.forEach((sal, b) => ranks.set(rankPositions(sal), (b * M + mi) * P)));
  // Row r = ((b · M + m) · K + kind) · S + s.
  const decode = (r: number) => ({ s: r % S, kind: Math.floor(r / S) % K, bm: Math.floor(r / (S * K)), b: Math.floor(r / (S * K * M)) });
  const rows = B * M * K * S;
  const [x3, base3, rankTable] = tf.tidy(() => [input.x.reshape([B, P, C]), input.baseline.reshape([B, P, C]), tf.tensor2d(ranks, [B * M, P])]);
  let predictions;
  try {
    predictions = await predictRows(
      input.model,
      rows,
      input.rowsPerCall,
      (start, count) => {
        const picked = Array.from({ length: count }, (_, i) => decode(start + i));
        const examples = tf.tensor1d(picked.map((p) => p.b), 'int32');
        const shown = tf.lessEqual(
          tf.gather(rankTable, tf.tensor1d(picked.map((p) => p.bm), 'int32')),
          tf.tensor2d(picked.map((p) => counts[p.s] - 0.5), [count, 1]),
        );
        // Insertion shows x where shown; deletion shows the baseline there.
        const deletion = tf.tensor2d(picked.map((p) => (kinds[p.kind] === 'deletion' ? 1 : 0)), [count, 1], 'bool');
        const fromX = tf.logicalXor(shown, deletion).toFloat().expandDims(2);
        const [xs, bases] = [tf.gather(x3, examples), tf.gather(base3, examples)];
        return tf.add(bases, tf.mul(fromX, tf.sub(xs, bases))).reshape([count, ...input.x.shape.slice(1)]);
      },
      (r) => input.targets[decode(r).b],
      input.scores,
      input.signal,
    );
  } finally {
    tf.dispose([x3, base3, rankTable]);
  }
  const fractions = counts.map((k) => k / P);
  const result = new Map<string, Map<RevealCurveKind, Array<Curve & { auc: number }>>>();
  methods.forEach((m, mi) => {
    const perKind = new Map<RevealCurveKind, Array<Curve & { auc: number }>>();
    kinds.forEach((kind, ki) => {
      perKind.set(
        kind,
        Array.from({ length: B }, (_, b) => {
          const from = ((b * M + mi) * K + ki) * S;
          const y = Array.from(predictions.probability.subarray(from, from + S));
          return { x: [...fractions], y, auc: trapezoid(fractions, y) };
        }),
      );
    });
    result.set(m, perKind);
  });
  return result;
}
