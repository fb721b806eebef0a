import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureBackend, explain, type Explanation } from '../../src/index.js';
import { summaryText } from '../../src/display/report.js';
import { maxAbs, maxAbsDiff } from '../helpers.js';
import { loadEmotionModel } from '../pretrained.js';
import { keywordData, trainedTextCNN } from '../textModels.js';

const VOCAB = 12;
const LENGTH = 8;
const quiet = { onProgress: () => {} };
let model: tf.LayersModel;

before(async () => {
  await ensureBackend();
  model = await trainedTextCNN(VOCAB, LENGTH);
});

/** The part of the text CNN after its embedding, as a model of its own on the same weights. */
function tailModel(): tf.LayersModel {
  const tail = tf.sequential();
  tail.add(tf.layers.conv1d({ inputShape: [LENGTH, 8], filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' }));
  tail.add(tf.layers.globalMaxPooling1d());
  tail.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  tail.layers.forEach((l, i) => l.setWeights(model.layers[i + 1].getWeights()));
  return tail;
}

test('a text CNN explained at its embedding: [B, T, D] attributions, and the keyword is the top token for IG, Guided IG and IG2', async () => {
  const numTensors = tf.memory().numTensors;
  const { ids, labels, positions } = keywordData(40, LENGTH, VOCAB, 7);
  const x = tf.tensor2d(ids, undefined, 'int32');
  const pool = tf.tensor2d(keywordData(40, LENGTH, VOCAB, 8).ids, undefined, 'int32');
  const ex = await explain(model, x, { layer: 'embedding' }).ig({ steps: 32 }).guidedIG({ steps: 64 }).ig2({ references: { pool, count: 4 }, steps: 64 }).run(quiet);
  try {
    assert.deepEqual(ex.layer?.name, 'embedding');
    assert.deepEqual(ex.inputShape, [40, LENGTH, 8]);
    const predicted = ex.targets;
    assert.ok(labels.filter((l, b) => l === predicted[b]).length >= 38, 'the model learned the task');
    for (const method of ['ig', 'guidedIG', 'ig2']) {
      assert.deepEqual(ex.attribution(method).shape, [40, LENGTH, 8]);
      const { signed, absolute, tokens } = ex.tokens(method);
      assert.deepEqual(tokens[0], ids[0].map(String), 'tokens default to the ids');
      assert.ok(absolute.every((row, b) => row.every((a, t) => a >= Math.abs(signed[b][t]) - 1e-6)));
      const positives = labels.flatMap((l, b) => (l === 1 && predicted[b] === 1 ? [b] : []));
      const hits = positives.filter((b) => signed[b].indexOf(Math.max(...signed[b])) === positions[b]).length;
      assert.ok(hits >= 0.9 * positives.length, `${method}: keyword first in ${hits} of ${positives.length} positive sentences`);
    }
    assert.match(summaryText(ex), /at layer 'embedding', output of shape \[40, 8, 8\]/);
  } finally {
    ex.dispose();
    tf.dispose([x, pool]);
  }
  assert.equal(tf.memory().numTensors, numTensors, 'no tensor left behind');
});

test('LayersModel: layer attribution equals the attribution of the second half fed the first half’s output; completeness holds at the layer', async () => {
  const { ids } = keywordData(6, LENGTH, VOCAB, 11);
  const x = tf.tensor2d(ids, undefined, 'int32');
  const embedded = model.layers[0].apply(x) as tf.Tensor;
  const tail = tailModel();
  const atLayer = await explain(model, x, { layer: 'embedding', target: 1 }).ig({ steps: 64 }).guidedIG({ steps: 32 }).gradientXInput().run(quiet);
  const direct = await explain(tail, embedded, { target: 1 }).ig({ steps: 64 }).guidedIG({ steps: 32 }).gradientXInput().run(quiet);
  try {
    for (const m of atLayer.methods) {
      const diff = maxAbsDiff(await atLayer.attribution(m).data(), await direct.attribution(m).data());
      assert.ok(diff < 1e-5, `${m}: max difference ${diff}`);
    }
    const { gap, delta } = atLayer.completeness('ig');
    assert.ok(maxAbs(gap) < 0.02 * Math.max(1e-3, maxAbs(delta)) + 1e-3, `IG completeness at the layer: gaps ${gap}`);
  } finally {
    tf.dispose([x, embedded]);
    atLayer.dispose();
    direct.dispose();
    tail.dispose();
  }
});

test('baselines in layer space: { input } runs padding tokens through the first part; IG2 references as token ids, clipped to the embedding range', async () => {
  const { ids } = keywordData(4, LENGTH, VOCAB, 12);
  const x = tf.tensor2d(ids, undefined, 'int32');
  const pad = tf.zeros([LENGTH], 'int32');
  const references = tf.tensor2d(keywordData(3, LENGTH, VOCAB, 13).ids.map((r) => r.map((t) => (t === 1 ? 2 : t))), undefined, 'int32');
  const ex = await explain(model, x, { layer: 'embedding', target: 1 }).ig({ steps: 64, baseline: { input: pad } }).ig2({ references, steps: 32, keepPath: true }).run(quiet);
  try {
    const padEmbedded = model.layers[0].apply(pad.expandDims(0)) as tf.Tensor;
    const fPad = (await (model.layers.slice(1).reduce((t, l) => l.apply(t) as tf.Tensor, padEmbedded)).data())[1];
    padEmbedded.dispose();
    ex.completeness('ig').fBaseline.forEach((f) => assert.ok(Math.abs(f - fPad) < 1e-5, `f(baseline) ${f} is f(padding) ${fPad}`));
    const table = await model.layers[0].getWeights()[0].data();
    const [lo, hi] = [Math.min(...table), Math.max(...table)];
    const points = await ex.path('ig2').points!.data();
    assert.ok(Math.min(...points) >= lo - 1e-6 && Math.max(...points) <= hi + 1e-6, 'IG2 stays within the embedding matrix range');
    assert.deepEqual(ex.gradCF('ig2').shape, [4, 3, LENGTH, 8], 'references went through the embedding');
  } finally {
    tf.dispose([x, pad, references]);
    ex.dispose();
  }
});

test('GraphModel: attribution at a node equals attribution of the graph fed that node’s value', async () => {
  const emotion = await loadEmotionModel();
  const node = 'StatefulPartitionedCall/model_1/add_2/add';
  const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 3);
  const activations = emotion.execute(x, node) as tf.Tensor;
  const tail = (a: tf.Tensor) => emotion.execute({ [node]: a }, emotion.outputNodes[0]) as tf.Tensor;
  let atLayer: Explanation | undefined;
  let direct: Explanation | undefined;
  try {
    atLayer = await explain(emotion, x, { layer: node }).ig({ steps: 8 }).run(quiet);
    direct = await explain(tail, activations).ig({ steps: 8 }).run(quiet);
    assert.deepEqual(atLayer.attribution('ig').shape, activations.shape);
    assert.ok(maxAbsDiff(await atLayer.attribution('ig').data(), await direct.attribution('ig').data()) < 1e-6);
    assert.ok(maxAbs(atLayer.completeness('ig').gap) < 1e-3);
  } finally {
    atLayer?.dispose();
    direct?.dispose();
    tf.dispose([x, activations]);
    emotion.dispose();
  }
});

test('bad layer names fail before any work, listing the layers one can split at; skip connections across the split fail clearly', async () => {
  const x = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]], undefined, 'int32');
  const embedding = model.layers[0];
  let calls = 0;
  const original = embedding.apply.bind(embedding);
  embedding.apply = ((...args: Parameters<typeof original>) => {
    calls++;
    return original(...args);
  }) as typeof embedding.apply;
  try {
    await assert.rejects(explain(model, x, { layer: 'embeding' }).ig().run(quiet), /layer: expected the name of a layer .*'embedding', 'conv', 'pool', 'out'.*got 'embeding'/);
    await assert.rejects(explain(model, x, { layer: 42 as never }).ig().run(quiet), /layer: expected the name of a layer/);
    await assert.rejects(explain((b: tf.Tensor) => b, x, { layer: 'embedding' }).ig().run(quiet), /layer: expected a tf.LayersModel or a tf.GraphModel/);
    assert.equal(calls, 0, 'nothing ran');
  } finally {
    embedding.apply = original;
    x.dispose();
  }
  const input = tf.input({ shape: [4] });
  const d1 = tf.layers.dense({ units: 4, name: 'd1' }).apply(input) as tf.SymbolicTensor;
  const d2 = tf.layers.dense({ units: 4, name: 'd2' }).apply(d1) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'skip' }).apply([d1, d2]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'head' }).apply(sum) as tf.SymbolicTensor;
  const residual = tf.model({ inputs: input, outputs: out });
  const v = tf.ones([1, 4]);
  await assert.rejects(explain(residual, v, { layer: 'd2' }).ig().run(quiet), /layer: expected a layer that every path .*one of 'd1', 'skip', 'head'.*a connection skips over it.*got 'd2'/);
  const ok = await explain(residual, v, { layer: 'd1' }).ig({ steps: 16 }).ig2({ references: tf.zeros([1, 4]), representation: 'penultimate', steps: 8 }).run(quiet);
  assert.deepEqual(ok.attribution('ig').shape, [1, 4]);
  assert.ok(maxAbs(ok.completeness('ig').gap) < 1e-4);
  ok.dispose();
  v.dispose();
});

