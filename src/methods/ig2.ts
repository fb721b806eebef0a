import * as tf from '@tensorflow/tfjs';
import { createDistanceOracle } from '../distanceOracle.js';
import { boolean, oneOf, positiveInteger, type OptionCheck } from '../options.js';
import { EXPLAINED_OUTPUTS, representationProbe, type ExplainedOutput, type RepresentationSpec } from '../representation.js';
import { readAll } from '../tensors.js';
import { checkPositiveInteger, describe, fail } from '../validate.js';
import { resolveReferences, type ReferencesSpec } from './ig2References.js';
import { yieldToEventLoop, type MethodInput, type MethodResult } from './types.js';

export interface IG2Options {
  /** Counterfactual references: a tensor `[R, ...]` of one example's shape, or `{ pool, count = 10 }`. Required. */
  readonly references: ReferencesSpec;
  /**
   * The representation h whose distance to each reference GradPath descends: `'penultimate'` (the
   * default: the input of a tf.LayersModel's last Dense layer, or of a tf.GraphModel's last MatMul), a
   * layer name of a tf.LayersModel, a node name of a tf.GraphModel (flattened to `[B, D]`; see
   * `representationNodes`), or a function `(batch) => tf.Tensor [B, D]` (required for function models).
   */
  readonly representation?: RepresentationSpec;
  /** `'model'` (default): the model's output; `'logits'`: the pre-activation of a LayersModel's last layer, as the authors explain. */
  readonly output?: ExplainedOutput;
  /** Path steps K = gradient points per reference (default 201, as the authors). */
  readonly steps?: number;
  /**
   * L2 length η of each step in input space, before clipping. Default: the mean L2 distance from the
   * explicands to their references divided by `steps`, so the whole path is as long as the straight
   * line to a reference: long enough to reach it, short steps for the Riemann sum. (The authors' default,
   * 256, suits 0–255 images of ~270k features; pass it to reproduce their settings.)
   */
  readonly stepSize?: number;
  /**
   * Bounds `[lo, hi]` every path point is clipped to. Default: the smallest and largest value in the
   * explicands and references. Pass the valid input range, e.g. `[0, 1]` or `[0, 255]` (the authors'
   * default), or `[-Infinity, Infinity]` for none.
   */
  readonly clip?: readonly [number, number];
  /** Keep the path points in the trace (`[B, K + 1, R, ...]`). */
  readonly keepPath?: boolean;
}

/** How each IG2 option is checked before a plan runs; `references` and `representation` are checked against x and the model there too. */
export const IG2_OPTIONS = {
  references: (argument, value) => {
    if (!(value instanceof tf.Tensor) && (value === null || typeof value !== 'object' || !('pool' in value))) {
      fail(argument, 'a tensor [R, ...] or { pool, count }', describe(value));
    }
  },
  representation: (argument, value) => {
    if (typeof value !== 'string' && typeof value !== 'function') fail(argument, "'penultimate', a layer or node name, or a function (batch) => tf.Tensor [B, D]", describe(value));
  },
  output: oneOf(EXPLAINED_OUTPUTS),
  steps: positiveInteger,
  stepSize: (_, value) => void checkStepSize(value),
  clip: (_, value) => void checkClip(value),
  keepPath: boolean,
} satisfies Record<Exclude<keyof IG2Options, 'refine'>, OptionCheck>;

/** The distance-gradient norm is floored here; the reference divides by the raw norm and returns NaN at 0. */
export const NORM_FLOOR = 1e-12;
const DEFAULT_LENGTH_FACTOR = 1;

/**
 * IG2 (Zhuo & Ge, TPAMI 2024; pathlens spec ig2.md): for each reference, GradPath walks from x by
 * normalised descent steps on ‖h(γ) − h(reference)‖², clipped to `clip`; the attribution is the left
 * Riemann sum Σ_j (γ_j − γ_{j+1}) ⊙ ∇f(γ_j), averaged over references. The path's end is the GradCF
 * baseline. All examples × references advance together, one batched (chunked) model call per step, on
 * the backend; the host reads once, after the loop.
 *
 * Where this differs from the authors' code, on purpose:
 * - the distance-gradient norm is floored at {@link NORM_FLOOR}: where it vanishes the step is zero
 *   (with a warning) instead of NaN for the whole attribution;
 * - `output` defaults to the model's own output, like every other method; their code explains logits
 *   (`output: 'logits'` for a LayersModel ending in softmax, or a function model returning logits);
 * - `stepSize` and `clip` default to the data's scale instead of 256 and [0, 255];
 * - completeness is reported against f(x) − mean_r f(GradCF_r), the quantity the sum approximates.
 */
