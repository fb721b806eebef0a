import * as tf from '@tensorflow/tfjs';
import { seededUniform } from '../src/random.js';

/** Planted-keyword sentences: random tokens in [2, vocab); class 1 iff token 1 occurs (once, at a random position). */
export function keywordData(n: number, length: number, vocab: number, seed: number): { ids: number[][]; labels: number[]; positions: number[] } {
  const random = seededUniform(seed);
  const ids: number[][] = [];
  const labels: number[] = [];
  const positions: number[] = [];
  for (let i = 0; i < n; i++) {
    const sentence = Array.from({ length }, () => 2 + Math.floor(random() * (vocab - 2)));
    const positive = i % 2 === 0;
    const at = positive ? Math.floor(random() * length) : -1;
    if (positive) sentence[at] = 1;
    ids.push(sentence);
    labels.push(positive ? 1 : 0);
    positions.push(at);
  }
  return { ids, labels, positions };
}

/** A Kim-style text CNN: Embedding → Conv1D (ReLU) → global max pool → Dense softmax over 2 classes. */
export function textCNN(vocab: number, length: number, dim = 8, filters = 8, seed = 1): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: vocab, outputDim: dim, inputLength: length, name: 'embedding', embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed }) }));
  m.add(tf.layers.conv1d({ filters, kernelSize: 3, activation: 'relu', padding: 'same', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  m.add(tf.layers.globalMaxPooling1d({ name: 'pool' }));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }));
  return m;
}

/** The text CNN trained on planted-keyword sentences (seeded; a few seconds on cpu). */
export async function trainedTextCNN(vocab = 12, length = 8, seed = 1): Promise<tf.LayersModel> {
  const model = textCNN(vocab, length, 8, 8, seed);
  const { ids, labels } = keywordData(256, length, vocab, seed);
  const xs = tf.tensor2d(ids, undefined, 'int32');
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, { epochs: 20, batchSize: 64, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  return model;
}
