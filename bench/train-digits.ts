// Trains the small digit classifier that the demo and tests explain, and saves it to
// examples/models/digits-cnn/. Run once: `node --import tsx bench/train-digits.ts` (cpu backend, about 10 minutes on 2 cores).
import * as tf from '@tensorflow/tfjs';
import { fileModel } from '../src/io/fileModel.js';
import { loadDigits } from '../examples/digits.js';

await tf.setBackend('cpu');
const train = loadDigits('train', 800);
const test = loadDigits('test', 100);

// Strided convolutions instead of max-pooling: smooth enough for path methods, cheap, and its
// input gradient needs no MaxPoolGrad.
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 2 }) }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.003), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const started = performance.now();
await model.fit(train.images, tf.tensor1d(train.labels, 'float32'), { epochs: 8, batchSize: 64, shuffle: true, verbose: 0 });
const predicted = (model.predict(test.images) as tf.Tensor).argMax(1).dataSync();
const accuracy = test.labels.filter((l, i) => predicted[i] === l).length / test.labels.length;
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s; test accuracy ${(accuracy * 100).toFixed(1)}% on ${test.labels.length} held-out digits`);
await model.save(fileModel('examples/models/digits-cnn/model.json'));
