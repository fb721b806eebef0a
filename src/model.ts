import * as tf from '@tensorflow/tfjs';
import { describe, fail } from './validate.js';

/** A function model: a batch `[B, ...]` in, scores `[B, K]` out. */
export type ModelFunction = (batch: tf.Tensor) => tf.Tensor;
export type ModelLike = tf.LayersModel | tf.GraphModel | ModelFunction;

/** One way to run any supported model: a differentiable forward pass to `[B, K]`. */
export interface ModelAdapter {
  readonly kind: 'function' | 'layers' | 'graph';
  /** Scores `[B, K]` for a batch; throws a named error for any other output shape. */
  forward(batch: tf.Tensor): tf.Tensor2D;
  readonly source: ModelLike;
  /**
   * IG2's representation probe for a layer name (or `'penultimate'`; undefined: the scores only), where
   * the adapter knows its layers itself (the part of a tf.LayersModel after a split, see layer.ts).
   */
  readonly probe?: (spec: string | undefined, output: 'model' | 'logits') => (batch: tf.Tensor) => { representation: tf.Tensor2D; output: tf.Tensor2D };
}

export function isLayersModel(model: object): model is tf.LayersModel {
  return 'layers' in model && typeof (model as tf.LayersModel).apply === 'function';
}

export function isGraphModel(model: object): model is tf.GraphModel {
  return typeof (model as tf.GraphModel).execute === 'function' && typeof (model as tf.GraphModel).executeAsync === 'function';
}

export function checkOutput(output: unknown, batchSize: number): tf.Tensor2D {
  if (Array.isArray(output)) fail('model', 'a single output tensor [B, K]', `${output.length} outputs`);
  if (!(output instanceof tf.Tensor)) fail('model', 'an output tensor [B, K]', describe(output));
  if (output.rank !== 2 || output.shape[0] !== batchSize) {
    fail('model', `an output of shape [${batchSize}, K] (rank 2) for a batch of ${batchSize}`, `shape [${output.shape.join(', ')}]`);
  }
  return output as tf.Tensor2D;
}

export function adaptModel(model: ModelLike): ModelAdapter {
  if (typeof model === 'function') {
    return { kind: 'function', source: model, forward: (batch) => checkOutput(model(batch), batch.shape[0]) };
  }
  if (model == null || typeof model !== 'object') fail('model', 'a tf.LayersModel, a tf.GraphModel or a function (batch) => tf.Tensor', describe(model));
  if (isLayersModel(model)) {
    return {
      kind: 'layers',
      source: model,
      forward: (batch) => checkOutput(model.apply(batch, { training: false }), batch.shape[0]),
    };
  }
  if (isGraphModel(model)) {
    return { kind: 'graph', source: model, forward: (batch) => checkOutput(model.predict(batch), batch.shape[0]) };
  }
  return fail('model', 'a tf.LayersModel, a tf.GraphModel or a function (batch) => tf.Tensor', 'an object of another kind');
}