export async function ig2(input: MethodInput, options: IG2Options): Promise<MethodResult> {
  if (options == null || options.references === undefined) fail('references', 'IG2 references: a tensor [R, ...] or { pool, count }', 'none');
  const steps = checkPositiveInteger('steps', options.steps ?? 201);
  const clipOption = options.clip === undefined ? undefined : checkClip(options.clip);
  const stepOption = options.stepSize === undefined ? undefined : checkStepSize(options.stepSize);
  const { oracle: base, x, targets } = input;
  if (!input.model) throw new Error('internal: ig2 needs the model adapter');
  const oracle = createDistanceOracle(representationProbe(input.model, options.representation, options.output), base);

  const examples = x.shape[0];
  const exampleShape = x.shape.slice(1);
  const features = x.size / examples;
  const references = await resolveReferences(options.references, x, targets, input.model, base.internalBatchSize);
  const perExample = references.shape[1] as number;
  const n = examples * perExample; // row b·R + r: example b, reference r
  const rowTargets = Array.from({ length: n }, (_, i) => targets[Math.floor(i / perExample)]);
  const owned: tf.Tensor[] = [references];
  try {
    const referencesFlat = references.reshape([n, features]) as tf.Tensor2D;
    const start = tf.tidy(() => tf.tile(x.reshape([examples, 1, features]), [1, perExample, 1]).reshape([n, features]) as tf.Tensor2D);
    owned.push(referencesFlat, start);
    const [lo, hi, stepSize] = await pathScale(start, referencesFlat, steps, clipOption, stepOption);
    const referenceReps = tf.tidy(() => oracle.representation(referencesFlat.reshape([n, ...exampleShape])));
    owned.push(referenceReps);

    let point: tf.Tensor2D = start.clone();
    let sum: tf.Tensor2D = tf.zeros([n, features]);
    let floored: tf.Scalar = tf.scalar(0);
    const perStep: tf.Tensor[] = []; // [n, 6]: output, distance, step length, gradient norm, fraction moved, Σ added
    const kept: tf.Tensor[] = options.keepPath ? [start.reshape([examples, perExample, ...exampleShape])] : [];
    try {
      for (let j = 0; j < steps; j++) {
        const [next, nextSum, nextFloored, record] = tf.tidy(() => {
          const at = oracle.valueAndGrads(point.reshape([n, ...exampleShape]), rowTargets, referenceReps);
          const gradF = at.grad.reshape([n, features]);
          const gradD = at.distanceGrad.reshape([n, features]);
          const norm = tf.norm(gradD, 'euclidean', 1, true);
          const moved = clip(tf.sub(point, tf.mul(gradD, tf.div(stepSize, tf.maximum(norm, NORM_FLOOR)))), lo, hi);
          const step = tf.sub(point, moved);
          const added = tf.mul(step, gradF);
          const stats = tf.stack(
            [at.value, at.distance, tf.norm(step, 'euclidean', 1), tf.norm(gradF, 'euclidean', 1), tf.mean(tf.notEqual(step, 0).toFloat(), 1), tf.sum(added, 1)],
            1,
          );
          return [
            moved as tf.Tensor2D,
            tf.add(sum, added) as tf.Tensor2D,
            tf.add(floored, tf.sum(tf.less(norm, NORM_FLOOR).toFloat())) as tf.Scalar,
            stats,
          ];
        });
        tf.dispose([point, sum, floored]);
        [point, sum, floored] = [next, nextSum, nextFloored];
        perStep.push(record);
        if (options.keepPath) kept.push(point.reshape([examples, perExample, ...exampleShape]));
        input.onStep?.(j + 1, steps);
        await yieldToEventLoop();
      }
      const end = point.reshape([n, ...exampleShape]);
      owned.push(end);
      const endValue = oracle.value(end, rowTargets);
      const endDistance = tf.tidy(() => tf.sum(tf.squaredDifference(oracle.representation(end), referenceReps), 1));
      const attribution = tf.tidy(() => tf.mean(sum.reshape([examples, perExample, features]), 1).reshape(x.shape));
      const gradCF = point.reshape([examples, perExample, ...exampleShape]);
      const points = options.keepPath ? tf.stack(kept, 1) : undefined;
      const [statsData, endValueData, endDistanceData, flooredData] = await readAll([tf.stack(perStep), endValue, endDistance, floored.clone()]);
      const trace = traceOf(statsData, endValueData, endDistanceData, examples, perExample, steps);
      const warnings: string[] = [];
      if (flooredData[0] > 0) {
        warnings.push(
          `ig2: the representation-distance gradient vanished (norm < ${NORM_FLOOR}) at ${flooredData[0]} of ${n * steps} path points ` +
            `(a reference with the explicand's representation, or dead ReLUs); those steps do not move. The reference implementation returns NaN there.`,
        );
        console.warn(warnings[0]);
      }
      const fInput = Array.from({ length: examples }, (_, b) => trace.referenceOutput[b][0][0]);
      const fBaseline = Array.from({ length: examples }, (_, b) => trace.referenceOutput[b][steps].reduce((s, v) => s + v, 0) / perExample);
      return { attribution, trace: { ...trace, points, gradCF, warnings: warnings.length ? warnings : undefined }, completeness: { fInput, fBaseline } };
    } finally {
      tf.dispose([point, sum, floored, ...perStep, ...kept]);
    }
  } finally {
    tf.dispose(owned);
  }
}

