import * as tf from '@tensorflow/tfjs';
import { defaultInternalBatchSize } from './backend/memory.js';
import { checkBaselineSpec } from './baseline.js';
import type { ExplainOptions, PlanStep } from './explain.js';
import { BLUR_IG_OPTIONS } from './methods/blurIG.js';
import { GUIDED_IG_OPTIONS } from './methods/guidedIG.js';
import { IG_OPTIONS } from './methods/ig.js';
import { IG2_OPTIONS } from './methods/ig2.js';
import { checkReferences } from './methods/ig2References.js';
import { SMOOTH_GRAD_OPTIONS } from './methods/smoothGrad.js';
import type { ModelAdapter } from './model.js';
import { anything, checkOptions, oneOf, positiveInteger, refineOption, type OptionCheck, type OptionSchema } from './options.js';
import { estimatePlan, planLimits, where, type PlanEstimate } from './planEstimate.js';
import { measureCold, measureWarm } from './planRate.js';
import { representationProbe } from './representation.js';
import { checkFinite, describe, fail, firstNonFiniteExample } from './validate.js';

const target: OptionCheck = (argument, value) => {
  // The classes themselves are checked against the model's outputs once they are known.
  const index = (v: unknown) => typeof v === 'number';
  if (value !== 'predicted' && !index(value) && !((Array.isArray(value) || ArrayBuffer.isView(value)) && Array.from(value as ArrayLike<unknown>).every(index))) {
    fail(argument, "'predicted', a class index or an array of class indices", describe(value));
  }
};

/** explain()'s own options; `layer` is checked where it is used. */
export const EXPLAIN_OPTIONS: OptionSchema = { target, internalBatchSize: positiveInteger, layer: anything };

/** What SmoothGrad may run, with the options each takes in `ofOptions`. */
const INNER_OPTIONS: Readonly<Record<string, OptionSchema>> = {
  gradient: {},
  gradientXInput: {},
  ig: { ...IG_OPTIONS, refine: refineOption },
  guidedIG: { ...GUIDED_IG_OPTIONS, refine: refineOption },
};

const label: OptionCheck = (argument, value) => {
  if (typeof value !== 'string' || value === '') fail(argument, 'a non-empty string', describe(value));
};

function schemaOf(method: PlanStep['method'], xShape: readonly number[]): OptionSchema {
  const baseline: OptionCheck = (argument, value) => checkBaselineSpec(value, xShape, argument);
  const common = { label, baseline };
  switch (method) {
    case 'gradient':
    case 'gradientXInput':
      return common;
    case 'ig':
      return { ...IG_OPTIONS, ...common, refine: refineOption };
    case 'guidedIG':
      return { ...GUIDED_IG_OPTIONS, ...common, refine: refineOption };
    case 'ig2':
      return { ...IG2_OPTIONS, label, refine: refineOption };
    case 'blurIG':
      return { ...BLUR_IG_OPTIONS, label, refine: refineOption };
    case 'smoothGrad':
      return { ...SMOOTH_GRAD_OPTIONS, ...common, of: oneOf(Object.keys(INNER_OPTIONS)), ofOptions: anything };
  }
}

export interface CheckedPlan {
  readonly model: ModelAdapter;
  /** x as float32 (a new tensor the caller disposes). */
  readonly x: tf.Tensor;
  readonly labels: string[];
  readonly internalBatchSize: number;
  /** The model's scores `[B, K]` on x, from the measuring call (a new tensor the caller disposes). */
  readonly scores: tf.Tensor2D;
  readonly estimate: PlanEstimate;
}

/**
 * Checks the whole plan before any of it runs: explain()'s and every method's options (types, ranges,
 * misspelt keys), x against the model's input, IG2's references and representation, then one model call
 * on the first rows of x that measures the gradient rate and footprint (two more, warm, for estimate()
 * and when the plan looks over the time limit), and the plan's time and memory.
 * Throws the first problem, naming the method and option. With `strict: false` (estimate()), a plan over
 * a limit is returned with its `problems` instead.
 */
