import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pca2 } from '../../src/render/pca.js';
import { remainingSum, trajectoryFigure } from '../../src/render/trajectory.js';

test('remaining Σ attribution runs from each point to the input, whichever way the path goes', () => {
  assert.deepEqual(remainingSum([0, 0.5, 0.9], [1, 2, 3]), [6, 5, 3]);
  assert.deepEqual(remainingSum([1, 0.5, 0.1], [1, 2, 3]), [0, 1, 3]);
});

test('PCA finds the direction of a line and the plane of planar points', () => {
  const line = Array.from({ length: 9 }, (_, i) => [i, 2 * i, -i]);
  const a = pca2(line);
  assert.ok(Math.abs(a.explained[0] - 1) < 1e-9);
  assert.ok(a.coords.every((c) => Math.abs(c[1]) < 1e-6));
  const spread = a.coords.map((c) => c[0]);
  assert.ok(Math.abs(Math.abs(spread[8] - spread[0]) - 8 * Math.sqrt(6)) < 1e-6, 'distances along the line are kept');
  const plane = [[0, 0, 0], [3, 0, 0], [0, 1, 0], [3, 1, 0], [1.5, 0.5, 0]];
  const b = pca2(plane);
  assert.ok(Math.abs(b.explained[0] + b.explained[1] - 1) < 1e-9);
  assert.ok(b.explained[0] > b.explained[1]);
  assert.deepEqual(pca2([[1, 1], [1, 1]]).explained, [0, 0], 'identical points: no variance, no NaN');
  assert.throws(() => pca2([[1, 2], [1]]), /rows\[1\]: expected 2 values/);
});

test('the figure has one panel per kind of data, IG2 distance per reference', () => {
  const base = { progress: [0, 0.5, 1], output: [0.1, 0.4, 0.9], moved: [0.2, 0.3, 0.5], fInput: 1 };
  const figure = trajectoryFigure('t', [
    { ...base, label: 'ig', method: 'ig', stepSum: [0.1, 0.3, 0.5] },
    { ...base, label: 'g', method: 'guidedIG' },
    { ...base, label: 'two', method: 'ig2', progress: [1, 0.5, 0], referenceDistance: [[4, 9], [1, 4], [0, 1], [0, 0]] },
  ]);
  const titles = (figure.layout.annotations as Array<{ text: string }>).map((a) => a.text);
  assert.deepEqual(titles, [
    '<b>explained output along the path</b>',
    '<b>completeness: Σ attr. point→x vs f(x) − f(point)</b>',
    '<b>Guided IG: features moved per step</b>',
    '<b>IG2: representation distance to each reference</b>',
  ]);
  const onAxis = (axis: string) => figure.data.filter((t) => t.xaxis === axis);
  assert.equal(onAxis('x').length, 3);
  assert.deepEqual(onAxis('x2').map((t) => t.y), [[0.9, 0.8, 0.5], [0.9, 0.6, 0.1], [null]], 'Σ attribution, f(x) − f(point), and the legend key of the dotted lines');
  assert.deepEqual(onAxis('x4').map((t) => t.y), [[4, 1, 0, 0], [9, 4, 1, 0]]);
  assert.equal(figure.data.filter((t) => t.showlegend).length, 3, 'one legend entry per method');
  assert.deepEqual(figure.data.filter((t) => t.showlegend !== false).map((t) => t.name), ['ig', 'g', 'two', 'f(x) − f(point), dotted']);
});