test('token and text views: per-token sums, vocabulary labels, escaped HTML and a PNG, one row per method', async () => {
  const { ids } = keywordData(2, LENGTH, VOCAB, 21);
  const x = tf.tensor2d(ids, undefined, 'int32');
  const ex = await explain(model, x, { layer: 'embedding' }).gradientXInput().ig({ steps: 8 }).run(quiet);
  try {
    const vocabulary = ['<pad>', '<b>key</b>', ...Array.from({ length: VOCAB - 2 }, (_, i) => `w${i}`)];
    const scores = ex.tokens('ig', { tokens: vocabulary });
    assert.deepEqual(scores.tokens[1], ids[1].map((id) => vocabulary[id]));
    const a = (await ex.attribution('ig').array()) as number[][][];
    assert.ok(Math.abs(scores.signed[1][3] - a[1][3].reduce((s, v) => s + v, 0)) < 1e-6);
    const view = ex.text({ tokens: vocabulary, classNames: ['no', 'yes & <more>'] });
    const bundle = view[Symbol.for('Jupyter.display') as never] as unknown as () => Record<string, string>;
    const mime = bundle.call(view);
    assert.ok(mime['image/png'].length > 100);
    assert.ok(!mime['text/html'].includes('<b>key') && !mime['text/html'].includes('<more>'), 'tokens and labels are escaped');
    assert.equal((mime['text/html'].match(/<tr><td class="m">/g) ?? []).length, 2 * 2, 'one row per method and example');
    assert.throws(() => ex.tokens('ig', { tokens: [['a']] }), /tokens\[0\]: expected 8 token strings/);
    const bars = ex.heatmap({ featureNames: Array.from({ length: LENGTH }, (_, i) => `t${i}`) });
    assert.ok(bars.height > 0);
    assert.throws(() => ex.heatmap({ featureNames: ['a'] }), /featureNames: expected 8 names/);
  } finally {
    ex.dispose();
    x.dispose();
  }
});