export async function checkPlan(
  model: ModelAdapter,
  xLike: unknown,
  options: ExplainOptions,
  steps: readonly PlanStep[],
  { maxSeconds, strict = true }: { maxSeconds?: number; strict?: boolean } = {},
): Promise<CheckedPlan> {
  checkOptions('explain()', options, EXPLAIN_OPTIONS);
  const labels = steps.map((s) => s.options?.label ?? s.method);
  if (labels.length === 0) fail('explain', 'at least one method, e.g. explain(model, x).ig()', 'none');
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice) fail('label', `a distinct label for each method ('${twice}' is used twice)`);
  const internalBatchSize = options.internalBatchSize ?? defaultInternalBatchSize();
  if (maxSeconds !== undefined && !(typeof maxSeconds === 'number' && maxSeconds > 0)) fail('maxSeconds', 'a positive number of seconds', describe(maxSeconds));
  const shape = checkInput(xLike);
  checkModelInput(model, shape);
  steps.forEach((step, i) => checkStep(step, labels[i], model, shape));
  const sizes = { examples: shape[0], features: shape.slice(1).reduce((a, b) => a * b, 1), xShape: shape, rows: internalBatchSize };
  const limits = planLimits(maxSeconds);
  // Memory that does not depend on the model is known now: absurd plans fail before any model call.
  const before = estimatePlan(steps, labels, sizes, { rows: 0, secondsPerCall: 0, secondsPerRow: 0, bytesPerRow: 0, warm: false }, limits);
  if (strict && before.problems.length > 0) throw new Error(before.problems[0]);

  const x = (xLike as tf.Tensor).toFloat();
  try {
    await checkFinite('x', x);
    for (const [i, step] of steps.entries()) await checkValues(step, labels[i]);
    const { scores, rate } = await measureCold(model, x, internalBatchSize);
    try {
      const bad = await firstNonFiniteExample(scores);
      if (bad >= 0) throw new Error(`model: its output on x is NaN or Infinity (example ${bad}), so no method can explain it; checked before running any`);
      await verifyRepresentations(steps, labels, model, x);
      let estimate = estimatePlan(steps, labels, sizes, rate, limits);
      if (!strict || estimate.seconds > limits.seconds) {
        // A first call includes one-off work (weight packing, kernel set-up, shader compilation) and
        // overstates the rate (up to 15× on the digits CNN on wasm): estimate(), and a plan about to be
        // refused, are timed on two warm calls that separate a call's fixed cost from a row's.
        estimate = estimatePlan(steps, labels, sizes, await measureWarm(model, x, rate, internalBatchSize), limits);
      }
      if (strict && estimate.problems.length > 0) throw new Error(estimate.problems[0]);
      return { model, x, labels, internalBatchSize, scores, estimate };
    } catch (error) {
      scores.dispose();
      throw error;
    }
  } catch (error) {
    x.dispose();
    throw error;
  }
}

function checkInput(x: unknown): number[] {
  if (!(x instanceof tf.Tensor)) fail('x', 'a tf.Tensor with a batch axis [B, ...]', describe(x));
  if (x.rank < 2) fail('x', 'a batch axis: shape [B, ...] with rank ≥ 2 (use x.expandDims(0) for one example)', `shape [${x.shape.join(', ')}]`);
  if (x.shape[0] === 0 || x.size === 0) fail('x', 'at least one example with at least one feature', `shape [${x.shape.join(', ')}]`);
  return x.shape;
}

