import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bokehImage } from '../../src/metrics/bokeh.js';
import { aggregatePic, picCurve, picSkipReason, revealMask } from '../../src/metrics/pic.js';
import { quantileLinear } from '../../src/metrics/curves.js';
import { deflateEntropy } from '../../src/metrics/entropy.js';
import { webpEntropy } from '../../src/metrics/webpEntropy.js';
import { spearman } from '../../src/metrics/rankCorrelation.js';
import { fixtureNames, loadFixture, maxAbsDiff } from '../helpers.js';

// PIC (SIC/AIC) against the reference's outputs (spec guided-ig.md §4). The reference's entropies are
// lossless-WebP sizes and its bokeh images depend on Qhull's tie-breaking, so the curve logic is
// checked with the fixtures' injected entropies and predictions (at 1e-12), as their README says.

const TOL = 1e-12;

for (const name of fixtureNames('guided-ig', 'pic_curve_')) {
  test(`PIC curve from injected entropies and predictions: ${name}`, () => {
    const f = loadFixture('guided-ig', name);
    const curve = picCurve({
      originalEntropy: f.original_entropy,
      blurredEntropy: f.fully_blurred_entropy,
      originalPrediction: f.original_prediction,
      blurredPrediction: f.fully_blurred_prediction,
      perThreshold: f.per_threshold_entropy_and_prediction,
      keepMonotonous: f.keep_monotonous,
      numDataPoints: f.num_data_points,
    });
    assert.equal(curve.x.length, f.num_data_points + 1);
    assert.ok(maxAbsDiff(curve.x, f.expected.curve_x) <= TOL, 'curve_x');
    assert.ok(maxAbsDiff(curve.y, f.expected.curve_y) <= TOL, `curve_y: max |Δ| ${maxAbsDiff(curve.y, f.expected.curve_y)}`);
    assert.ok(Math.abs(curve.auc - f.expected.auc) <= TOL, `auc ${curve.auc} vs ${f.expected.auc}`);
  });
}

test('PIC aggregation: per-point median and mean, AUC on the first x grid', () => {
  const f = loadFixture('guided-ig', 'pic_aggregate.json');
  const curves = f.inputs_curve_y.map((y: number[]) => ({ x: f.curve_x, y }));
  for (const method of ['median', 'mean'] as const) {
    const agg = aggregatePic(curves, method);
    assert.ok(maxAbsDiff(agg.y, f[method].curve_y) <= TOL, `${method} curve_y`);
    assert.ok(Math.abs(agg.auc - f[method].auc) <= TOL, `${method} auc ${agg.auc} vs ${f[method].auc}`);
  }
  assert.throws(() => aggregatePic([]), /curves: expected at least one/);
});

for (const name of fixtureNames('guided-ig', 'pic_sic_')) {
  const f = loadFixture('guided-ig', name);
  const saliency: number[] = f.saliency_map.flat();
  const randomMask: boolean[] = f.random_mask.flat();
  const thresholds: number[] = f.params.saliency_thresholds;

  test(`PIC mask rule (quantile → revealed pixels), exactly: ${name}`, () => {
    f.expected.per_threshold.forEach((p: { threshold: number; saliency_quantile: number; revealed_pixel_count_before_corners: number }, i: number) => {
      assert.equal(p.threshold, thresholds[i]);
      assert.equal(quantileLinear(saliency, 1 - p.threshold), p.saliency_quantile, `quantile at t = ${p.threshold}`);
      const revealed = revealMask(saliency, p.threshold, randomMask).reduce((a, b) => a + b, 0);
      assert.equal(revealed, p.revealed_pixel_count_before_corners, `revealed pixels at t = ${p.threshold}`);
    });
  });

  test(`PIC curve with the reference's entropies and predictions injected: ${name}`, () => {
    const e = f.expected;
    const base = {
      originalEntropy: e.original_entropy_bytes,
      blurredEntropy: e.fully_blurred_entropy_bytes,
      originalPrediction: e.original_prediction,
      blurredPrediction: e.fully_blurred_prediction,
    };
    assert.equal(picSkipReason(base, f.params.min_pred_value), null);
    const curve = picCurve({
      ...base,
      perThreshold: e.per_threshold.map((p: { entropy_bytes: number; prediction: number }) => [p.entropy_bytes, p.prediction]),
      keepMonotonous: f.params.keep_monotonous,
      numDataPoints: f.params.num_data_points,
    });
    assert.ok(maxAbsDiff(curve.y, e.curve_y) <= TOL, `curve_y: max |Δ| ${maxAbsDiff(curve.y, e.curve_y)}`);
    assert.ok(Math.abs(curve.auc - e.auc) <= TOL, `auc ${curve.auc} vs ${e.auc}`);
  });

  test(`PIC bokeh images: kept pixels exact, the rest close to Qhull's (${name})`, () => {
    const img = Uint8Array.from(f.img_uint8_hwc.flat(2) as number[]);
    const [H, W, C] = [32, 32, 3];
    const masks = [randomMask.map((m) => (m ? 1 : 0)), ...thresholds.map((t) => Array.from(revealMask(saliency, t, randomMask)))];
    masks.forEach((mask, i) => {
      const ours = bokehImage(img, H, W, C, mask);
      const theirs: number[] = f.expected.blurred_images_uint8[i].flat(2);
      let differing = 0;
      for (let p = 0; p < H * W; p++) {
        for (let c = 0; c < C; c++) {
          const k = p * C + c;
          if (mask[p]) assert.equal(ours[k], img[k], 'a kept pixel changed');
          if (ours[k] !== theirs[k]) differing++;
        }
      }
      // The spec measured up to 277 of 3072 values moved by another Delaunay tie-break.
      assert.ok(differing <= 300, `image ${i}: ${differing} of 3072 values differ from the reference`);
    });
  });
}

