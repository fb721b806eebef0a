// The small models the ground-truth benchmark trains: an MLP regressor for the tabular tasks and a
// Kim-style text CNN (embedding → conv1d → global max pool → dense logits) for the text tasks.
import * as tf from '@tensorflow/tfjs';
import { FEATURES, type TabularData } from './tabular.js';
import { LENGTH, VOCAB, type Sentences } from './text.js';

export interface Trained {
  readonly model: tf.LayersModel;
  /** Tabular: R² on held-out data; text: accuracy on held-out sentences. */
  readonly quality: number;
}

export async function trainRegressor(train: TabularData, test: TabularData, seed: number): Promise<Trained> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [FEATURES], units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'meanSquaredError' });
  const [x, y] = [tf.tensor2d(train.x, [train.n, FEATURES]), tf.tensor2d(train.y, [train.n, 1])];
  await model.fit(x, y, { epochs: 60, batchSize: 128, shuffle: true, verbose: 0 });
  tf.dispose([x, y]);
  const predicted = await tf.tidy(() => model.predict(tf.tensor2d(test.x, [test.n, FEATURES])) as tf.Tensor).data();
  const mean = test.y.reduce((a, b) => a + b, 0) / test.n;
  let [residual, total] = [0, 0];
  test.y.forEach((v, i) => {
    residual += (v - predicted[i]) ** 2;
    total += (v - mean) ** 2;
  });
  return { model, quality: 1 - residual / total };
}

export const EMBEDDING_LAYER = 'embedding';

/** The text CNN, outputting logits of the two classes. */
export async function trainTextCNN(train: Sentences, test: Sentences, seed: number): Promise<Trained> {
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ name: EMBEDDING_LAYER, inputDim: VOCAB, outputDim: 8, inputLength: LENGTH, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed }) }),
      tf.layers.conv1d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }) }),
      tf.layers.globalMaxPooling1d({}),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, logits) });
  const ids = tf.tensor2d(train.ids, [train.n, LENGTH], 'int32');
  const labels = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 2);
  await model.fit(ids, labels, { epochs: 30, batchSize: 64, shuffle: true, verbose: 0 });
  tf.dispose([ids, labels]);
  const predicted = await tf.tidy(() => (model.predict(tf.tensor2d(test.ids, [test.n, LENGTH], 'int32')) as tf.Tensor).argMax(1)).data();
  return { model, quality: test.labels.filter((l, i) => predicted[i] === l).length / test.n };
}
