import * as tf from '@tensorflow/tfjs';
import { checkFinite, describe, fail, sameShape } from './validate.js';

/**
 * `'zeros'`, a constant, or a tensor of one example's shape or of x's shape. When explaining at a layer,
 * `{ input }` is a model input (e.g. padding tokens) whose layer output is the baseline.
 */
export type BaselineSpec = 'zeros' | number | tf.Tensor | { readonly input: tf.Tensor };

/** The baseline as a tensor of x's shape (a new tensor the caller disposes). */
export async function resolveBaseline(spec: BaselineSpec | undefined, x: tf.Tensor, argument = 'baseline'): Promise<tf.Tensor> {
  if (spec === undefined || spec === 'zeros') return tf.zerosLike(x);
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec)) fail(argument, 'a finite number', String(spec));
    return tf.fill(x.shape, spec, 'float32');
  }
  if (spec !== null && typeof spec === 'object' && 'input' in spec && !(spec instanceof tf.Tensor)) {
    fail(argument, "'zeros', a number or a tf.Tensor ({ input } is a model input, for explain(model, x, { layer }))", '{ input }');
  }
  if (!(spec instanceof tf.Tensor)) fail(argument, "'zeros', a number or a tf.Tensor", describe(spec));
  const exampleShape = x.shape.slice(1);
  let full: tf.Tensor;
  if (sameShape(spec.shape, x.shape)) full = spec.toFloat();
  else if (sameShape(spec.shape, exampleShape)) full = tf.tidy(() => tf.broadcastTo(spec.toFloat().expandDims(0), x.shape));
  else {
    return fail(
      argument,
      `a tensor of shape [${exampleShape.join(', ')}] (one example) or [${x.shape.join(', ')}] (like x)`,
      `shape [${spec.shape.join(', ')}]`,
    );
  }
  try {
    await checkFinite(argument, full);
  } catch (error) {
    full.dispose();
    throw error;
  }
  return full;
}
