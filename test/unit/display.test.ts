import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { afterEach, before, test } from 'node:test';
import { display, explain, HeatmapView, JUPYTER_DISPLAY, KERNEL_HOOK, PlotlyView, resetPlotlyDelivery, setDisplayOptions, type MimeBundle } from '../../src/index.js';
import { plotlySource } from '../../src/display/plotlyHtml.js';
import { ImageView } from '../../src/display/views.js';
import { escapeHtml, scriptJson } from '../../src/render/escape.js';
import { expectNoLeak, randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';

before(() => useBackend('cpu'));

const globals = globalThis as Record<string | symbol, unknown>;
afterEach(() => {
  delete globals[KERNEL_HOOK];
  delete globals.__tslab__;
});

const random = rng(11);
const d = 16;
const f = randomSmoothModel(random, d, 6, 3);
const imageModel = (batch: tf.Tensor) => f(batch.reshape([batch.shape[0], d]));
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function png(bundle: MimeBundle): Buffer {
  assert.equal(typeof bundle['image/png'], 'string');
  const bytes = Buffer.from(bundle['image/png'] as string, 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
  return bytes;
}

test('image and Plotly bundles have the right mime types; plotly.js goes out once', async () => {
  const x = randomTensor(random, [2, 4, 4, 1]);
  const ex = await explain(imageModel, x).ig({ steps: 6, keepPath: true }).guidedIG({ steps: 6, keepPath: true });
  const heatmap = ex.heatmap();
  assert.ok(heatmap instanceof HeatmapView);
  const image = heatmap[JUPYTER_DISPLAY]();
  assert.deepEqual(Object.keys(image).sort(), ['image/png', 'text/plain']);
  assert.equal(png(image).length, heatmap.png.length);
  assert.match(image['text/plain'], /2 example\(s\) × 2 method\(s\)/);

  resetPlotlyDelivery();
  const trajectory = ex.trajectory();
  assert.ok(trajectory instanceof PlotlyView);
  const first = trajectory[JUPYTER_DISPLAY]();
  assert.deepEqual(Object.keys(first).sort(), ['application/vnd.plotly.v1+json', 'image/png', 'text/plain'], 'by default no plotly.js in the notebook');
  assert.deepEqual(png(first), Buffer.from(trajectory.image.png));
  const figure = first['application/vnd.plotly.v1+json'] as { data: unknown[]; layout: { annotations: Array<{ text: string }> } };
  assert.ok(Array.isArray(figure.data) && figure.data.length > 0);
  assert.deepEqual(
    figure.layout.annotations.map((a) => a.text),
    ['<b>explained output along the path</b>', '<b>completeness: Σ attr. point→x vs f(x) − f(point)</b>', '<b>Guided IG: features moved per step</b>', '<b>path points, projected on 2 principal components</b>'],
  );
  const source = plotlySource();
  assert.ok(source.length > 1_000_000);
  const inline = ex.trajectory({ plotly: 'inline' })[JUPYTER_DISPLAY]();
  assert.deepEqual(Object.keys(inline).sort(), ['application/vnd.plotly.v1+json', 'image/png', 'text/html', 'text/plain']);
  assert.ok((inline['text/html'] as string).includes(source.slice(0, 2000)), "plotly: 'inline' carries plotly.js");
  assert.match(inline['text/html'] as string, /class="pathlens-plot"[^>]*><img class="pathlens-image" src="data:image\/png;base64,/, 'the static image fills the div until plotly.js draws');
  const second = ex.trajectory({ example: 1, plotly: 'inline' })[JUPYTER_DISPLAY]();
  assert.ok(!(second['text/html'] as string).includes(source.slice(0, 2000)), 'plotly.js goes out once');
  assert.equal(setDisplayOptions({ plotly: 'inline' }).plotly, 'inline');
  try {
    assert.ok('text/html' in ex.trajectory()[JUPYTER_DISPLAY](), 'the notebook-wide setting applies to every view');
    assert.ok(!('text/html' in ex.trajectory({ plotly: 'renderer' })[JUPYTER_DISPLAY]()), "a view's own setting wins");
  } finally {
    setDisplayOptions({ plotly: 'renderer' });
  }
  assert.throws(() => setDisplayOptions({ plotly: 'cdn' as never }), /^Error: plotly: expected one of 'renderer', 'inline', got "cdn"/);
  assert.throws(() => ex.trajectory({ plotly: 'yes' as never }), /^Error: plotly: expected one of/);
  ex.dispose();
  x.dispose();
});

test('the Explanation displays itself (html + png + text) and show() returns that bundle outside a notebook', async () => {
  const x = randomTensor(random, [2, 4, 4, 1]);
  const ex = await explain(imageModel, x).gradient().ig({ steps: 5 });
  const bundle = ex[JUPYTER_DISPLAY]();
  assert.deepEqual(Object.keys(bundle).sort(), ['image/png', 'text/html', 'text/plain']);
  png(bundle);
  const html = bundle['text/html'] as string;
  assert.match(html, /<img class="pathlens-image" src="data:image\/png;base64,/);
  assert.equal(html.match(/<img class="pathlens-image"/g)?.length, 2, 'heatmaps and the trajectories as images');
  assert.ok(!html.includes('<script'), 'no plotly.js by default');
  assert.match(html, /<table class="pathlens-table">/);
  assert.match(bundle['text/plain'], /pathlens Explanation: 2 method\(s\)/);
  const shown = ex.show();
  assert.ok(shown && typeof shown['text/html'] === 'string');
  ex.dispose();
  x.dispose();
});

test('display() uses the pathlens kernel hook with the whole bundle, else tslab with one mime type, else returns it', () => {
  const image = new ImageView(Uint8Array.from(PNG_SIGNATURE), 1, 1, 'a picture');
  const figure = new PlotlyView({ data: [], layout: {} }, 'a plot');
  assert.deepEqual(display(image), image[JUPYTER_DISPLAY]());

  const raw: Array<[string, unknown]> = [];
  globals.__tslab__ = { require: (id: string) => (id === 'tslab' ? { display: { raw: (mime: string, data: unknown) => raw.push([mime, data]) } } : undefined) };
  assert.equal(display(image), undefined);
  assert.equal(figure.show(), undefined);
  assert.deepEqual(raw.map(([mime]) => mime), ['image/png', 'image/png'], 'tslab gets the static image of a plot');
  assert.equal(raw[0][1], image.toBase64());

  const sent: Array<{ bundle: MimeBundle; options?: unknown; update?: string }> = [];
  globals[KERNEL_HOOK] = {
    version: 1,
    display: (bundle: MimeBundle, options?: unknown) => sent.push({ bundle, options }),
    updateDisplay: (bundle: MimeBundle, update: string) => sent.push({ bundle, update }),
  };
  assert.equal(display(figure, { displayId: 'p1' }), undefined);
  display(image, { displayId: 'p1', update: true });
  assert.equal(raw.length, 2, 'the hook wins over tslab');
  assert.deepEqual(Object.keys(sent[0].bundle).sort(), ['application/vnd.plotly.v1+json', 'image/png', 'text/plain']);
  figure.show({ plotly: 'inline' });
  assert.ok(typeof sent.at(-1)!.bundle['text/html'] === 'string', "show({ plotly: 'inline' })");
  assert.deepEqual(sent[0].options, { displayId: 'p1' });
  assert.equal(sent[1].update, 'p1');
  assert.throws(() => display({} as MimeBundle), /^Error: value: expected a mime bundle/);
});

test('labels are escaped in HTML and in Plotly text; JSON in scripts cannot close the script', async () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(scriptJson({ s: '</script><!--' }), '{"s":"\\u003c/script\\u003e\\u003c!--"}');
  const x = randomTensor(random, [1, 4, 4, 1]);
  const ex = await explain(imageModel, x).ig({ steps: 4, label: '<script>alert(1)</script>' });
  const names = ['<i>cat</i>', '<i>dog</i>', '<i>eel</i>'];
  const html = ex.toHTML({ title: '<title>', classNames: names });
  assert.ok(!html.includes('<script>alert(1)'), 'a method label became a script');
  assert.ok(!html.includes('<i>'), 'a class name became markup');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('<title>&lt;title&gt;</title>'));
  const figure = ex.trajectory({ classNames: names }).figure;
  const text = JSON.stringify(figure);
  assert.ok(!text.includes('<script>') && !text.includes('<i>'), 'raw labels in the Plotly figure');
  ex.dispose();
  x.dispose();
});

test('flat vectors and sequences get bar and strip heatmaps; views and report leave no tensors behind', async () => {
  const vector = randomTensor(random, [3, d], -1, 1);
  const sequence = randomTensor(random, [2, 8, 2], -1, 1);
  await expectNoLeak(async () => {
    const a = await explain(f, vector).gradient().ig({ steps: 4, keepPath: true });
    const bars = a.heatmap({ sign: 'all', sharedScale: true });
    assert.equal(bars.layout.kind, 'vector');
    assert.equal(bars.cells.length, 3);
    assert.equal(bars.scales[0][0], bars.scales[0][1]);
    assert.ok(a.toHTML().length > 1_000_000);
    a.dispose();
    const b = await explain(imageModel, sequence).ig({ steps: 4 });
    assert.equal(b.heatmap().layout.kind, 'sequence');
    b.trajectory();
    b.dispose();
  });
  tf.dispose([vector, sequence]);
});

test('bad view options fail with an error naming the option', async () => {
  const x = randomTensor(random, [2, 4, 4, 1]);
  const ex = await explain(imageModel, x).ig({ steps: 4 });
  assert.throws(() => ex.heatmap({ methods: ['nope'] }), /^Error: methods: expected names among 'ig', got 'nope'/);
  assert.throws(() => ex.heatmap({ examples: [5] }), /^Error: examples: expected an example index in \[0, 2\), got 5/);
  assert.throws(() => ex.heatmap({ sign: 'all', colormap: 'magma' }), /^Error: colormap:/);
  assert.throws(() => ex.trajectory({ example: -1 }), /^Error: example:/);
  assert.throws(() => ex.trajectory({ panels: ['pie' as never] }), /^Error: panels:/);
  assert.throws(() => ex.toHTML({ trajectories: 1.5 }), /^Error: trajectories:/);
  ex.dispose();
  assert.throws(() => ex.heatmap(), /explanation: already disposed/);
  x.dispose();
});
