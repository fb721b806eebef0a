// The static chart: the PNG drawn from a figure's Plotly JSON must carry its legend, axes that fit the
// data, and a colour + dash per method that no other method shares.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitRange, niceTicks } from '../../src/render/axes.js';
import { metricsFigure } from '../../src/render/metricsFigure.js';
import { methodStyle, PALETTE } from '../../src/render/plotly.js';
import { indexedPng } from '../../src/render/indexedPng.js';
import { staticChart } from '../../src/render/staticChart.js';
import { trajectoryFigure, type PathSeries } from '../../src/render/trajectory.js';
import { rng } from '../helpers.js';

const steps = (n: number) => Array.from({ length: n }, (_, i) => i / (n - 1));

function series(): PathSeries[] {
  const progress = steps(21);
  const path = (label: string, method: string, outputSpace: PathSeries['outputSpace'], scale: number): PathSeries => ({
    label,
    method,
    progress,
    output: progress.map((p) => scale * p * p),
    moved: progress.map(() => 0.25),
    stepSum: progress.map((_, i) => (i === 0 ? 0 : scale * (progress[i] ** 2 - progress[i - 1] ** 2))),
    fInput: scale,
    outputSpace,
  });
  return [path('ig', 'ig', 'probability', 0.9), path('guidedIG', 'guidedIG', 'probability', 0.88), path('ig2', 'ig2', 'logit', 7)];
}

async function pixels(png: Buffer): Promise<{ data: Uint8ClampedArray; width: number }> {
  const image = await loadImage(png);
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { data: ctx.getImageData(0, 0, image.width, image.height).data, width: image.width };
}

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

test('methods get distinct colour + dash pairs, and IG and Guided IG never look alike', () => {
  const pairs = Array.from({ length: 40 }, (_, i) => methodStyle(i)).map((s) => `${s.color} ${s.dash}`);
  assert.equal(new Set(pairs).size, 40);
  const [a, b] = [methodStyle(0), methodStyle(1)];
  assert.notEqual(a.color, b.color);
  assert.notEqual(a.dash, b.dash);
  assert.ok(!Array.from({ length: 40 }, (_, i) => methodStyle(i).dash).includes('dot' as never), "'dot' is kept for reference curves");
});

test('the static trajectory chart has one legend at the top, output axes that name their space, ranges that fit', async () => {
  const figure = trajectoryFigure('paths <of> "x"', series());
  const chart = staticChart(figure);
  assert.equal(chart.title, 'paths <of> "x"', 'labels are decoded for drawing, never shown as entities');
  assert.deepEqual(chart.legend.map((l) => l.name), ['ig', 'guidedIG', 'ig2', 'f(x) − f(point), dotted']);
  const styles = chart.legend.slice(0, 3).map((l) => `${l.color} ${l.dash}`);
  assert.equal(new Set(styles).size, 3, 'each method its own colour and dash');
  assert.equal(chart.legend[3].dash, 'dot');

  // IG and Guided IG explain probabilities, IG2 logits: separate panels, each axis saying which.
  const titles = chart.panels.map((p) => p.yTitle);
  assert.deepEqual(titles.slice(0, 4), ['f(point): class probability', 'f(point): logit (pre-softmax score)', 'class probability', 'logit (pre-softmax score)']);
  assert.equal(chart.panels[4].yTitle, 'fraction of features moved');
  const moved = chart.panels[4].yRange;
  assert.ok(moved[0] === 0 && moved[1] > 0.25 && moved[1] <= 0.3, `a constant fraction of 0.25 gets a range from 0 just above it, not ${moved}`);

  // Every drawn value lies inside its panel's ranges, and the ranges are not much wider than the data.
  for (const panel of chart.panels) {
    const traces = figure.data.filter((t) => t.xaxis === panel.xAxis);
    const ys = traces.flatMap((t) => (t.y as Array<number | null>).filter((v): v is number => v !== null));
    const xs = traces.flatMap((t) => (t.x as Array<number | null>).filter((v): v is number => v !== null));
    assert.ok(ys.every((v) => v >= panel.yRange[0] && v <= panel.yRange[1]), `${panel.yTitle}: values outside ${panel.yRange}`);
    assert.ok(xs.every((v) => v >= panel.xRange[0] && v <= panel.xRange[1]));
    const span = Math.max(...ys) - Math.min(...ys);
    if (span > 0) assert.ok(panel.yRange[1] - panel.yRange[0] <= 1.25 * span + 1e-9 || panel.yRange[0] === 0, `${panel.yTitle}: range ${panel.yRange} much wider than the data`);
    assert.ok(panel.yTicks.length >= 3 && panel.xTicks.length >= 2, 'ticks on both axes');
  }

  // The PNG: the legend's samples are drawn above the first panel in each method's colour.
  const { data, width } = await pixels(chart.png);
  const top = Math.min(...chart.panels.map((p) => p.box.y));
  for (const item of chart.legend.slice(0, 3)) {
    const [r, g, b] = hex(item.color);
    let found = 0;
    for (let y = 0; y < top; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) found++;
      }
    }
    assert.ok(found > 20, `the legend shows ${item.name} in ${item.color} above the panels (${found} pixels)`);
  }
});