function clip(t: tf.Tensor, lo: number, hi: number): tf.Tensor {
  if (lo === -Infinity && hi === Infinity) return t;
  return tf.minimum(tf.maximum(t, lo), hi);
}

function checkClip(value: unknown): [number, number] {
  const ok = Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && !Number.isNaN(v));
  if (!ok) fail('clip', '[lo, hi], two numbers', describe(value));
  const [lo, hi] = value as [number, number];
  if (!(lo < hi)) fail('clip', '[lo, hi] with lo < hi', `[${lo}, ${hi}]`);
  return [lo, hi];
}

function checkStepSize(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail('stepSize', 'a positive finite number', describe(value));
  return value;
}

/** Clip bounds and step length, filling in the data-driven defaults (one host read, before the loop). */
async function pathScale(
  start: tf.Tensor2D,
  references: tf.Tensor2D,
  steps: number,
  clipOption: [number, number] | undefined,
  stepOption: number | undefined,
): Promise<[number, number, number]> {
  if (clipOption && stepOption !== undefined) return [...clipOption, stepOption];
  const [range] = await readAll([
    tf.tidy(() => tf.stack([tf.minimum(tf.min(start), tf.min(references)), tf.maximum(tf.max(start), tf.max(references)), tf.mean(tf.norm(tf.sub(start, references), 'euclidean', 1))])),
  ]);
  const [lo, hi] = clipOption ?? (range[0] < range[1] ? [range[0], range[1]] : [-Infinity, Infinity]);
  return [lo, hi, stepOption ?? (DEFAULT_LENGTH_FACTOR * range[2]) / steps];
}

/** Per-step statistics (rows j·n + b·R + r, columns as in the loop) into per-example arrays. */
function traceOf(stats: Float32Array, endValue: Float32Array, endDistance: Float32Array, examples: number, perExample: number, steps: number) {
  const n = examples * perExample;
  const at = (j: number, b: number, r: number, column: number) => stats[(j * n + b * perExample + r) * 6 + column];
  const refs = Array.from({ length: perExample }, (_, r) => r);
  const grid = (b: number, column: number) => Array.from({ length: steps }, (_, j) => refs.map((r) => at(j, b, r, column)));
  const mean = (rows: number[][]) => rows.map((row) => row.reduce((s, v) => s + v, 0) / perExample);
  const ends = (b: number, data: Float32Array) => refs.map((r) => data[b * perExample + r]);
  const perB = Array.from({ length: examples }, (_, b) => b);
  return {
    progress: perB.map(() => Array.from({ length: steps }, (_, j) => 1 - j / steps)),
    output: perB.map((b) => mean(grid(b, 0))),
    gradNorm: perB.map((b) => mean(grid(b, 3))),
    moved: perB.map((b) => mean(grid(b, 4))),
    stepSum: perB.map((b) => mean(grid(b, 5))),
    referenceDistance: perB.map((b) => [...grid(b, 1), ends(b, endDistance)]),
    referenceOutput: perB.map((b) => [...grid(b, 0), ends(b, endValue)]),
    stepLength: perB.map((b) => grid(b, 2)),
  };
}
