import * as tf from '@tensorflow/tfjs';
import { ensureBackend, fileModel } from '../src/index.js';
import { loadDigits } from './digits.js';
import { adaptModel } from '../src/model.js';
import { createOracle } from '../src/oracle.js';
await ensureBackend();
const model = await tf.loadLayersModel(fileModel(new URL('./models/digits-cnn/model.json', import.meta.url).pathname));
const x = loadDigits('test', 1).images.slice(0, 4);
const oracle = createOracle(adaptModel(model), 10, 64);
const p = tf.tile(x, [13, 1, 1, 1]).slice(0, 50);
const targets = Array.from({ length: 50 }, (_, i) => i % 4);
const oh = tf.oneHot(targets, 10).toFloat();
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  for (let i = 0; i < 20; i++) { const { value, grad } = oracle.valueAndGrad(p, targets); await grad.data(); tf.dispose([value, grad]); }
  const a = performance.now() - t; t = performance.now();
  for (let i = 0; i < 20; i++) { const g = tf.tidy(() => tf.grad((q: tf.Tensor) => tf.sum(tf.mul(model.apply(q) as tf.Tensor, oh)))(p)); await g.data(); g.dispose(); }
  const b = performance.now() - t; t = performance.now();
  for (let i = 0; i < 20; i++) { const g = tf.tidy(() => tf.grad((q: tf.Tensor) => tf.sum(tf.mul(model.apply(q, {training: false}) as tf.Tensor, oh)))(p)); await g.data(); g.dispose(); }
  const c = performance.now() - t; t = performance.now();
  for (let i = 0; i < 20; i++) { const r = tf.tidy(() => { const d = tf.sub(p, 0); const g = tf.gather(d.reshape([50, 784]), tf.tensor1d(new Int32Array(50), 'int32')); return tf.matMul(tf.ones([4, 50]), g); }); await r.data(); r.dispose(); }
  const d = performance.now() - t;
  console.log(`oracle ${(a/20).toFixed(2)} ms, raw grad ${(b/20).toFixed(2)} ms, raw+training:false ${(c/20).toFixed(2)}, gather+matmul ${(d/20).toFixed(2)}`);
}
