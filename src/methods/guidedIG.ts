import * as tf from '@tensorflow/tfjs';
import { boolean, inRange, positiveInteger, type OptionCheck } from '../options.js';
import { readAll } from '../tensors.js';
import { checkInRange, checkPositiveInteger } from '../validate.js';
import { GuidedPath } from './guidedPath.js';
import { yieldToEventLoop, type MethodInput, type MethodResult } from './types.js';

export interface GuidedIGOptions {
  /** Gradient evaluations per example (default 200). */
  readonly steps?: number;
  /** Fraction of all features considered for moving in each selection round, in (0, 1] (default 0.25). */
  readonly fraction?: number;
  /** How far (in path progress α) a feature may stray from the straight line, in [0, 1] (default 0.02). 0 gives IG. */
  readonly maxDist?: number;
  /** Keep the path points in the trace. */
  readonly keepPath?: boolean;
}

/** How each Guided IG option is checked before a plan runs (`refine` is checked with the path options). */
export const GUIDED_IG_OPTIONS = {
  steps: positiveInteger,
  fraction: inRange(0, 1, true),
  maxDist: inRange(0, 1),
  keepPath: boolean,
} satisfies Record<Exclude<keyof GuidedIGOptions, 'refine'>, OptionCheck>;

/**
 * Guided Integrated Gradients (Kapishnikov et al., CVPR 2021): an adaptive path that first moves the
 * features whose gradients are smallest, integrated with a left Riemann sum.
 *
 * Completeness: the gap does not vanish as steps grow. Within one step a feature can jump by up to
 * 2·maxDist of its range while the gradient is held at the step's start, so the left-Riemann error
 * scales with maxDist (on @vladmandic/human's emotion model at 400 steps: gap 0.009 at maxDist 0.0025,
 * 0.064 at 0.02, 0.17 at 0.04). The reference computes the same path; maxDist 0 gives IG's O(1/steps).
 *
 * The steps cannot be batched: where step t+1 evaluates depends on the gradient of step t. What can be
 * shared is the model: all examples take one gradient call per step. The schedule runs on the host in
 * float64 (it needs every gradient value there anyway); the gradients come from the backend.
 */
export async function guidedIG(input: MethodInput, options: GuidedIGOptions = {}): Promise<MethodResult> {
  const steps = checkPositiveInteger('steps', options.steps ?? 200);
  const fraction = checkInRange('fraction', options.fraction ?? 0.25, 0, 1, true);
  const maxDist = checkInRange('maxDist', options.maxDist ?? 0.02, 0, 1, false);
  const { oracle, x, baseline, targets } = input;
  const examples = x.shape[0];
  const featureShape = x.shape.slice(1);
  const features = x.size / examples;

  const [xData, baselineData] = await Promise.all([x.data(), baseline.data()]);
  const paths = Array.from(
    { length: examples },
    (_, b) =>
      new GuidedPath(
        Float64Array.from(xData.subarray(b * features, (b + 1) * features)),
        Float64Array.from(baselineData.subarray(b * features, (b + 1) * features)),
        { steps, fraction, maxDist },
      ),
  );
  const live = paths.map((path, b) => (path.empty ? -1 : b)).filter((b) => b >= 0);
  const trace = {
    progress: paths.map(() => new Array<number>(steps).fill(1)),
    output: paths.map(() => new Array<number>(steps).fill(NaN)),
    gradNorm: paths.map(() => new Array<number>(steps).fill(0)),
    moved: paths.map(() => new Array<number>(steps).fill(0)),
    stepSum: paths.map(() => new Array<number>(steps).fill(0)),
  };
  const kept = options.keepPath ? new Float32Array(examples * steps * features) : undefined;
  if (kept) for (let b = 0; b < examples; b++) for (let t = 0; t < steps; t++) kept.set(xData.subarray(b * features, (b + 1) * features), (b * steps + t) * features);

  const batch = new Float32Array(live.length * features);
  for (let t = 0; t < steps && live.length > 0; t++) {
    live.forEach((b, row) => {
      batch.set(paths[b].position, row * features);
      trace.progress[b][t] = paths[b].progress();
      if (kept) kept.set(batch.subarray(row * features, (row + 1) * features), (b * steps + t) * features);
    });
    const [gradients, values] = await gradientsAt(input, batch, live, featureShape);
    live.forEach((b, row) => {
      const gradient = gradients.subarray(row * features, (row + 1) * features);
      trace.output[b][t] = values[row];
      trace.gradNorm[b][t] = l2Norm(gradient);
      trace.moved[b][t] = paths[b].step(t, gradient);
      trace.stepSum[b][t] = paths[b].stepSum;
    });
    input.onStep?.(t + 1, steps);
    await yieldToEventLoop();
  }
  const attribution = new Float32Array(examples * features);
  paths.forEach((path, b) => attribution.set(path.attribution, b * features));
  return {
    attribution: tf.tensor(attribution, x.shape),
    trace: { ...trace, points: kept ? tf.tensor(kept, [examples, steps, ...featureShape]) : undefined },
  };
}

async function gradientsAt(
  input: MethodInput,
  batch: Float32Array,
  live: number[],
  featureShape: number[],
): Promise<[Float32Array, Float32Array]> {
  const { value, grad } = tf.tidy(() =>
    input.oracle.valueAndGrad(tf.tensor(batch, [live.length, ...featureShape]), live.map((b) => input.targets[b])),
  );
  const [g, v] = await readAll([grad, value]);
  return [g, v];
}

function l2Norm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}
