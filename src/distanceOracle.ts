import * as tf from '@tensorflow/tfjs';
import { inChunks, inputGradient, targetScores, type GradientOracle } from './oracle.js';
import type { RepresentationProbe } from './representation.js';

/** What IG2 asks of the model, at the same points: the explained output and the representation distance, each with its input gradient. */
export interface DistanceGradients {
  /** The explained output `output[i, target_i]`, `[n]`. */
  readonly value: tf.Tensor1D;
  /** Its input gradient, shaped like the points. */
  readonly grad: tf.Tensor;
  /** ‖h(point_i) − referenceRep_i‖², `[n]`. */
  readonly distance: tf.Tensor1D;
  /** Its input gradient, shaped like the points. */
  readonly distanceGrad: tf.Tensor;
}

/**
 * The oracle's door extended to a representation h (IG2). Shares the gradient oracle's statistics and
 * chunk size. Tensors in, tensors out, no host reads.
 */
export interface DistanceOracle {
  /** h of every row, `[n, D]` (forward only). */
  representation(points: tf.Tensor): tf.Tensor2D;
  /** The explained output per row, `[n]` (forward only). */
  value(points: tf.Tensor, targets: readonly number[]): tf.Tensor1D;
  /**
   * Both scalars and both gradients at the same points, one model call per chunk. A tfjs gradient
   * needs its own recorded forward pass, so each chunk evaluates its points twice in one batch
   * (first copy: output, second copy: distance) and one backward pass gives both gradients. A chunk
   * holds ⌊internalBatchSize / 2⌋ points (at least 1), i.e. at most max(internalBatchSize, 2) rows.
   */
  valueAndGrads(points: tf.Tensor, targets: readonly number[], referenceReps: tf.Tensor2D): DistanceGradients;
}

export function createDistanceOracle(probe: RepresentationProbe, base: GradientOracle): DistanceOracle {
  const { internalBatchSize, stats } = base;
  const checkRows = (points: tf.Tensor, count: number, what: string) => {
    if (count !== points.shape[0]) throw new Error(`internal: ${count} ${what} for ${points.shape[0]} points`);
  };
  return {
    representation(points) {
      return inChunks(points, internalBatchSize, (_, p) => {
        stats.forwardRows += p.shape[0];
        return [probe(p).representation];
      })[0] as tf.Tensor2D;
    },
    value(points, targets) {
      checkRows(points, targets.length, 'targets');
      return inChunks(points, internalBatchSize, (start, p) => {
        stats.forwardRows += p.shape[0];
        return [targetScores(probe(p).output, targets.slice(start, start + p.shape[0]))];
      })[0] as tf.Tensor1D;
    },
    valueAndGrads(points, targets, referenceReps) {
      checkRows(points, targets.length, 'targets');
      checkRows(points, referenceReps.shape[0], 'reference representations');
      const size = Math.max(1, Math.floor(internalBatchSize / 2));
      const [value, grad, distance, distanceGrad] = inChunks(points, size, (start, p) => {
        const m = p.shape[0];
        stats.gradientCalls++;
        stats.gradientRows += 2 * m;
        const rowTargets = targets.slice(start, start + m);
        const reference = referenceReps.slice(start, m);
        const twice = tf.concat([p, p]);
        // The rows are independent, so the gradient of the concatenated [output; distance] vector
        // with respect to `twice` holds each row's own gradient.
        const result = inputGradient(
          () => {
            const { representation, output } = probe(twice);
            const f = targetScores(output.slice(0, m), rowTargets);
            const d = tf.sum(tf.squaredDifference(representation.slice(m, m), reference), 1);
            return tf.concat([f, d]);
          },
          twice,
          false,
        );
        const g = result.grad;
        if (g == null) throw new Error('model: neither its output nor the representation depends differentiably on its input');
        return [result.value.slice(0, m), g.slice(0, m), result.value.slice(m, m), g.slice(m, m)];
      });
      return { value: value as tf.Tensor1D, grad, distance: distance as tf.Tensor1D, distanceGrad };
    },
  };
}
