import * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from './model.js';

/**
 * The only door from methods to the model: the explained scalar `output[i, target[i]]` and its
 * gradient with respect to the input, for a batch of points. Tensors in, tensors out, no host reads.
 * A call never evaluates more than `internalBatchSize` points at once.
 */
export interface GradientOracle {
  readonly numClasses: number;
  readonly internalBatchSize: number;
  /** Row i is explained for class `targets[i]`. Returns values `[n]` and gradients shaped like `points`. */
  valueAndGrad(points: tf.Tensor, targets: readonly number[]): { value: tf.Tensor1D; grad: tf.Tensor };
  /** Forward only: the explained scalar per row, `[n]`. */
  value(points: tf.Tensor, targets: readonly number[]): tf.Tensor1D;
  /** Model evaluations so far: calls made and points (rows) evaluated, forward and gradient. */
  readonly stats: { gradientCalls: number; gradientRows: number; forwardRows: number };
}

export function clearGradientError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const kernel = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(message);
  if (kernel) {
    return new Error(
      `backend: the '${kernel[2]}' backend has no '${kernel[1]}' kernel, which the input gradient of this model needs. ` +
        `Run on another backend (PATHLENS_BACKEND=cpu, or tf.setBackend('cpu')).`,
    );
  }
  if (message.includes('Cannot compute gradient of y=f(x)')) {
    return new Error('model: its output does not depend differentiably on its input (no gradient path from the input to the output)');
  }
  return error instanceof Error ? error : new Error(message);
}

export function createOracle(model: ModelAdapter, numClasses: number, internalBatchSize: number): GradientOracle {
  const stats = { gradientCalls: 0, gradientRows: 0, forwardRows: 0 };
  // The target is picked with a one-hot product, not gather: gather's gradient (UnsortedSegmentSum)
  // is missing on some backends.
  const explained = (points: tf.Tensor, oneHot: tf.Tensor) => tf.sum(tf.mul(model.forward(points), oneHot), 1) as tf.Tensor1D;
  const oneHotOf = (targets: readonly number[]) => {
    const hot = new Float32Array(targets.length * numClasses);
    targets.forEach((t, i) => (hot[i * numClasses + t] = 1));
    return tf.tensor2d(hot, [targets.length, numClasses]);
  };
  const inChunks = <T extends tf.Tensor[]>(points: tf.Tensor, targets: readonly number[], run: (p: tf.Tensor, t: readonly number[]) => T): T => {
    const n = points.shape[0];
    if (targets.length !== n) throw new Error(`internal: ${targets.length} targets for ${n} points`);
    if (n <= internalBatchSize) return run(points, targets);
    const parts: T[] = [];
    for (let start = 0; start < n; start += internalBatchSize) {
      const size = Math.min(internalBatchSize, n - start);
      parts.push(tf.tidy(() => run(points.slice(start, size), targets.slice(start, start + size))));
    }
    const joined = parts[0].map((_, k) => tf.concat(parts.map((p) => p[k]))) as T;
    parts.forEach((p) => tf.dispose(p));
    return joined;
  };
  return {
    numClasses,
    internalBatchSize,
    stats,
    valueAndGrad(points, targets) {
      const [value, grad] = inChunks(points, targets, (p, t) =>
        tf.tidy(() => {
          stats.gradientCalls++;
          stats.gradientRows += p.shape[0];
          const oneHot = oneHotOf(t);
          try {
            const { value: v, grad: g } = tf.valueAndGrad((q: tf.Tensor) => explained(q, oneHot))(p);
            return [v, g] as [tf.Tensor, tf.Tensor];
          } catch (error) {
            throw clearGradientError(error);
          }
        }),
      );
      return { value: value as tf.Tensor1D, grad };
    },
    value(points, targets) {
      const [value] = inChunks(points, targets, (p, t) =>
        tf.tidy(() => {
          stats.forwardRows += p.shape[0];
          return [explained(p, oneHotOf(t))] as [tf.Tensor];
        }),
      );
      return value as tf.Tensor1D;
    },
  };
}
