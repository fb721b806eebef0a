import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain, representationNodes } from '../../src/index.js';
import { expectNoLeak, maxAbsDiff, randomTensor, rng, smallGraphModel, useBackend } from '../helpers.js';
import { loadEmotionModel } from '../pretrained.js';

test('IG2 on a GraphModel: the default representation is the input of its last MatMul, as penultimate is for a LayersModel', async () => {
  await useBackend('cpu');
  const W1 = [[0.5, -0.25, 0.3], [0.75, 0.5, -0.6], [-1, 0.25, 0.2]];
  const b1 = [0.1, -0.2, 0.05];
  const W2 = [[1, -0.5, 0.25], [-0.75, 0.5, 1], [0.3, 0.2, -0.4]];
  const graph = await smallGraphModel(W1, b1, W2);
  const layers = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 3, activation: 'tanh' }), tf.layers.dense({ units: 3, activation: 'softmax' })],
  });
  layers.layers[0].setWeights([tf.tensor2d(W1), tf.tensor1d(b1)]);
  layers.layers[1].setWeights([tf.tensor2d(W2), tf.zeros([3])]);
  const x = tf.tensor2d([[0.3, -0.6, 0.9], [1, 0.5, -0.5]]);
  const references = tf.tensor2d([[-0.8, 0.4, 0.1], [0.2, 0.9, -0.7]]);
  assert.deepEqual(
    representationNodes(graph, x).map((n) => [n.name, n.op, n.shape]),
    [['MatMul', 'MatMul', ['B', 3]], ['BiasAdd', 'BiasAdd', ['B', 3]], ['Tanh', 'Tanh', ['B', 3]], ['MatMul_1', 'MatMul', ['B', 3]], ['Softmax', 'Softmax', ['B', 3]]],
  );
  const attributions: Float32Array[] = [];
  await expectNoLeak(async () => {
    const run = (model: tf.LayersModel | tf.GraphModel, representation?: string) => explain(model, x, { target: [0, 2] }).ig2({ references, representation, steps: 12 });
    for (const ex of [await run(layers), await run(graph), await run(graph, 'Tanh')]) {
      attributions.push((await ex.attribution('ig2').data()) as Float32Array);
      ex.dispose();
    }
  });
  assert.ok(maxAbsDiff(attributions[0], attributions[1]) < 1e-5, 'default graph node = penultimate layer');
  assert.ok(maxAbsDiff(attributions[1], attributions[2]) < 1e-6, "default = 'Tanh'");
  await assert.rejects(explain(graph, x).ig().ig2({ references, representation: 'Tahn' }).run(), /ig2\(\): representation: expected a node name of this tf.GraphModel .*representationNodes.*got 'Tahn'/);
  tf.dispose([x, references]);
  graph.dispose();
  layers.dispose();
});

test('IG2 on the face-emotion GraphModel: no default node, a clear error before anything runs; a named node works', async () => {
  await useBackend('wasm');
  const model = await loadEmotionModel();
  const x = randomTensor(rng(8), [1, 64, 64, 1], -1, 1);
  const reference = randomTensor(rng(9), [1, 64, 64, 1], -1, 1);
  let calls = 0;
  const [execute, predict] = [model.execute.bind(model), model.predict.bind(model)];
  model.execute = ((...args: Parameters<typeof execute>) => (calls++, execute(...args))) as typeof model.execute;
  model.predict = ((...args: Parameters<typeof predict>) => (calls++, predict(...args))) as typeof model.predict;
  await expectNoLeak(() =>
    assert.rejects(
      explain(model, x).ig().ig2({ references: reference }).run(),
      /^Error: ig2\(\): representation: expected a node name of this tf.GraphModel or a function: the default is the input of the graph's last MatMul .*representationNodes\(model, x\)/,
    ),
  );
  assert.equal(calls, 0, 'nothing ran');
  const flat = x.reshape([1, 64, 64]);
  await assert.rejects(explain(model, flat).ig().run(), /^Error: x: expected shape \[B, 64, 64, 1\] \(the model's input\), got \[1, 64, 64\]$/);
  assert.equal(calls, 0, "x is checked against the graph's input before any call");
  flat.dispose();
  const nodes = representationNodes(model, x);
  const node = 'StatefulPartitionedCall/model_1/add_2/add';
  assert.deepEqual(nodes.find((n) => n.name === node)?.shape, ['B', 8, 8, 256]);
  await expectNoLeak(async () => {
    const ex = await explain(model, x, { target: 3 }).ig2({ references: reference, representation: node, steps: 3 });
    assert.equal(ex.record('ig2').gradientRows, 2 * 3);
    assert.ok((await ex.attribution('ig2').data()).every(Number.isFinite));
    const distance = ex.path('ig2').referenceDistance![0];
    assert.ok(distance[0][0] > 0, 'distance to the reference in the node’s (flattened) space');
    ex.dispose();
  });
  tf.dispose([x, reference]);
  model.dispose();
});
