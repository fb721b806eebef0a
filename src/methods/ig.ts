import * as tf from '@tensorflow/tfjs';
import { boolean, oneOf, positiveInteger, type OptionCheck } from '../options.js';
import { readAll } from '../tensors.js';
import { checkOneOf, checkPositiveInteger } from '../validate.js';
import { quadrature, RULES, type Rule } from './rules.js';
import { yieldToEventLoop, type MethodInput, type MethodResult } from './types.js';

export interface IGOptions {
  /** Gradient evaluations per example (default 50). */
  readonly steps?: number;
  /** How the path integral is approximated (default `'gaussLegendre'`). */
  readonly rule?: Rule;
  /** Keep the path points in the trace. */
  readonly keepPath?: boolean;
}

/** How each IG option is checked before a plan runs (`refine` is checked with the path options). */
export const IG_OPTIONS = { steps: positiveInteger, rule: oneOf(RULES), keepPath: boolean } satisfies Record<Exclude<keyof IGOptions, 'refine'>, OptionCheck>;

/**
 * Integrated Gradients (Sundararajan et al. 2017): (x − b) ⊙ ∫₀¹ ∇f(b + α(x − b)) dα on the straight line.
 * The B × steps points go to the model in chunks of whole steps (s steps × e examples ≤ internalBatchSize),
 * made by broadcasting and accumulated as a weighted sum on the backend; the host reads once at the end.
 */
export async function integratedGradients(input: MethodInput, options: IGOptions = {}): Promise<MethodResult> {
  const steps = checkPositiveInteger('steps', options.steps ?? 50);
  const rule = checkOneOf('rule', options.rule ?? 'gaussLegendre', RULES);
  const { alphas, weights } = quadrature(rule, steps);
  const { oracle, x, baseline, targets } = input;
  const examples = x.shape[0];
  const exampleShape = x.shape.slice(1);
  const features = x.size / examples;
  const perGroup = Math.min(examples, oracle.internalBatchSize);
  const stepsPerChunk = Math.max(1, Math.floor(oracle.internalBatchSize / perGroup));

  const delta = tf.sub(x, baseline);
  const groups: Array<{ from: number; size: number; baseline: tf.Tensor; delta: tf.Tensor; sum: tf.Tensor }> = [];
  for (let from = 0; from < examples; from += perGroup) {
    const size = Math.min(perGroup, examples - from);
    const [groupBaseline, groupDelta] = tf.tidy(() => [baseline, delta].map((t) => t.slice(from, size).reshape([1, size, features])));
    groups.push({ from, size, baseline: groupBaseline, delta: groupDelta, sum: tf.zeros([1, size * features]) });
  }
  const values: Array<{ group: number; firstStep: number; value: tf.Tensor; norm: tf.Tensor; added: tf.Tensor }> = [];
  try {
    for (let firstStep = 0; firstStep < steps; firstStep += stepsPerChunk) {
      const s = Math.min(stepsPerChunk, steps - firstStep);
      for (const [index, group] of groups.entries()) {
        const rows = s * group.size; // row i·size + j: step firstStep + i of example from + j
        const rowTargets = Array.from({ length: rows }, (_, i) => targets[group.from + (i % group.size)]);
        const [sum, value, norm, added] = tf.tidy(() => {
          const alpha = tf.tensor3d(alphas.slice(firstStep, firstStep + s), [s, 1, 1]);
          const points = tf.add(group.baseline, tf.mul(alpha, group.delta)).reshape([rows, ...exampleShape]);
          const { value: v, grad } = oracle.valueAndGrad(points, rowTargets);
          const perStep = grad.reshape([s, group.size * features]);
          const weighted = tf.matMul(tf.tensor2d(weights.slice(firstStep, firstStep + s), [1, s]), perStep);
          // What each step adds to Σ attribution: w_t · ∇f(γ_t) · (x − b), per row.
          const stepWeights = tf.tensor2d(weights.slice(firstStep, firstStep + s), [s, 1]);
          const dot = tf.sum(tf.mul(perStep.reshape([s, group.size, features]), group.delta), 2);
          return [tf.add(group.sum, weighted), v, tf.norm(grad.reshape([rows, features]), 'euclidean', 1), tf.mul(dot, stepWeights).reshape([rows])];
        });
        group.sum.dispose();
        group.sum = sum;
        values.push({ group: index, firstStep, value, norm, added });
      }
      input.onStep?.(firstStep + s, steps);
      await yieldToEventLoop();
    }
    const attribution = tf.tidy(() => tf.mul(delta, tf.concat(groups.map((g) => g.sum.reshape([g.size, features]))).reshape(x.shape)));
    const output: number[][] = Array.from({ length: examples }, () => new Array<number>(steps));
    const gradNorm: number[][] = Array.from({ length: examples }, () => new Array<number>(steps));
    const stepSum: number[][] = Array.from({ length: examples }, () => new Array<number>(steps));
    const read = await readAll(values.flatMap((v) => [v.value, v.norm, v.added]));
    values.forEach(({ group, firstStep }, k) => {
      const { from, size } = groups[group];
      read[3 * k].forEach((v, i) => (output[from + (i % size)][firstStep + Math.floor(i / size)] = v));
      read[3 * k + 1].forEach((n, i) => (gradNorm[from + (i % size)][firstStep + Math.floor(i / size)] = n));
      read[3 * k + 2].forEach((a, i) => (stepSum[from + (i % size)][firstStep + Math.floor(i / size)] = a));
    });
    const [moved] = await readAll([tf.tidy(() => tf.mean(tf.notEqual(delta.reshape([examples, features]), 0).toFloat(), 1))]);
    return {
      attribution,
      trace: {
        progress: Array.from({ length: examples }, () => alphas.slice()),
        output,
        gradNorm,
        moved: Array.from(moved, (m) => new Array<number>(steps).fill(m)),
        stepSum,
        points: options.keepPath ? straightPath(x, baseline, alphas) : undefined,
      },
    };
  } finally {
    tf.dispose([delta, ...groups.flatMap((g) => [g.baseline, g.delta, g.sum]), ...values.flatMap((v) => [v.value, v.norm, v.added])]);
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
