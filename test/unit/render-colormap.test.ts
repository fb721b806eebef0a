import { createCanvas, loadImage } from '@napi-rs/canvas';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorAt, colormapTable, cssColor } from '../../src/render/colormap.js';
import { heatmapGrid } from '../../src/render/heatmapGrid.js';
import { resolveHeatmapOptions } from '../../src/render/heatmapOptions.js';
import { applySign, grayscale, layoutOf, percentileOfAbs, reduceChannels, scaleOf, toUnit } from '../../src/render/normalize.js';
import { colorize } from '../../src/render/pixels.js';

test('colormaps give their published colours at the ends and the centre', () => {
  assert.equal(cssColor(colorAt('viridis', 0)), '#440154');
  assert.equal(cssColor(colorAt('viridis', 0.5)), '#21918c');
  assert.equal(cssColor(colorAt('viridis', 1)), '#fde725');
  assert.equal(cssColor(colorAt('magma', 0)), '#000004');
  assert.equal(cssColor(colorAt('magma', 1)), '#fcfdbf');
  assert.equal(cssColor(colorAt('coolwarm', 0)), '#3b4cc0');
  assert.equal(cssColor(colorAt('coolwarm', 0.5)), '#dddddd');
  assert.equal(cssColor(colorAt('coolwarm', 1)), '#b40426');
  // Out of range and NaN clamp instead of reading outside the table.
  assert.deepEqual(colorAt('viridis', -3), colorAt('viridis', 0));
  assert.deepEqual(colorAt('viridis', 7), colorAt('viridis', 1));
  assert.deepEqual(colorAt('viridis', NaN), colorAt('viridis', 0));
});

test('sequential maps get lighter monotonically (perceptual order)', () => {
  for (const name of ['viridis', 'magma'] as const) {
    const t = colormapTable(name);
    const luma = (i: number) => 0.2126 * t[i * 3] + 0.7152 * t[i * 3 + 1] + 0.0722 * t[i * 3 + 2];
    for (let i = 1; i < t.length / 3; i++) assert.ok(luma(i) >= luma(i - 1) - 0.5, `${name} darkens at ${i}`);
  }
});

test('channel reduction: sum or sum of |values| per pixel', () => {
  const layout = layoutOf([1, 2, 3]);
  assert.deepEqual(layout, { kind: 'image', height: 1, width: 2, channels: 3 });
  assert.deepEqual(Array.from(reduceChannels([1, -2, 3, -1, -1, -1], layout, 'sum')), [2, -3]);
  assert.deepEqual(Array.from(reduceChannels([1, -2, 3, -1, -1, -1], layout, 'sumAbs')), [6, 3]);
  assert.throws(() => reduceChannels([1, 2], layout, 'sum'), /values: expected 6 numbers/);
  assert.deepEqual(layoutOf([5, 4]), { kind: 'sequence', height: 1, width: 5, channels: 4 });
  assert.deepEqual(layoutOf([7]), { kind: 'vector', height: 1, width: 7, channels: 1 });
  assert.deepEqual(layoutOf([2, 2, 2, 2]), { kind: 'vector', height: 1, width: 16, channels: 1 });
});

