import * as tf from '@tensorflow/tfjs';
import { checkOneOf, checkPositiveInteger } from '../validate.js';
import { readAll } from '../tensors.js';
import { quadrature, RULES, type Rule } from './rules.js';
import { byExample, yieldToEventLoop, type MethodInput, type MethodResult } from './types.js';

export interface IGOptions {
  /** Gradient evaluations per example (default 50). */
  readonly steps?: number;
  /** How the path integral is approximated (default `'gaussLegendre'`). */
  readonly rule?: Rule;
  /** Keep the path points in the trace. */
  readonly keepPath?: boolean;
}

/**
 * Integrated Gradients (Sundararajan et al. 2017): (x − b) ⊙ ∫₀¹ ∇f(b + α(x − b)) dα on the straight line.
 * The B × steps points are evaluated in chunks of at most `internalBatchSize`, accumulated on the backend.
 */
export async function integratedGradients(input: MethodInput, options: IGOptions = {}): Promise<MethodResult> {
  const steps = checkPositiveInteger('steps', options.steps ?? 50);
  const rule = checkOneOf('rule', options.rule ?? 'gaussLegendre', RULES);
  const { alphas, weights } = quadrature(rule, steps);
  const { oracle, x, baseline, targets } = input;
  const examples = x.shape[0];
  const features = x.size / examples;
  const total = examples * steps;
  const chunk = oracle.internalBatchSize;

  const delta = tf.sub(x, baseline);
  const deltaFlat = delta.reshape([examples, features]);
  const baselineFlat = baseline.reshape([examples, features]);
  let sum: tf.Tensor2D = tf.zeros([examples, features]);
  const values: tf.Tensor[] = [];
  const norms: tf.Tensor[] = [];
  try {
    // Rows are step-major: row j is step ⌊j / B⌋ of example j mod B.
    for (let start = 0; start < total; start += chunk) {
      const rows = Math.min(chunk, total - start);
      const example = Int32Array.from({ length: rows }, (_, i) => (start + i) % examples);
      const step = Array.from({ length: rows }, (_, i) => Math.floor((start + i) / examples));
      const mixing = new Float32Array(examples * rows); // mixing[b, i] = weight of row i in example b's sum
      example.forEach((b, i) => (mixing[b * rows + i] = weights[step[i]]));
      const [next, value, norm] = tf.tidy(() => {
        const index = tf.tensor1d(example, 'int32');
        const alpha = tf.tensor2d(step.map((t) => alphas[t]), [rows, 1]);
        const points = tf.add(tf.gather(baselineFlat, index), tf.mul(alpha, tf.gather(deltaFlat, index)));
        const { value: v, grad } = oracle.valueAndGrad(
          points.reshape([rows, ...x.shape.slice(1)]),
          Array.from(example, (b) => targets[b]),
        );
        const gradFlat = grad.reshape([rows, features]);
        const n = tf.norm(gradFlat, 'euclidean', 1);
        return [tf.add(sum, tf.matMul(tf.tensor2d(mixing, [examples, rows]), gradFlat)) as tf.Tensor2D, v, n];
      });
      sum.dispose();
      sum = next;
      values.push(value);
      norms.push(norm);
      input.onStep?.(Math.floor((start + rows) / examples), steps);
      await yieldToEventLoop();
    }
    const attribution = tf.tidy(() => tf.mul(delta, sum.reshape(x.shape)));
    const [valueData, normData, movedData] = await readAll([
      tf.concat(values),
      tf.concat(norms),
      tf.tidy(() => tf.mean(tf.notEqual(deltaFlat, 0).toFloat(), 1)),
    ]);
    const points = options.keepPath ? straightPath(x, baseline, alphas) : undefined;
    return {
      attribution,
      trace: {
        progress: Array.from({ length: examples }, () => alphas.slice()),
        output: byExample(valueData, examples, steps),
        gradNorm: byExample(normData, examples, steps),
        moved: Array.from({ length: examples }, (_, b) => new Array<number>(steps).fill(movedData[b])),
        points,
      },
    };
  } finally {
    tf.dispose([delta, deltaFlat, baselineFlat, sum, ...values, ...norms]);
  }
}

/** Points b + α(x − b) for every α, `[B, T, ...]`. */
export function straightPath(x: tf.Tensor, baseline: tf.Tensor, alphas: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const along = [1, alphas.length, ...x.shape.slice(1).map(() => 1)];
    const alpha = tf.tensor(alphas as number[], along);
    return tf.add(baseline.expandDims(1), tf.mul(alpha, tf.sub(x, baseline).expandDims(1)));
  });
}