/** x against the input a LayersModel or GraphModel declares (a function model says nothing: the measuring call checks it). */
function checkModelInput(model: ModelAdapter, shape: readonly number[]): void {
  if (model.kind === 'function') return;
  const inputs = (model.source as tf.LayersModel | tf.GraphModel).inputs;
  if (inputs.length !== 1) fail('model', 'a model with one input', `${inputs.length} inputs`);
  const declared = inputs[0].shape as Array<number | null> | undefined;
  if (!declared) return;
  const fixed = (d: number | null | undefined) => typeof d === 'number' && d >= 0;
  const fits = declared.length === shape.length && declared.every((d, i) => i === 0 || !fixed(d) || d === shape[i]);
  if (!fits) {
    const wanted = declared.map((d, i) => (i === 0 ? 'B' : fixed(d) ? d : '?')).join(', ');
    fail('x', `shape [${wanted}] (the model's input)`, `[${shape.join(', ')}]`);
  }
}

function checkStep(step: PlanStep, label: string, model: ModelAdapter, shape: readonly number[]): void {
  const at = where(step, label);
  const o = step.options as Record<string, unknown>;
  checkOptions(at, o, schemaOf(step.method, shape));
  const named = (check: () => void) => {
    try {
      check();
    } catch (error) {
      if (error instanceof Error) error.message = `${at}: ${error.message}`;
      throw error;
    }
  };
  const trapezoid = (options: Record<string, unknown> | undefined, name: string) => {
    if (options?.rule === 'riemannTrapezoid' && options.steps === 1) named(() => fail(`${name}steps`, "at least 2 for rule 'riemannTrapezoid'", '1'));
  };
  if (step.method === 'ig') trapezoid(o, '');
  if (step.method === 'smoothGrad') {
    const of = (o.of as string | undefined) ?? 'gradient';
    checkOptions(`${at} ofOptions (of '${of}')`, o.ofOptions, INNER_OPTIONS[of]);
    if (of === 'ig') trapezoid(o.ofOptions as Record<string, unknown> | undefined, 'ofOptions.');
  }
  if (step.method === 'blurIG' && shape.length !== 4) {
    named(() => fail('x', 'images [B, H, W, C] for Blur IG (it blurs over H and W)', `shape [${shape.join(', ')}]`));
  }
  if (step.method === 'ig2') {
    named(() => {
      if (o.references === undefined) fail('references', 'IG2 references: a tensor [R, ...] or { pool, count }', 'none');
      checkReferences(o.references, shape);
      representationProbe(model, o.representation as never, o.output);
    });
  }
}

/** Values of tensor options (a host read each, no model call). */
async function checkValues(step: PlanStep, label: string): Promise<void> {
  const o = step.options as Record<string, unknown>;
  const refs = o.references as { pool?: unknown } | undefined;
  const tensors: Array<[string, unknown]> = [
    ['baseline', o.baseline],
    ['references', o.references],
    ['references.pool', refs && !(refs instanceof tf.Tensor) ? refs.pool : undefined],
  ];
  for (const [argument, value] of tensors) {
    if (!(value instanceof tf.Tensor) || value.size === 0) continue;
    const flat = value.reshape([1, -1]);
    try {
      await checkFinite(`${where(step, label)}: ${argument}`, flat);
    } finally {
      flat.dispose();
    }
  }
}

/**
 * A GraphModel's representation (a node, or the default) is run once on the first example of x, so a
 * node that gives no usable [B, D] fails now rather than after the methods before IG2.
 */
async function verifyRepresentations(steps: readonly PlanStep[], labels: readonly string[], model: ModelAdapter, x: tf.Tensor): Promise<void> {
  for (const [i, step] of steps.entries()) {
    if (step.method !== 'ig2' || model.kind !== 'graph' || typeof step.options.representation === 'function') continue;
    const probe = representationProbe(model, step.options.representation, step.options.output);
    const [size] = tf.tidy(() => [probe(x.slice(0, 1)).representation.shape[1]]);
    if (!(size > 1)) {
      fail(`${where(step, labels[i])}: representation`, 'a node whose output has more than one value per example', `${size} (node '${step.options.representation ?? 'default'}')`);
    }
  }
}
