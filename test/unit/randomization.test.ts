import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, mock, test } from 'node:test';
import { fileModel, modelRandomization } from '../../src/index.js';
import { loadDigits } from '../../examples/digits.js';
import { expectNoLeak } from '../helpers.js';

before(async () => {
  await tf.setBackend('cpu');
});

test('model randomization: the trained digits CNN vs its cascading randomizations; weights restored, no leak', async () => {
  const model = await tf.loadLayersModel(fileModel('examples/models/digits-cnn/model.json'));
  const { images } = loadDigits('test', 1);
  const x = images.slice(0, 6);
  const weightsBefore = model.getWeights().map((w) => Array.from(w.dataSync()));
  tf.tidy(() => model.predict(x)); // a first call builds what the model keeps (not a leak of the check)
  const warn = mock.method(console, 'warn', () => {});
  const r = await expectNoLeak(() => modelRandomization(model, x, (b) => b.gradient().ig({ steps: 4, rule: 'riemannLeft' }).ig({ steps: 16, label: 'ig16' }), { seed: 3 }));
  // 4 left-Riemann steps miss Δf: the trained model's run says so once; the randomized models' runs, whose
  // attributions are only ranked, print nothing.
  assert.equal(warn.mock.calls.filter((c) => /^pathlens: ig: the attributions do not add up/.test(String(c.arguments[0]))).length, 1);
  warn.mock.restore();
  assert.deepEqual(r.methods, ['gradient', 'ig', 'ig16']);
  assert.deepEqual(r.layers, model.layers.filter((l) => l.trainableWeights.length > 0).map((l) => l.name).reverse());
  for (const m of r.methods) {
    assert.equal(r.correlation[m].length, r.layers.length);
    r.correlation[m].forEach((step) => assert.equal(step.length, 6));
  }
  // Fully randomized, the gradient no longer ranks pixels as the trained model's did.
  const gradient = r.meanCorrelation.gradient.at(-1)!;
  assert.ok(gradient < 0.6, `gradient: mean ρ of |attribution| after randomizing every layer is ${gradient}`);
  // |IG| from a zero baseline is x ⊙ (average gradient): zero wherever the digit is black, whatever the
  // weights. Those shared zeros keep the rank correlation of |IG| high (Adebayo et al.'s observation
  // for gradient ⊙ input), while the signed attributions decorrelate.
  assert.ok(r.meanCorrelation.ig16.at(-1)! > 0.9, `|ig| ρ ${r.meanCorrelation.ig16.at(-1)}`);
  const signed = await modelRandomization(model, x, (b) => b.ig({ steps: 16 }), { seed: 3, absolute: false });
  assert.ok(signed.meanCorrelation.ig.every((rho) => rho < 0.3), `signed ig ρ ${signed.meanCorrelation.ig}`);
  const same = model.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(same, weightsBefore, 'the trained weights are restored');
  await assert.rejects(modelRandomization((() => tf.zeros([1, 1])) as never, x, (b) => b.gradient()), /model: expected a tf.LayersModel/);
  await assert.rejects(modelRandomization(model, x, 'gradient' as never), /plan: expected a function/);
  tf.dispose([images, x]);
  model.dispose();
});
