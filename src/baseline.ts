import * as tf from '@tensorflow/tfjs';
import { checkFinite, describe, fail, sameShape } from './validate.js';

/**
 * `'zeros'`, a constant, or a tensor of one example's shape or of x's shape. When explaining at a layer,
 * `{ input }` is a model input (e.g. padding tokens) whose layer output is the baseline.
 */
export type BaselineSpec = 'zeros' | number | tf.Tensor | { readonly input: tf.Tensor };

/** Checks a baseline against x's shape without reading it (its values are checked when it is resolved). */
export function checkBaselineSpec(spec: unknown, xShape: readonly number[], argument = 'baseline'): void {
  if (spec === undefined || spec === 'zeros') return;
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec)) fail(argument, 'a finite number', String(spec));
    return;
  }
  if (spec !== null && typeof spec === 'object' && 'input' in spec && !(spec instanceof tf.Tensor)) {
    fail(argument, "'zeros', a number or a tf.Tensor ({ input } is a model input, for explain(model, x, { layer }))", '{ input }');
  }
  if (!(spec instanceof tf.Tensor)) fail(argument, "'zeros', a number or a tf.Tensor", describe(spec));
  const exampleShape = xShape.slice(1);
  if (!sameShape(spec.shape, xShape) && !sameShape(spec.shape, exampleShape)) {
    fail(argument, `a tensor of shape [${exampleShape.join(', ')}] (one example) or [${xShape.join(', ')}] (like x)`, `shape [${spec.shape.join(', ')}]`);
  }
}

/** The baseline as a tensor of x's shape (a new tensor the caller disposes). */
export async function resolveBaseline(spec: BaselineSpec | undefined, x: tf.Tensor, argument = 'baseline'): Promise<tf.Tensor> {
  checkBaselineSpec(spec, x.shape, argument);
  if (spec === undefined || spec === 'zeros') return tf.zerosLike(x);
  if (typeof spec === 'number') return tf.fill(x.shape, spec, 'float32');
  const t = spec as tf.Tensor; // checkBaselineSpec refused everything else
  const full = sameShape(t.shape, x.shape) ? t.toFloat() : tf.tidy(() => tf.broadcastTo(t.toFloat().expandDims(0), x.shape));
  try {
    await checkFinite(argument, full);
  } catch (error) {
    full.dispose();
    throw error;
  }
  return full;
}
