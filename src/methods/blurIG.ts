import * as tf from '@tensorflow/tfjs';
import { boolean, inRange, positiveInteger, type OptionCheck } from '../options.js';
import { readAll } from '../tensors.js';
import { checkInRange, checkPositiveInteger, fail } from '../validate.js';
import { applySeparable, blurDifference, blurOperator, type SeparableOperator } from './gaussianBlur.js';
import { byExample, yieldToEventLoop, type MethodInput, type MethodResult } from './types.js';

export interface BlurIGOptions {
  /** The largest blur σ, in pixels; the path ends at the image blurred with it (default 50). */
  readonly maxSigma?: number;
  /** Gradient evaluations per example (default 100). */
  readonly steps?: number;
  /** The σ increment of the forward difference that gives the path's direction (default 0.01). */
  readonly gradStep?: number;
  /** Keep the path points in the trace. */
  readonly keepPath?: boolean;
}

/** How each Blur IG option is checked before a plan runs (`refine` is checked with the path options). */
export const BLUR_IG_OPTIONS = {
  maxSigma: inRange(0, Number.MAX_VALUE, true),
  steps: positiveInteger,
  gradStep: inRange(0, Number.MAX_VALUE, true),
  keepPath: boolean,
} satisfies Record<Exclude<keyof BlurIGOptions, 'refine'>, OptionCheck>;

/**
 * Blur IG (Xu et al., CVPR 2020), as PAIR saliency computes it (pathlens spec guided-ig.md §3): the path
 * runs from the image (σ = 0) to its Gaussian blur at σ = maxSigma over σ_i = i·maxSigma/steps;
 * A = −Σ_i Δσ_i · D_i ⊙ ∇f(B(x, σ_i)), with D_i = (B(x, σ_i + gradStep) − B(x, σ_i)) / gradStep.
 *
 * Differences from the reference, on purpose: each step is weighted by its own Δσ_i (the reference uses
 * the last Δσ of each batch); there is no `sqrt` schedule; the difference D_i is formed from float64
 * blur matrices, so the float32 backend never subtracts two nearly equal images. Kept from the
 * reference: steps whose σ_i + gradStep < 0.125 see no blur (radius 0) and contribute nothing.
 */
export async function blurIG(input: MethodInput, options: BlurIGOptions = {}): Promise<MethodResult> {
  const maxSigma = checkInRange('maxSigma', options.maxSigma ?? 50, 0, Number.MAX_VALUE, true);
  const steps = checkPositiveInteger('steps', options.steps ?? 100);
  const gradStep = checkInRange('gradStep', options.gradStep ?? 0.01, 0, Number.MAX_VALUE, true);
  const { oracle, targets } = input;
  if (input.x.rank !== 4) fail('x', 'images [B, H, W, C] for Blur IG (it blurs over H and W)', `shape [${input.x.shape.join(', ')}]`);
  const x = input.x as tf.Tensor4D;
  const [examples, height, width] = x.shape;
  const sigmas = Array.from({ length: steps + 1 }, (_, i) => (i * maxSigma) / steps);
  const chunk = Math.max(1, Math.floor(oracle.internalBatchSize / examples));

  let sum = tf.zeros(x.shape);
  const perStep: tf.Tensor[] = []; // [S·B, 4]: output, gradient norm, fraction moving (D_i ≠ 0), Σ added
  const kept: tf.Tensor[] = [];
  try {
    for (let first = 0; first < steps; first += chunk) {
      const count = Math.min(chunk, steps - first);
      const at = Array.from({ length: count }, (_, s) => first + s);
      const operators: SeparableOperator[] = [
        ...at.map((i) => blurOperator(height, width, sigmas[i])),
        ...at.flatMap((i) => blurDifference(height, width, sigmas[i], gradStep)),
      ];
      const rows = count * examples;
      const weights = at.flatMap((i) => new Array<number>(examples).fill(sigmas[i + 1] - sigmas[i]));
      const [next, record, points] = tf.tidy(() => {
        const blurred = applySeparable(x, operators);
        const here = blurred.slice(0, rows);
        // Rows of the two difference terms interleave per step: step s has terms 2s and 2s + 1.
        const terms = blurred.slice(rows, 2 * rows).reshape([count, 2, examples, -1]);
        const direction = tf.sum(terms, 1).reshape([rows, -1]);
        const { value, grad } = oracle.valueAndGrad(here, Array.from({ length: rows }, (_, r) => targets[r % examples]));
        const gradFlat = grad.reshape([rows, -1]);
        const weighted = tf.mul(tf.mul(direction, gradFlat), tf.tensor2d(weights, [rows, 1]));
        const stats = tf.stack(
          [value, tf.norm(gradFlat, 'euclidean', 1), tf.mean(tf.notEqual(direction, 0).toFloat(), 1), tf.neg(tf.sum(weighted, 1))],
          1,
        );
        // Σ over the chunk's steps as a [1, S] × [S, B·N] product (a reduction over the first axis transposes first).
        const stepTotal = tf.matMul(tf.ones([1, count]), weighted.reshape([count, -1]));
        return [tf.sub(sum, stepTotal.reshape(x.shape)), stats, options.keepPath ? here.reshape([count, examples, -1]) : undefined];
      });
      sum.dispose();
      sum = next;
      perStep.push(record);
      if (points) kept.push(points);
      input.onStep?.(first + count, steps);
      await yieldToEventLoop();
    }
    const baseline = applySeparable(x, [blurOperator(height, width, sigmas[steps])]);
    const [statsData, fBaseline] = await readAll([tf.concat(perStep), tf.tidy(() => oracle.value(baseline, targets))]);
    baseline.dispose();
    const column = (c: number) => byExample(Float32Array.from({ length: steps * examples }, (_, r) => statsData[r * 4 + c]), examples, steps);
    const points = kept.length
      ? tf.tidy(() => tf.transpose(tf.concat(kept), [1, 0, 2]).reshape([examples, steps, ...x.shape.slice(1)]))
      : undefined;
    return {
      attribution: sum,
      trace: {
        progress: Array.from({ length: examples }, () => sigmas.slice(0, steps).map((s) => 1 - s / maxSigma)),
        output: column(0),
        gradNorm: column(1),
        moved: column(2),
        stepSum: column(3),
        points,
      },
      completeness: { fBaseline },
    };
  } catch (error) {
    sum.dispose();
    throw error;
  } finally {
    tf.dispose([...perStep, ...kept]);
  }
}
