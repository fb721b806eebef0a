// The IG2 fixture models (test/fixtures/ig2/README.md) and a small conv net, as pathlens models.
import * as tf from '@tensorflow/tfjs';
import type { ModelFunction } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fixture = any;

const weight = (fx: Fixture, name: string) => fx.model.weights[name].values;

/** The MLP 48 → 16 → 8 → 3 as a logits function and its representation act(fc2). */
export function ig2MlpFunctions(fx: Fixture): { model: ModelFunction; representation: ModelFunction } {
  const act = fx.model.activation === 'relu' ? tf.relu : tf.tanh;
  const [w1, b1, w2, b2, w3, b3] = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias'].map((n) => tf.tensor(weight(fx, n)));
  const divisor = fx.input_divisor as number | null;
  const representation = (batch: tf.Tensor) =>
    tf.tidy(() => {
      const x0 = divisor ? tf.div(batch, divisor) : batch;
      const h1 = act(tf.add(tf.matMul(x0.reshape([batch.shape[0], -1]), w1, false, true), b1));
      return act(tf.add(tf.matMul(h1, w2, false, true), b2));
    });
  const model = (batch: tf.Tensor) => tf.tidy(() => tf.add(tf.matMul(representation(batch), w3, false, true), b3));
  return { model, representation };
}

/** The same MLP as a tf.LayersModel, optionally ending in softmax (then explain with output: 'logits'). */
export function ig2MlpLayers(fx: Fixture, softmax = false): tf.LayersModel {
  const m = tf.sequential();
  const activation = fx.model.activation;
  m.add(tf.layers.dense({ inputShape: [48], units: 16, activation }));
  m.add(tf.layers.dense({ units: 8, activation }));
  m.add(tf.layers.dense({ units: 3, activation: softmax ? 'softmax' : 'linear' }));
  ['fc1', 'fc2', 'fc3'].forEach((name, i) => {
    m.layers[i].setWeights([tf.tensor2d(weight(fx, `${name}.weight`)).transpose(), tf.tensor1d(weight(fx, `${name}.bias`))]);
  });
  return m;
}

/**
 * The README's conv net, channels-last: conv 3×3 (same) → relu → maxpool 2 → flatten → dense relu
 * (the representation) → dense logits, with seeded random weights.
 */
export function convNet(inputShape: [number, number, number], filters: number, hidden: number, classes: number, seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape, filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), biasInitializer: 'zeros' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: init(2), name: 'features' }));
  m.add(tf.layers.dense({ units: classes, kernelInitializer: init(3), name: 'logits' }));
  return m;
}
