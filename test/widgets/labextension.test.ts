// The prebuilt JupyterLab extension (dist/labextension), loaded for real in Chromium: a JupyterLab-like page
// (page/lab.ts) fetches its remoteEntry from the URL JupyterLab serves extensions under, gives it the host's
// shared modules through a webpack share scope, activates its plugins against a real RenderMimeRegistry and
// renders a pathlens figure's mime bundle through JupyterLab's own OutputArea. Checked: the widget module is
// registered with classes built on the host's @jupyter-widgets/base; the Plotly renderer draws an SVG from
// plotly.js, fetched only with the first figure; the explorer renders from saved state with the extension's
// classes; a Plotly renderer already registered is left in place.
// Needs Chromium (no Jupyter); skipped without it, except under CI where it fails.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { explain, JUPYTER_DISPLAY } from '../../src/index.js';
import { removeBuffers } from '../../src/widgets/buffers.js';
import { explorerState } from '../../src/widgets/explorer.js';
import { MODEL_NAMES, VIEW_NAMES, WIDGET_MODULE, WIDGET_PACKAGE_VERSION } from '../../src/widgets/module.js';
import { widgetData } from '../../src/widgets/pathData.js';
import { CHROMIUM, missingChromium, skipUnlessAvailable } from '../jupyter.js';
import { buildLabPage } from './pages.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const ORIGIN = 'http://jupyterlab.test';
const EXTENSION = 'pathlens-jupyterlab';
const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

const skip = skipUnlessAvailable(missingChromium());

let work = '';
let browser: Browser;
let page: Page;
const requests: string[] = [];
const outside: string[] = [];
const problems: string[] = [];

const version = (name: string) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;

before(async () => {
  if (skip) return;
  const r = spawnSync('npm', ['run', '--silent', 'build:widgets'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  work = mkdtempSync(join(tmpdir(), 'pathlens-lab-'));
  await buildLabPage(ROOT, work);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'], headless: true });
  page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
  // JupyterLab serves a prebuilt extension's files under lab/extensions/<name>/.
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) {
      outside.push(url.href);
      return route.abort();
    }
    requests.push(url.pathname);
    const prefix = `/lab/extensions/${EXTENSION}/`;
    const file = url.pathname.startsWith(prefix) ? join(ROOT, 'dist/labextension', url.pathname.slice(prefix.length)) : join(work, url.pathname.replace(/^\/lab\//, ''));
    if (!existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ body: readFileSync(file), contentType: file.endsWith('.html') ? 'text/html' : 'text/javascript' });
  });
  await page.goto(`${ORIGIN}/lab/lab.html`);
  await page.waitForFunction('window.lab');
});

after(async () => {
  await browser?.close();
  if (work && !process.env.PATHLENS_KEEP) rmSync(work, { recursive: true, force: true });
});

/** A real pathlens figure (the trajectories of a tiny model's explanation) and its explorer as saved widget state. */
async function pathlensOutputs(): Promise<{ figure: Record<string, unknown>; widgets: Record<string, unknown> }> {
  const W = tf.tensor2d(Array.from({ length: 16 * 3 }, (_, i) => Math.sin(1.3 * i)), [16, 3]);
  const model = (b: tf.Tensor) => tf.tidy(() => tf.tanh(tf.matMul(b.reshape([b.shape[0], 16]), W)));
  const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => (i % 5) / 5), [1, 4, 4, 1]);
  const ex = await explain(model, x).ig({ steps: 8 }).guidedIG({ steps: 8 });
  const figure = ex.trajectory()[JUPYTER_DISPLAY]() as Record<string, unknown>;
  // The state a notebook saves for ex.widget('explorer'): binary traits as base64 buffers.
  const split = removeBuffers(explorerState(widgetData(ex, null, 0, false), 'pathlens attribution explorer'));
  const s = split.state;
  const buffers = split.bufferPaths.map((path, i) => {
    const b = split.buffers[i];
    const bytes = ArrayBuffer.isView(b) ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b);
    return { path, encoding: 'base64', data: bytes.toString('base64') };
  });
  const widgets = { version_major: 2, version_minor: 0, state: { explorer0: { model_name: s._model_name, model_module: s._model_module, model_module_version: s._model_module_version, state: s, buffers } } };
  ex.dispose();
  tf.dispose([W, x]);
  return { figure, widgets };
}

