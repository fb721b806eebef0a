// Overhead of each attribution method over the gradients it needs: the method's time divided by the
// time of the same number of raw input gradients of the same model, in the same batch sizes, each
// batch read back to the host (what a plain loop of tf.grad + data() costs). Target: ≤ 1.10.
// Run: `npm run bench:overhead` (active backend: wasm by default; PATHLENS_BACKEND=cpu for cpu;
// REPEATS=n timed runs per method, after one warm-up; ONLY=prefix runs the methods whose name starts with it).
import * as tf from '@tensorflow/tfjs';
import { ensureBackend, explain, fileModel, type ExplainBuilder } from '../src/index.js';
import { loadDigits } from '../examples/digits.js';

const backend = await ensureBackend();
const repeats = Number(process.env.REPEATS ?? 3);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** A CIFAR-sized CNN with random weights (≈0.3 M parameters): a gradient that costs what real ones do. */
function cnn32(): tf.LayersModel {
  const conv = (filters: number, strides: number, inputShape?: number[]) =>
    tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', activation: 'relu', inputShape, kernelInitializer: tf.initializers.heNormal({ seed: filters + strides }) });
  return tf.sequential({
    layers: [
      conv(32, 1, [32, 32, 3]),
      conv(64, 2),
      conv(64, 2),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 9 }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 10 }) }),
    ],
  });
}

/** `calls` batches of `rows / calls` points: gradient of the target score, read back each time. */
async function rawGradients(model: tf.LayersModel, x: tf.Tensor, targets: number[], calls: number, rows: number): Promise<number> {
  const size = Math.round(rows / calls);
  const points = tf.tidy(() => tf.tile(x, [Math.ceil(size / x.shape[0]), 1, 1, 1]).slice(0, size));
  const oneHot = tf.oneHot(Array.from({ length: size }, (_, i) => targets[i % targets.length]), 10).toFloat();
  const started = performance.now();
  for (let c = 0; c < calls; c++) {
    const g = tf.tidy(() => tf.grad((p: tf.Tensor) => tf.sum(tf.mul(model.apply(p) as tf.Tensor, oneHot)))(points));
    await g.data();
    g.dispose();
  }
  const elapsed = performance.now() - started;
  tf.dispose([points, oneHot]);
  return elapsed;
}

async function bench(title: string, model: tf.LayersModel, x: tf.Tensor, pool: tf.Tensor, references: number) {
  const only = process.env.ONLY;
  const all: Array<[string, (b: ExplainBuilder) => ExplainBuilder]> = [
    ['gradient', (b) => b.gradient()],
    ['ig (50 steps)', (b) => b.ig()],
    ['guidedIG (200 steps)', (b) => b.guidedIG()],
    ['smoothGrad (25 samples)', (b) => b.smoothGrad()],
    ['smoothGrad of guidedIG (8 × 50)', (b) => b.smoothGrad({ samples: 8, of: 'guidedIG', ofOptions: { steps: 50 } })],
    [`ig2 (R = ${references}, 201 steps)`, (b) => b.ig2({ references: { pool, count: references }, output: 'logits' })],
    ['blurIG (100 steps)', (b) => b.blurIG({ maxSigma: 8 })],
  ];
  const methods = only ? all.filter(([name]) => name.startsWith(only)) : all;
  const targets = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(1).arraySync() as number[]);
  console.log(`\n${title}: B = ${x.shape[0]}, ${backend.name}, median of ${repeats}`);
  console.log(['method', 'gradients', 'calls', 'method ms', 'raw ms', 'ratio'].join('\t'));
  for (const [name, add] of methods) {
    const times: number[] = [];
    const raws: number[] = [];
    let counts = [0, 0];
    for (let r = 0; r <= repeats; r++) {
      const ex = await add(explain(model, x, { target: targets }));
      const { timeMs, gradientRows, gradientCalls } = ex.record(ex.methods[0]);
      ex.dispose();
      const raw = await rawGradients(model, x, targets, gradientCalls, gradientRows);
      counts = [gradientRows, gradientCalls];
      if (r === 0) continue; // warm-up
      times.push(timeMs);
      raws.push(raw);
    }
    const [t, w] = [median(times), median(raws)];
    console.log([name, ...counts, t.toFixed(1), w.toFixed(1), (t / w).toFixed(3)].join('\t'));
  }
}

const digitsModel = await tf.loadLayersModel(fileModel(new URL('../examples/models/digits-cnn/model.json', import.meta.url).pathname));
const digits = loadDigits('test', 1).images.slice(0, 4);
const digitPool = loadDigits('train', 10).images;
await bench(`digits CNN (${digitsModel.countParams()} parameters, trained)`, digitsModel, digits, digitPool, 8);

const model = cnn32();
const images = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 1);
const pool = tf.randomUniform([40, 32, 32, 3], 0, 1, 'float32', 2);
await bench(`CNN 32×32×3 (${model.countParams()} parameters, random weights)`, model, images, pool, 2);