test('sign selection, percentile clipping and scaling to [0, 1]', () => {
  const v = [-2, -1, 0, 1, 4];
  assert.deepEqual(Array.from(applySign(v, 'absolute')), [2, 1, 0, 1, 4]);
  assert.deepEqual(Array.from(applySign(v, 'positive')), [0, 0, 0, 1, 4]);
  assert.deepEqual(Array.from(applySign(v, 'negative')), [2, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(applySign(v, 'all')), v);
  // numpy.percentile(|v|, 50) = 1, (|v|, 75) = 2, (|v|, 87.5) = 3
  assert.equal(percentileOfAbs(v, 50), 1);
  assert.equal(percentileOfAbs(v, 75), 2);
  assert.equal(percentileOfAbs(v, 87.5), 3);
  assert.equal(percentileOfAbs(v, 100), 4);
  // One hot pixel among 1000 does not set the scale at the 99.5th percentile.
  const hot = new Array<number>(1000).fill(1);
  hot[17] = 1000;
  assert.equal(scaleOf([hot], 99.5), 1);
  assert.deepEqual(Array.from(toUnit([0, 0.5, 1, 3], 1, 'absolute')), [0, 0.5, 1, 1]);
  assert.deepEqual(Array.from(toUnit([-2, -1, 0, 1, 2], 2, 'all')), [0, 0.25, 0.5, 0.75, 1]);
});

test('a constant map and an all-zero map do not divide by zero', () => {
  const zeros = new Array<number>(9).fill(0);
  assert.equal(scaleOf([zeros], 99.5), 0);
  assert.deepEqual(Array.from(toUnit(zeros, 0, 'absolute')), zeros);
  assert.deepEqual(Array.from(toUnit(zeros, 0, 'all')), new Array<number>(9).fill(0.5));
  const constant = new Array<number>(9).fill(-3);
  const scale = scaleOf([applySign(constant, 'absolute')], 99.5);
  assert.equal(scale, 3);
  assert.deepEqual(Array.from(toUnit(applySign(constant, 'absolute'), scale, 'absolute')), new Array<number>(9).fill(1));
  // Mostly zeros: the percentile is 0, the scale falls back to the largest value.
  const sparse = new Array<number>(1000).fill(0);
  sparse[3] = 2;
  assert.equal(scaleOf([sparse], 99.5), 2);
  assert.deepEqual(Array.from(grayscale([5, 5, 5, 5], layoutOf([2, 2, 1]))), [0.5, 0.5, 0.5, 0.5]);
  const pixels = colorize(toUnit(zeros, 0, 'absolute'), 'viridis');
  assert.deepEqual(Array.from(pixels.slice(0, 4)), [0x44, 0x01, 0x54, 255]);
});

test('overlay: alpha blends the colour over the grayscale input', () => {
  const rgba = colorize([1, 0], 'viridis', [1, 0], 0.25);
  // 0.75·255 + 0.25·(253, 231, 37); 0.75·0 + 0.25·(68, 1, 84)
  assert.deepEqual(Array.from(rgba), [Math.round(191.25 + 63.25), Math.round(191.25 + 57.75), Math.round(191.25 + 9.25), 255, 17, 0, 21, 255]);
  assert.throws(() => colorize([1], 'viridis', [1], 2), /alpha: expected a number in \[0, 1\]/);
});

test('options: defaults, and bad ones name themselves', () => {
  const o = resolveHeatmapOptions();
  assert.deepEqual(o, { sign: 'absolute', reduce: 'sum', clip: 99.5, colormap: 'viridis', overlay: true, alpha: 0.6, sharedScale: false, cellSize: 128 });
  assert.equal(resolveHeatmapOptions({ sign: 'all' }).colormap, 'coolwarm');
  assert.throws(() => resolveHeatmapOptions({ sign: 'both' as never }), /^Error: sign: expected one of 'absolute', 'positive', 'negative', 'all', got "both"/);
  assert.throws(() => resolveHeatmapOptions({ sign: 'all', colormap: 'viridis' }), /^Error: colormap: sign 'all' needs a diverging colormap/);
  assert.throws(() => resolveHeatmapOptions({ clip: 120 }), /^Error: clip: expected a number in \[0, 100\]/);
  assert.throws(() => resolveHeatmapOptions({ alpha: -1 }), /^Error: alpha:/);
  assert.throws(() => resolveHeatmapOptions({ reduce: 'max' as never }), /^Error: reduce:/);
});

async function decode(png: Buffer) {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  return (x: number, y: number) => Array.from(data.slice((y * image.width + x) * 4, (y * image.width + x) * 4 + 3));
}

test('the grid PNG: known maps give known colours where each cell is; sharedScale gives a row one scale', async () => {
  // Two methods on a 2×2 single-channel image: A = [0, 1, 2, 4], B = 2·A.
  const a = [0, 1, 2, 4];
  const b = a.map((v) => 2 * v);
  const options = resolveHeatmapOptions({ clip: 100, overlay: false, cellSize: 64 });
  const own = heatmapGrid([2, 2, 1], ['A', 'B'], [{ label: 'x', maps: [a, b] }], options);
  assert.deepEqual(own.scales, [[4, 8]]);
  const pixel = await decode(own.png);
  const centre = (col: number, i: number, j: number) => {
    const box = own.cells[0][col];
    return pixel(box.x + Math.floor(((j + 0.5) * box.width) / 2), box.y + Math.floor(((i + 0.5) * box.height) / 2));
  };
  const rgb = (t: number) => Array.from(colorAt('viridis', t));
  assert.deepEqual(centre(0, 0, 0), rgb(0));
  assert.deepEqual(centre(0, 0, 1), rgb(0.25));
  assert.deepEqual(centre(0, 1, 1), rgb(1));
  assert.deepEqual(centre(1, 1, 1), rgb(1), 'on its own scale B looks like A');
  assert.deepEqual(centre(1, 0, 1), rgb(0.25));

  const shared = heatmapGrid([2, 2, 1], ['A', 'B'], [{ label: 'x', maps: [a, b] }], { ...options, sharedScale: true });
  assert.deepEqual(shared.scales, [[8, 8]]);
  const sharedPixel = await decode(shared.png);
  const box = shared.cells[0][0];
  assert.deepEqual(sharedPixel(box.x + box.width - 2, box.y + box.height - 2), rgb(0.5), 'on the shared scale A saturates at half');

  const zero = heatmapGrid([2, 2, 1], ['Z'], [{ label: 'x', maps: [[0, 0, 0, 0]] }], resolveHeatmapOptions({ sign: 'all', overlay: false }));
  const zeroPixel = await decode(zero.png);
  assert.deepEqual(zeroPixel(zero.cells[0][0].x + 5, zero.cells[0][0].y + 5), [0xdd, 0xdd, 0xdd], 'an all-zero map sits at the diverging centre');
});

test('non-image inputs: a vector gets bars, a sequence a strip, instead of failing', async () => {
  const options = resolveHeatmapOptions({ sign: 'all', overlay: false, clip: 100, cellSize: 64 });
  const bars = heatmapGrid([4], ['m'], [{ label: 'x', maps: [[1, -1, 0.5, 0]] }], options);
  const px = await decode(bars.png);
  const box = bars.cells[0][0];
  const barX = (i: number) => box.x + Math.floor(((i + 0.5) * box.width) / 4);
  assert.deepEqual(px(barX(0), box.y + 4), Array.from(colorAt('coolwarm', 1)), 'bar 0 reaches the top in red');
  assert.deepEqual(px(barX(1), box.y + box.height - 4), Array.from(colorAt('coolwarm', 0)), 'bar 1 reaches the bottom in blue');
  assert.notDeepEqual(px(barX(2), box.y + 4), Array.from(colorAt('coolwarm', 1)), 'bar 2 is half as tall');
  const strip = heatmapGrid([3, 2], ['m'], [{ label: 'x', maps: [[1, 1, 0, 0, -1, -1]] }], options);
  const sp = await decode(strip.png);
  const s = strip.cells[0][0];
  assert.equal(strip.layout.kind, 'sequence');
  assert.deepEqual(sp(s.x + 2, s.y + 2), Array.from(colorAt('coolwarm', 1)));
  assert.deepEqual(sp(s.x + s.width - 3, s.y + 2), Array.from(colorAt('coolwarm', 0)));
});

test('bars and strips have axes: a value axis and zero line for bars, position labels under both; featureNames must match', async () => {
  const options = resolveHeatmapOptions({ sign: 'all', overlay: false, clip: 100, cellSize: 64 });
  const plain = heatmapGrid([4], ['m'], [{ label: 'x', maps: [[1, -1, 0.5, 0]] }], options);
  const named = heatmapGrid([4], ['m'], [{ label: 'x', maps: [[1, -1, 0.5, 0]] }], options, '', ['age', 'income', 'height', 'weight']);
  const [px, other] = [await decode(named.png), await decode(plain.png)];
  const box = named.cells[0][0];
  assert.deepEqual(box, plain.cells[0][0], 'names do not move the chart');
  const dark = (p: number[]) => Math.max(...p) < 120;
  assert.ok(dark(px(box.x - 1, box.y + Math.floor(box.height / 4))), 'a value axis left of the bars');
  assert.ok(dark(px(box.x - 3, Math.floor(box.y + box.height / 2))), 'with a tick at zero');
  const labelBand = (get: (x: number, y: number) => number[]) => {
    let inked = 0;
    for (let y = box.y + box.height + 8; y < box.y + box.height + 40; y++) for (let x = box.x; x < box.x + box.width; x++) if (dark(get(x, y))) inked++;
    return inked;
  };
  assert.ok(labelBand(px) > labelBand(other), 'feature names take more ink than indices');
  assert.ok(labelBand(other) > 0, 'indices are written when there are no names');
  assert.throws(() => heatmapGrid([4], ['m'], [{ label: 'x', maps: [[1, -1, 0.5, 0]] }], options, '', ['a']), /featureNames: expected 4 names \(one per feature\), got 1/);
  assert.throws(() => heatmapGrid([3, 2], ['m'], [{ label: 'x', maps: [[1, 1, 0, 0, -1, -1]] }], options, '', ['a']), /featureNames: expected 3 names \(one per position\)/);
});