test('a long legend pushes the panels down instead of covering them', () => {
  const many = Array.from({ length: 30 }, (_, i) => ({ ...series()[0], label: `a rather long method label number ${i}` }));
  const chart = staticChart(trajectoryFigure('t', many, undefined, ['output']));
  const rows = new Set(chart.legend.map((l) => l.name)).size;
  assert.equal(rows, 30);
  assert.ok(chart.panels[0].box.y > 30 * 22 / 4, 'panels start below the legend rows');
  assert.ok(chart.height > (trajectoryFigure('t', many, undefined, ['output']).layout.height as number) - 1);
});

test('the metrics figure: one legend entry per method with its AUCs, probability axes from 0 to 1', () => {
  const curve = (method: string, metric: string, auc: number) => ({ method, metric, x: steps(11), y: steps(11).map((v) => v * auc * 2), auc, examples: 3, aggregation: 'mean' as const });
  const figure = metricsFigure([curve('ig', 'insertion', 0.4), curve('guidedIG', 'insertion', 0.45), curve('ig', 'deletion', 0.2), curve('guidedIG', 'deletion', 0.1)]);
  const chart = staticChart(figure);
  assert.deepEqual(chart.legend.map((l) => l.name), ['ig (AUC ins 0.400 · del 0.200)', 'guidedIG (AUC ins 0.450 · del 0.100)']);
  assert.deepEqual(chart.panels.map((p) => p.yRange), [[0, 1.02], [0, 1.02]]);
  assert.deepEqual(chart.panels.map((p) => p.yTitle), ['probability of the class', 'probability of the class']);
  assert.notEqual(chart.legend[0].color, chart.legend[1].color);
  assert.equal(chart.legend[0].color, PALETTE[0]);
});

test('property: fitRange covers the data with little padding; niceTicks are round and inside the range', () => {
  const random = rng(5);
  for (let k = 0; k < 200; k++) {
    const n = 1 + Math.floor(random() * 20);
    const scale = 10 ** Math.floor(random() * 8 - 4);
    const offset = (random() - 0.5) * 10 * scale;
    const values = Array.from({ length: n }, () => offset + (random() - 0.5) * scale * (k % 5 === 0 ? 0 : 1));
    const [lo, hi] = fitRange(values);
    assert.ok(hi > lo);
    assert.ok(values.every((v) => v >= lo && v <= hi));
    const span = Math.max(...values) - Math.min(...values);
    if (span > 1e-9 * Math.abs(offset)) assert.ok(hi - lo <= span * 1.1 + 1e-12, `range ${lo}..${hi} for span ${span}`);
    const ticks = niceTicks(lo, hi);
    assert.ok(ticks.length >= 2 && ticks.length <= 11, `${ticks.length} ticks in ${lo}..${hi}`);
    assert.ok(ticks.every((t) => t >= lo - 1e-9 * Math.abs(lo) && t <= hi + 1e-9 * Math.abs(hi)));
  }
  assert.deepEqual(fitRange([0.25, 0.25], { includeZero: true }), [0, 0.2625]);
  assert.deepEqual(fitRange([0.25, 0.25]), [0.2225, 0.2775], "a constant gets ±10% of its value, padded");
  assert.deepEqual(fitRange([]), [0, 1]);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1]);
});

test('the palette PNG decodes to the same pixels when there are at most 256 colours, and to the nearest ones beyond', async () => {
  const random = rng(9);
  const [w, h] = [37, 23];
  const colours = Array.from({ length: 200 }, () => [0, 0, 0].map(() => Math.floor(random() * 256)));
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([...colours[Math.floor(random() * colours.length)], 255], i * 4);
  const decoded = await pixels(indexedPng(rgba, w, h));
  assert.deepEqual([...decoded.data], [...rgba]);
  const noisy = rgba.map((v, i) => (i % 4 === 3 ? 255 : Math.floor(random() * 256)));
  const approx = await pixels(indexedPng(noisy, w, h));
  assert.equal(approx.data.length, noisy.length);
  assert.throws(() => indexedPng(rgba, w + 1, h), /^Error: rgba: expected/);
});

test('a figure without panels (methods without paths) still draws: title, no legend, a valid size', () => {
  const figure = trajectoryFigure('nothing to plot', [{ label: 'gradient', method: 'gradient', progress: [1], output: [0.5], moved: [0], fInput: 0.5 }]);
  assert.equal(figure.data.length, 0);
  assert.ok((figure.layout.height as number) > 100);
  const chart = staticChart(figure);
  assert.equal(chart.legend.length, 0);
  assert.ok(chart.height > 100 && chart.png.length > 100);
});