test('bokeh image (create_blurred_image): corner rule, full mask, unique triangulations exact', () => {
  const f = loadFixture('guided-ig', 'pic_create_blurred_image.json');
  const [H, W] = [6, 7];
  for (const item of f.items.filter((i: { method: string }) => i.method === 'linear')) {
    const integer = item.image === 'uint8 HWC';
    const C = integer ? 3 : 1;
    const source = integer ? Uint8Array.from(f.image_uint8_hwc.flat(2)) : Float64Array.from(f.image_float_hw.flat());
    const mask: number[] = item.pixel_mask.flat().map((m: boolean) => (m ? 1 : 0));
    const ours = bokehImage(source, H, W, C, mask);
    const expected: number[] = item.output.flat(2);
    assert.equal(ours.length, expected.length, item.mask_name);
    const known = [...mask];
    for (const corner of [0, W - 1, (H - 1) * W, H * W - 1]) known[corner] = 1;
    for (let p = 0; p < H * W; p++) if (known[p]) for (let c = 0; c < C; c++) assert.equal(ours[p * C + c], source[p * C + c]);
    // One interior pixel and the four corners have a unique Delaunay triangulation: equal to the reference.
    if (item.mask_name === 'single interior pixel' || item.mask_name === 'full') {
      assert.ok(maxAbsDiff(ours, expected) <= (integer ? 0 : 1e-12), `${item.mask_name} ${item.image}: max |Δ| ${maxAbsDiff(ours, expected)}`);
    }
  }
});

test("the deflate entropy ranks the reference's images as its lossless WebP sizes do", () => {
  const f = loadFixture('guided-ig', 'pic_sic_ig_saliency.json');
  const e = f.expected;
  const webp = [e.fully_blurred_entropy_bytes, ...e.per_threshold.map((p: { entropy_bytes: number }) => p.entropy_bytes), e.original_entropy_bytes];
  const ours = e.blurred_images_uint8.map((img: number[][][]) => deflateEntropy(Uint8Array.from(img.flat(2)), 32, 32, 3));
  assert.equal(ours.length, webp.length);
  const rho = spearman(ours, webp);
  assert.ok(rho >= 0.9, `Spearman ρ ${rho}`);
  assert.ok(ours[0] < ours.at(-1), 'the fully blurred image is simpler than the original');
});

test("the WebP entropy reproduces the reference's lossless-WebP byte counts on its images", async () => {
  const f = loadFixture('guided-ig', 'pic_sic_ig_saliency.json');
  const e = f.expected;
  const webp = [e.fully_blurred_entropy_bytes, ...e.per_threshold.map((p: { entropy_bytes: number }) => p.entropy_bytes), e.original_entropy_bytes];
  const ours = [];
  for (const img of e.blurred_images_uint8) ours.push(await webpEntropy(Uint8Array.from((img as number[][][]).flat(2)), 32, 32, 3));
  assert.deepEqual(ours, webp);
  // A grayscale image is encoded as Pillow encodes it after converting 'L' to RGB.
  const gray = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256);
  const rgb = Uint8Array.from({ length: 192 }, (_, i) => gray[Math.floor(i / 3)]);
  assert.equal(await webpEntropy(gray, 8, 8, 1), await webpEntropy(rgb, 8, 8, 3));
});