test('the prebuilt labextension loads like JupyterLab loads it, registers the widgets on the shared base and renders Plotly figures with plotly.js fetched on first use', { skip, timeout: 180_000 }, async (t) => {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist/labextension/package.json'), 'utf8'));
  const versions = Object.fromEntries(['@jupyter-widgets/base', '@jupyterlab/rendermime', '@lumino/widgets'].map((n) => [n, version(n)]));
  const plugins = await page.evaluate(([entry, name, v]) => (globalThis as unknown as { lab: { load(e: string, n: string, v: unknown): Promise<unknown> } }).lab.load(entry as string, name as string, v), [`${ORIGIN}/lab/extensions/${EXTENSION}/${meta.jupyterlab._build.load}`, meta.name, versions] as const);
  assert.deepEqual(plugins, [
    { id: 'pathlens:widgets', autoStart: true, requires: ['IJupyterWidgetRegistry'] },
    { id: 'pathlens:plotly', autoStart: true, requires: ['IRenderMimeRegistry'] },
  ]);
  const isPlotlyChunk = (p: string) => /\/static\/plotly\.[0-9a-f]+\.js$/.test(p);
  assert.ok(!requests.some(isPlotlyChunk), 'plotly.js is not fetched when the extension loads');

  const activated = (await page.evaluate(() => (globalThis as unknown as { lab: { activate(e: boolean): unknown } }).lab.activate(false))) as { widgets: { name: string; version: string; classes: string[]; modelsExtendHostBase: boolean; viewsExtendHostBase: boolean }[]; plotlyIsOther: boolean };
  assert.equal(activated.widgets.length, 1);
  const [w] = activated.widgets;
  assert.deepEqual([w.name, w.version], [WIDGET_MODULE, WIDGET_PACKAGE_VERSION]);
  for (const cls of [...Object.values(MODEL_NAMES), ...Object.values(VIEW_NAMES)]) assert.ok(w.classes.includes(cls), `${cls} is registered`);
  assert.ok(w.modelsExtendHostBase && w.viewsExtendHostBase, "the widget classes extend the host's @jupyter-widgets/base (shared, not bundled)");

  const { figure: bundle, widgets } = await pathlensOutputs();
  assert.ok(bundle[PLOTLY_MIME], 'the trajectory view carries Plotly JSON');
  const figure = bundle[PLOTLY_MIME] as { data: { name?: string }[] };
  const show = (trusted: boolean) => page.evaluate(([b, tr]) => (globalThis as unknown as { lab: { show(b: unknown, t: boolean): Promise<string> } }).lab.show(b, tr as boolean), [bundle, trusted] as const);
  // An untrusted notebook (opened from elsewhere) and a trusted one both pick the Plotly renderer over text/html and the image.
  assert.equal(await show(false), PLOTLY_MIME);
  assert.equal(await show(true), PLOTLY_MIME);
  await page.waitForFunction("document.querySelectorAll('.cell .pathlens-plotly svg.main-svg').length >= 2", undefined, { timeout: 60_000 });
  const drawn = await page.$$eval('.cell', (cells) =>
    cells.map((c) => ({ traces: c.querySelectorAll('.pathlens-plotly .scatterlayer .trace').length, legend: [...c.querySelectorAll('.pathlens-plotly .legendtext')].map((e) => e.textContent), width: c.querySelector('.pathlens-plotly svg.main-svg')?.getBoundingClientRect().width ?? 0, scripts: c.querySelectorAll('script').length })),
  );
  for (const d of drawn) {
    assert.ok(d.traces >= figure.data.length - 1, `the SVG has the figure's traces (${d.traces} of ${figure.data.length})`);
    assert.ok(d.legend.includes('ig') && d.legend.includes('guidedIG'), `the legend names the methods: ${JSON.stringify(d.legend)}`);
    assert.ok(d.width > 600, `the plot fills the output's width (${d.width} px)`);
    assert.equal(d.scripts, 0, 'the text/html alternative was not used');
  }
  assert.equal(requests.filter(isPlotlyChunk).length, 1, 'plotly.js is fetched once, by the first figure');

  // The registered widget code renders: the explorer from saved state, drawn by the extension's view.
  assert.equal(await page.evaluate((st) => (globalThis as unknown as { lab: { showWidgets(s: unknown): Promise<number> } }).lab.showWidgets(st), widgets), 1);
  await page.waitForSelector('.widget .pathlens-explorer canvas.pathlens-main');
  const coloured = await page.$eval('.widget .pathlens-explorer canvas.pathlens-main', (node) => {
    const c = node as unknown as { width: number; height: number; getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) n++;
    return n / (c.width * c.height);
  });
  assert.ok(coloured > 0.3, `the explorer's heatmap is drawn (${(coloured * 100).toFixed(0)}% coloured pixels)`);
  assert.deepEqual(await page.$$eval('.widget .pathlens-explorer select.pathlens-method option', (os) => os.map((o) => (o as unknown as { value: string }).value)), ['ig', 'guidedIG']);
  const screenshot = join(process.env.PATHLENS_SCREENSHOT_DIR ?? work, 'labextension-plotly.png');
  await page.locator('.cell').first().screenshot({ path: screenshot });
  t.diagnostic(`screenshot: ${screenshot}`);

  // A Plotly renderer registered before (jupyterlab-plotly's) stays: ours does not replace it.
  const again = (await page.evaluate(() => (globalThis as unknown as { lab: { activate(e: boolean): unknown } }).lab.activate(true))) as { plotlyIsOther: boolean };
  assert.equal(again.plotlyIsOther, true);
  assert.equal(await show(true), PLOTLY_MIME);
  await page.waitForFunction("[...document.querySelectorAll('.cell')].at(-1).textContent.includes('the other Plotly renderer')");

  assert.deepEqual(outside, [], 'the page asked for the network');
  assert.deepEqual(problems, [], 'page errors and warnings (an unsatisfied shared version would warn here)');
});