test('at a layer: a baseline of token ids given as a plain tensor is refused with the { input } hint; heatmap strips are labelled with the tokens', async () => {
  const x = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]], undefined, 'int32');
  const ids = tf.zeros([LENGTH], 'int32');
  try {
    await assert.rejects(explain(model, x, { layer: 'embedding' }).ig({ baseline: ids }).run(quiet), /baseline: expected a tensor in the space of layer 'embedding' \(\[8, 8\] .*pass \{ input: tensor \}/);
    const ex = await explain(model, x, { layer: 'embedding' }).gradient().run(quiet);
    const withIds = ex.heatmap();
    const withWords = ex.heatmap({ tokens: ['<pad>', 'key', ...Array.from({ length: VOCAB - 2 }, (_, i) => `a-much-longer-word-${i}`)] });
    assert.notEqual(Buffer.from(withIds.png).compare(Buffer.from(withWords.png)), 0, 'the labels are drawn');
    ex.dispose();
  } finally {
    tf.dispose([x, ids]);
  }
});

test('a masking embedding (maskZero) gives a notice: its mask is not carried past the split', async () => {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 5, outputDim: 3, inputLength: 4, maskZero: true, name: 'masked' }));
  m.add(tf.layers.globalAveragePooling1d());
  m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  const x = tf.tensor2d([[1, 2, 0, 0]], undefined, 'int32');
  const ex = await explain(m, x, { layer: 'masked' }).gradient().run(quiet);
  assert.ok(ex.notices.some((n) => /mask of 'masked' \(maskZero\) is not carried past the split/.test(n)), JSON.stringify(ex.notices));
  ex.dispose();
  x.dispose();
  m.dispose();
});

