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

export const NOT_DIFFERENTIABLE = 'model: its output does not depend differentiably on its input (no gradient path from the input to the output)';

export function clearGradientError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const kernel = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(message);
  if (kernel) {
    return new Error(
      `backend: the '${kernel[2]}' backend has no '${kernel[1]}' kernel, which the input gradient of this model needs. ` +
        `Run on another backend (PATHLENS_BACKEND=cpu, or tf.setBackend('cpu')).`,
    );
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
  const perChunk = <T extends tf.Tensor[]>(points: tf.Tensor, targets: readonly number[], run: (p: tf.Tensor, t: readonly number[]) => T): T => {
    if (targets.length !== points.shape[0]) throw new Error(`internal: ${targets.length} targets for ${points.shape[0]} points`);
    return inChunks(points, internalBatchSize, (start, p) => run(p, targets.slice(start, start + p.shape[0])));
  };
  return {
    numClasses,
    internalBatchSize,
    stats,
    valueAndGrad(points, targets) {
      const [value, grad] = perChunk(points, targets, (p, t) =>
        tf.tidy(() => {
          stats.gradientCalls++;
          stats.gradientRows += p.shape[0];
          const oneHot = oneHotOf(t);
          let result: { value: tf.Tensor; grads: tf.Tensor[] };
          try {
            // allowNoGradients: tf.valueAndGrad throws from inside the engine and leaks a tensor when the
            // output does not depend on the input; we check for the missing gradient ourselves.
            result = tf.engine().gradients(() => explained(p, oneHot), [p], undefined, true);
          } catch (error) {
            throw clearGradientError(error);
          }
          if (result.grads[0] == null) throw new Error(NOT_DIFFERENTIABLE);
          return [result.value, result.grads[0]] as [tf.Tensor, tf.Tensor];
        }),
      );
      return { value: value as tf.Tensor1D, grad };
    },
    value(points, targets) {
      const [value] = perChunk(points, targets, (p, t) =>
        tf.tidy(() => {
          stats.forwardRows += p.shape[0];
          return [explained(p, oneHotOf(t))] as [tf.Tensor];
        }),
      );
      return value as tf.Tensor1D;
    },
  };
}

/** Runs `run` on consecutive slices of at most `size` rows (each in its own tidy) and concatenates each output. */
export function inChunks<T extends tf.Tensor[]>(batch: tf.Tensor, size: number, run: (start: number, rows: tf.Tensor) => T): T {
  const n = batch.shape[0];
  if (n <= size) return tf.tidy(() => run(0, batch));
  const parts: T[] = [];
  for (let start = 0; start < n; start += size) {
    parts.push(tf.tidy(() => run(start, batch.slice(start, Math.min(size, n - start)))));
  }
  const joined = parts[0].map((_, k) => tf.concat(parts.map((p) => p[k]))) as T;
  parts.forEach((p) => tf.dispose(p));
  return joined;
}

/** The model's scores `[B, K]` for a batch, evaluated in chunks of at most `internalBatchSize` rows. */
export function scoresOf(model: ModelAdapter, batch: tf.Tensor, internalBatchSize: number): tf.Tensor2D {
  const [scores] = inChunks(batch, internalBatchSize, (_, rows) => [tf.tidy(() => model.forward(rows))]);
  return scores as tf.Tensor2D;
}