test('random functional models: at every layer one can split at, layer IG equals IG of the hand-built rest of the model; branches inside the rest are fine, branch layers are refused', async () => {
  for (const seed of [1, 2, 3]) {
    const init = (s: number) => tf.initializers.glorotNormal({ seed: seed * 10 + s });
    const input = tf.input({ shape: [6] });
    const d1 = tf.layers.dense({ units: 5, activation: 'tanh', name: 'd1', kernelInitializer: init(1), biasInitializer: 'ones' });
    const d2 = tf.layers.dense({ units: 4, activation: 'tanh', name: 'd2', kernelInitializer: init(2) });
    const left = tf.layers.dense({ units: 3, activation: 'tanh', name: 'left', kernelInitializer: init(3) });
    const right = tf.layers.dense({ units: 3, activation: 'sigmoid', name: 'right', kernelInitializer: init(4) });
    const join = tf.layers.concatenate({ name: 'join' });
    const head = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head', kernelInitializer: init(5) });
    const h2 = d2.apply(d1.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: head.apply(join.apply([left.apply(h2), right.apply(h2)] as tf.SymbolicTensor[])) as tf.SymbolicTensor });
    const apply = (layer: tf.layers.Layer, t: tf.Tensor | tf.Tensor[]) => layer.apply(t) as tf.Tensor;
    const rest = (a: tf.Tensor) => apply(head, apply(join, [apply(left, a), apply(right, a)]));
    // Per split point: the part before it and the part after it, written out by hand.
    const halves: Record<string, [(t: tf.Tensor) => tf.Tensor, (a: tf.Tensor) => tf.Tensor]> = {
      d1: [(t) => apply(d1, t), (a) => rest(apply(d2, a))],
      d2: [(t) => apply(d2, apply(d1, t)), rest],
      join: [(t) => apply(join, [apply(left, apply(d2, apply(d1, t))), apply(right, apply(d2, apply(d1, t)))]), (a) => apply(head, a)],
    };
    const x = tf.randomNormal([3, 6], 0, 1, 'float32', seed);
    for (const [name, [before, tail]] of Object.entries(halves)) {
      const activations = tf.tidy(() => before(x));
      const atLayer = await explain(model, x, { layer: name, target: 0 }).ig({ steps: 32 }).run(quiet);
      const direct = await explain((a: tf.Tensor) => tail(a), activations, { target: 0 }).ig({ steps: 32 }).run(quiet);
      const diff = maxAbsDiff(await atLayer.attribution('ig').data(), await direct.attribution('ig').data());
      assert.ok(diff < 1e-5, `seed ${seed}, layer ${name}: max difference ${diff}`);
      assert.ok(maxAbs(atLayer.completeness('ig').gap) < 1e-3, `seed ${seed}, layer ${name}: completeness`);
      tf.dispose(activations);
      atLayer.dispose();
      direct.dispose();
    }
    await assert.rejects(explain(model, x, { layer: 'left' }).ig().run(quiet), /one of 'd1', 'd2', 'join', 'head'\)/);
    x.dispose();
    model.dispose();
  }
});
