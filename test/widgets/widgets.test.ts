// The widgets for real: Debian's jupyter_server on loopback runs the pathlens kernel; headless Chromium
// (playwright-core) loads a page with @jupyterlab/services and a ManagerBase widget manager over our ESM
// build. User actions round-trip through the kernel and redraw the views (checked on canvas pixels), the
// kernel's own updates redraw them, malformed messages leave both alive, and a reload restores every
// widget through jupyter.widget.control. Then the quick-start tutorial (it ends with both widgets), executed by nbclient
// with its widget state saved, renders offline through html-manager and our AMD bundle.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildPages, staticPage, WIDGET_VIEW } from './pages.js';
import { WIDGET_MODULE_VERSION } from '../../src/widgets/module.js';
import { CHROMIUM, jupyterEnv, missingChromium, missingPython, PYTHON, skipUnlessAvailable } from '../jupyter.js';
import { installKernel, startServer, type Server } from './server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-features=LocalNetworkAccessChecks'];

const skip = skipUnlessAvailable(missingPython(['jupyter_server', 'nbclient'], 'python3-jupyter-server python3-nbclient') ?? missingChromium());

let work = '';
let env: NodeJS.ProcessEnv = {};
let server: Server | undefined;
let context: BrowserContext;
const pages = () => join(work, 'pages');

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: exit ${r.status}\n${r.stdout?.slice(-4000)}\n${r.stderr?.slice(-4000)}`);
  return r;
}

before(async () => {
  if (skip) return;
  // What the sources say now: the library and kernel (tsc), the widget bundles, the notebooks' link.
  run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')]);
  run(process.execPath, [join(ROOT, 'widgets/build.mjs')]);
  run(process.execPath, [join(ROOT, 'notebooks/link-pathlens.mjs')]);
  work = mkdtempSync(join(tmpdir(), 'pathlens-widgets-'));
  mkdirSync(pages());
  await buildPages(ROOT, pages());
  env = jupyterEnv(work);
  installKernel(join(ROOT, 'dist/kernel-ext/cli.js'), work, env);
  server = await startServer(join(ROOT, 'notebooks'), env);
  context = await chromium.launchPersistentContext(join(work, 'profile'), { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1200, height: 1400 } });
});

after(async () => {
  await context?.close();
  await server?.stop();
  if (work && !process.env.PATHLENS_KEEP) rmSync(work, { recursive: true, force: true });
});

/** A digest of a canvas's pixels and how many are clearly coloured. */
function canvasPixels(page: Page, selector: string): Promise<{ hash: number; coloured: number; painted: number }> {
  return page.$eval(selector, (node) => {
    const c = node as unknown as { width: number; height: number; getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let hash = 2166136261;
    let coloured = 0;
    let painted = 0;
    for (let i = 0; i < d.length; i++) hash = Math.imul(hash ^ d[i], 16777619);
    for (let i = 0; i < d.length; i += 4) {
      if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) coloured++;
      if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) painted++;
    }
    return { hash: hash >>> 0, coloured, painted };
  });
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Executed = { status: string; text: string; views: number };
function execute(page: Page, code: string): Promise<Executed> {
  const run = page.evaluate((c) => (globalThis as unknown as { pl: { execute(c: string): Promise<Executed> } }).pl.execute(c), code);
  const limit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no reply in 90 s to: ${code.slice(0, 200)}`)), 90_000).unref());
  return Promise.race([run, limit]);
}

/** Kernel-side values, printed by the kernel as JSON. */
async function kernelValues(page: Page, expression: string): Promise<unknown> {
  const r = await execute(page, `console.log(JSON.stringify(${expression}))`);
  assert.equal(r.status, 'ok', r.text);
  return JSON.parse(r.text.trim().split('\n').at(-1)!);
}

const SETUP = `import * as tf from '@tensorflow/tfjs';
import { explain } from 'pathlens';
const W = tf.tensor2d(Array.from({ length: 64 * 3 }, (_, i) => Math.sin(1.7 * i)), [64, 3]);
const model = (b: tf.Tensor) => tf.tanh(tf.matMul(b.reshape([b.shape[0], 64]), W)).mul(3);
const x = tf.tensor4d(Array.from({ length: 64 }, (_, i) => ((i * 37) % 64) / 64), [1, 8, 8, 1]);
const ex = await explain(model, x).ig({ steps: 16, keepPath: true }).guidedIG({ steps: 24, keepPath: true });
const explorer = ex.widget('explorer');
const player = ex.widget('player');
explorer.show();
player.show();`;

const MAIN = '.pathlens-explorer .pathlens-main';
const ACCUMULATED = '.pathlens-player .pathlens-accumulated';
const TRAJECTORY = '.pathlens-player .pathlens-trajectory';

test('live: both widgets round-trip through the real kernel, redraw on kernel updates, survive malformed messages, and come back after a reload', { skip, timeout: 240_000 }, async (t) => {
  const srv = server!;
  const outside: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${srv.url}/pathlens-test/`)) {
      const file = join(pages(), new URL(url).pathname.replace('/pathlens-test/', ''));
      return route.fulfill({ body: readFileSync(file), contentType: file.endsWith('.html') ? 'text/html' : 'text/javascript' });
    }
    if (url.startsWith(`${srv.url}/`)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  await page.goto(`${srv.url}/pathlens-test/live.html?token=${srv.token}`);
  await page.waitForFunction('window.pl', undefined, { timeout: 60_000 }).catch((e) => assert.fail(`${e}; page errors: ${pageErrors.join('\n')}`));
  await page.evaluate(() => (globalThis as unknown as { pl: { ready: Promise<boolean> } }).pl.ready);

  const setup = await execute(page, SETUP);
  assert.equal(setup.status, 'ok', setup.text);
  assert.equal(setup.views, 2, 'the explorer and the player are displayed');
  await page.waitForSelector(MAIN);
  const first = await canvasPixels(page, MAIN);
  assert.ok(first.coloured > 0.5 * 256 * 256, `the heatmap overlay is drawn (${first.coloured} coloured pixels)`);
  assert.deepEqual(await page.$$eval('.pathlens-explorer select.pathlens-method option', (os) => os.map((o) => (o as unknown as { value: string }).value)), ['ig', 'guidedIG']);

  // Method selector → kernel, and the view redraws.
  await page.selectOption('.pathlens-explorer select.pathlens-method', 'guidedIG');
  const second = await until('the explorer to redraw', () => canvasPixels(page, MAIN), (p) => p.hash !== first.hash);
  assert.ok(second.coloured > 0.5 * 256 * 256);
  await until('the kernel to see the method', () => kernelValues(page, "explorer.get('method')"), (v) => v === 'guidedIG');

  // Shared scale (checkbox) and alpha (slider) → kernel; the thumbnails and the overlay redraw.
  const thumbs = () => page.$$eval('.pathlens-explorer .pathlens-thumb canvas', (cs) => cs.map((c) => (c as unknown as { toDataURL(): string }).toDataURL()).join('|'));
  const thumbs0 = await thumbs();
  await page.click('.pathlens-explorer input.pathlens-shared');
  await until('the thumbnails to share one scale', thumbs, (v) => v !== thumbs0);
  await page.focus('.pathlens-explorer input.pathlens-alpha');
  await page.keyboard.press('Home');
  const unlit = await until('alpha 0 to show the bare input', () => canvasPixels(page, MAIN), (p) => p.coloured === 0);
  assert.notEqual(unlit.hash, second.hash);
  await until('the kernel to see shared scale and alpha 0', () => kernelValues(page, "[explorer.get('shared_scale'), explorer.get('alpha')]"), (v) => JSON.stringify(v) === '[true,0]');
  assert.equal((await execute(page, 'explorer.set({ alpha: 0.6, shared_scale: false })')).status, 'ok');
  await until('the overlay to come back', () => canvasPixels(page, MAIN), (p) => p.hash === second.hash);

  // Step slider (keyboard) → kernel, and the accumulated map and the trajectory marker move.
  const accumulated0 = await canvasPixels(page, ACCUMULATED);
  const trajectory0 = await canvasPixels(page, TRAJECTORY);
  await page.focus('.pathlens-player input.pathlens-step');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.textContent('.pathlens-player .pathlens-step-label'), '5 / 16');
  const accumulated5 = await until('the player to redraw', () => canvasPixels(page, ACCUMULATED), (p) => p.hash !== accumulated0.hash);
  assert.notEqual((await canvasPixels(page, TRAJECTORY)).hash, trajectory0.hash, 'the marker moved');
  await until('the kernel to see step 5', () => kernelValues(page, "player.get('step')"), (v) => v === 5);

  // Kernel-side updates redraw the views.
  assert.equal((await execute(page, "explorer.set({ sign: 'all' }); player.set({ step: 12 })")).status, 'ok');
  await until('the explorer to redraw for sign all', () => canvasPixels(page, MAIN), (p) => p.hash !== second.hash);
  assert.equal(await page.inputValue('.pathlens-explorer select.pathlens-sign'), 'all');
  await until('the player to show step 12', () => page.textContent('.pathlens-player .pathlens-step-label'), (s) => s === '12 / 16');
  assert.notEqual((await canvasPixels(page, ACCUMULATED)).hash, accumulated5.hash);

  // A click pins a pixel: the kernel gets it, the pin plot draws one line per method.
  const box = (await page.locator(MAIN).boundingBox())!;
  await page.mouse.move(box.x + box.width * (3.5 / 8), box.y + box.height * (2.5 / 8));
  assert.match(await page.textContent('.pathlens-readout') ?? '', /^\(3, 2\) value [\d.]+ · ig -?[\d.e-]+ · guidedIG -?[\d.e-]+/);
  await page.mouse.click(box.x + box.width * (3.5 / 8), box.y + box.height * (2.5 / 8));
  await until('the kernel to see the pin', () => kernelValues(page, "explorer.get('pinned')"), (v) => JSON.stringify(v) === '[2,3]');
  assert.ok((await canvasPixels(page, '.pathlens-pin-plot')).coloured > 100, 'the pinned pixel is plotted along the paths');

  // Play runs to the last step, every step reaching the kernel.
  await page.click('.pathlens-player .pathlens-play');
  await until('play to reach the end', () => page.textContent('.pathlens-player .pathlens-step-label'), (s) => s === '16 / 16', 20_000);
  await until('the kernel to see the last step', () => kernelValues(page, "player.get('step')"), (v) => v === 16);

  // Malformed messages: logged, rejected, the front end told and put back; widgets and kernel alive.
  const ids = (await kernelValues(page, '[explorer.modelId, player.modelId]')) as [string, string];
  const bad: [string, Record<string, unknown>, number][] = [
    [ids[0], { method: 'update', state: { method: 'nope' }, buffer_paths: [] }, 0],
    [ids[0], { method: 'update', state: { alpha: 0.3 }, buffer_paths: [['attributions']] }, 0],
    [ids[0], { method: 'update', state: { clip: 0.5 }, buffer_paths: [] }, 2],
    [ids[0], { method: 'update', state: { clip: 150 }, buffer_paths: [] }, 0],
    [ids[0], { method: 'update', state: { attributions: null }, buffer_paths: [] }, 0],
    [ids[0], { method: 'update', state: { pinned: [99, 0] }, buffer_paths: [] }, 0],
    [ids[1], { method: 'update', state: { step: 1000 }, buffer_paths: [] }, 0],
    [ids[1], { method: 'update', state: 'garbage' }, 0],
    [ids[1], { method: 'frobnicate' }, 0],
  ];
  for (const [id, data, buffers] of bad) {
    await page.evaluate(([i, d, n]) => (globalThis as unknown as { pl: { sendRaw(i: string, d: unknown, b: ArrayBuffer[]): Promise<void> } }).pl.sendRaw(i as string, d, Array.from({ length: n as number }, () => new ArrayBuffer(8))), [id, data, buffers] as const);
  }
  const errors = (await until('the kernel to log every rejection', () => kernelValues(page, 'explorer.errors.concat(player.errors)'), (v) => (v as string[]).length === bad.length)) as string[];
  for (const [k, pattern] of [/method: expected one of 'ig', 'guidedIG', got "nope"/, /buffer_paths: 1 path\(s\) for 0 buffer/, /buffer_paths: 0 path\(s\) for 2 buffer/, /clip: expected a number in \[0, 100\], got 150/, /'attributions' is read-only/, /pinned: expected an integer in \[0, 7\], got 99/, /step: expected an integer in \[0, 16\], got 1000/, /expected 'state' to be an object/, /unknown method "frobnicate"/].entries()) {
    assert.match(errors[k], pattern);
  }
  const stderr = await page.evaluate(() => (globalThis as unknown as { pl: { stderr: string[] } }).pl.stderr.join(''));
  assert.match(stderr, /pathlens widget: .*unknown method "frobnicate"/, 'errors are logged to the front end (iopub stderr)');
  assert.match(await page.textContent('.pathlens-player .pathlens-error') ?? '', /kernel: unknown method "frobnicate"/);
  assert.deepEqual(await kernelValues(page, "[explorer.get('method'), explorer.get('clip'), explorer.get('alpha'), player.get('step')]"), ['guidedIG', 99.5, 0.6, 16]);
  assert.equal(await page.inputValue('.pathlens-explorer input.pathlens-clip'), '99.5', 'the front end was put back on the kernel value');
  await page.selectOption('.pathlens-explorer select.pathlens-method', 'ig');
  await until('the explorer to still work', () => kernelValues(page, "explorer.get('method')"), (v) => v === 'ig');
  const beforeReload = { main: await canvasPixels(page, MAIN), accumulated: await canvasPixels(page, ACCUMULATED) };
  await page.screenshot({ path: join(process.env.PATHLENS_SCREENSHOT_DIR ?? work, 'widgets-live.png'), fullPage: true });

  // Reload: a fresh page and manager get both widgets back through the control comm alone.
  await page.reload();
  await page.waitForFunction('window.pl', undefined, { timeout: 30_000 });
  await page.evaluate(() => (globalThis as unknown as { pl: { ready: Promise<boolean> } }).pl.ready);
  const restored = await page.evaluate(() => (globalThis as unknown as { pl: { restore(): Promise<number> } }).pl.restore());
  assert.equal(restored, 2);
  assert.equal(await page.evaluate(() => (globalThis as unknown as { pl: { commInfoCalls(): Promise<number> } }).pl.commInfoCalls()), 0, 'restored without the comm_info fallback');
  await page.waitForSelector(ACCUMULATED);
  assert.equal(await page.inputValue('.pathlens-explorer select.pathlens-method'), 'ig');
  assert.equal(await page.inputValue('.pathlens-explorer select.pathlens-sign'), 'all');
  assert.equal(await page.textContent('.pathlens-player .pathlens-step-label'), '16 / 16');
  assert.equal((await canvasPixels(page, MAIN)).hash, beforeReload.main.hash, 'the restored explorer draws the same pixels');
  assert.equal((await canvasPixels(page, ACCUMULATED)).hash, beforeReload.accumulated.hash, 'the restored player draws the same pixels');
  // ...and still talks to the kernel both ways.
  await page.focus('.pathlens-player input.pathlens-step');
  await page.keyboard.press('Home');
  await until('the kernel to see step 0 after the reload', () => kernelValues(page, "player.get('step')"), (v) => v === 0);
  assert.equal((await execute(page, "explorer.set({ method: 'guidedIG' })")).status, 'ok');
  await until('the restored explorer to follow the kernel', () => page.inputValue('.pathlens-explorer select.pathlens-method'), (v) => v === 'guidedIG');

  assert.deepEqual(outside, [], 'the page asked for the network');
  assert.deepEqual(pageErrors, [], 'page errors');
  t.diagnostic(`screenshot: ${join(process.env.PATHLENS_SCREENSHOT_DIR ?? work, 'widgets-live.png')}`);
  await page.close();
});

test('static: the quick-start tutorial, which ends with the widgets, executed by nbclient with its widget state, renders offline through html-manager, require.js and the AMD bundle fetched by module name and version', { skip, timeout: 240_000 }, async (t) => {
  const executed = join(work, '01-quickstart.executed.ipynb');
  run(PYTHON, [join(HERE, 'execute_notebook.py'), join(ROOT, 'notebooks/01-quickstart.ipynb'), executed, join(ROOT, 'notebooks')], { env });
  const nb = JSON.parse(readFileSync(executed, 'utf8'));
  const widgetOutputs = nb.cells.flatMap((c: { outputs?: { data?: Record<string, unknown> }[] }) => c.outputs ?? []).filter((o: { data?: Record<string, unknown> }) => o.data?.[WIDGET_VIEW]);
  assert.equal(widgetOutputs.length, 2, 'the explorer and the player are saved as widget outputs');
  for (const o of widgetOutputs) {
    const text = [o.data['text/plain']].flat().join('');
    assert.match(text, /^pathlens (attribution explorer|path player): example 0/, 'each widget output carries text/plain');
    assert.ok(String(o.data['image/png']).length > 1000, 'and an image fallback');
  }
  const state = nb.metadata.widgets['application/vnd.jupyter.widget-state+json'];
  const models = Object.values(state.state) as { model_module: string; model_module_version: string; state: Record<string, unknown>; buffers?: { path: string[] }[] }[];
  assert.equal(models.length, 2);
  for (const m of models) {
    assert.equal(m.model_module, 'pathlens');
    assert.ok(m.buffers && m.buffers.length >= 4, 'binary traits are saved as buffers');
    assert.ok(m.buffers.every((b) => m.state[b.path[0]] === undefined), 'and not as JSON');
  }

  const file = join(pages(), 'static.html');
  writeFileSync(file, staticPage(nb));
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await context.unrouteAll();
  // jsDelivr, as html-manager's requireLoader asks it, answered with our AMD bundle; nothing else leaves.
  const cdn: string[] = [];
  await context.route('**/*', (route) => {
    const url = decodeURIComponent(route.request().url());
    if (url.startsWith('file:')) return route.continue();
    if (url === `https://cdn.jsdelivr.net/npm/pathlens@${WIDGET_MODULE_VERSION}/dist/index.js`) {
      cdn.push(url);
      return route.fulfill({ body: readFileSync(join(ROOT, 'dist/index.js')), contentType: 'text/javascript' });
    }
    requests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  const rendered = await page.evaluate(() => (globalThis as unknown as { pl: { rendered: Promise<number> } }).pl.rendered);
  assert.equal(rendered, 2);
  assert.equal(cdn.length, 1, 'the AMD bundle was fetched once, by module name and version');
  const main = await canvasPixels(page, MAIN);
  assert.ok(main.coloured > 0.5 * 256 * 256, `the explorer's heatmap is drawn (${main.coloured})`);
  assert.equal(await page.locator('.pathlens-explorer .pathlens-thumb').count(), 3, 'one thumbnail per method (ig, guidedIG, ig2)');
  assert.ok((await canvasPixels(page, '.pathlens-player .pathlens-point')).painted > 1000, 'the player shows the path point');
  // Offline, the views still respond (no kernel to reach): at the path's end the accumulated map has colour.
  const start = await canvasPixels(page, ACCUMULATED);
  await page.focus('.pathlens-player input.pathlens-step');
  await page.keyboard.press('End');
  const end = await canvasPixels(page, ACCUMULATED);
  assert.notEqual(end.hash, start.hash);
  assert.ok(end.coloured > 1000, `the accumulated attribution is drawn (${end.coloured})`);
  await page.screenshot({ path: join(process.env.PATHLENS_SCREENSHOT_DIR ?? work, 'widgets-static.png'), fullPage: true });
  t.diagnostic(`screenshot: ${join(process.env.PATHLENS_SCREENSHOT_DIR ?? work, 'widgets-static.png')}`);
  assert.deepEqual(requests, [], 'the page asked for the network');
  // require.js first looks for `pathlens` next to the page (a file: 404) before the CDN, as in nbconvert pages.
  t.diagnostic(`page errors: ${JSON.stringify(errors)}`);
  assert.deepEqual(errors.filter((e) => !/ERR_FILE_NOT_FOUND/.test(e)), [], 'page errors');
  await page.close();
});

test('static: the explorer of a text model explained at its embedding draws bars with the tokens under them, and reads a token on hover', { skip, timeout: 240_000 }, async () => {
  const source = `import * as tf from '@tensorflow/tfjs';
import { explain } from 'pathlens';
const model = tf.sequential();
model.add(tf.layers.embedding({ inputDim: 6, outputDim: 4, inputLength: 5, name: 'embedding', embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }) }));
model.add(tf.layers.flatten());
model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
const ex = await explain(model, tf.tensor2d([[1, 2, 3, 4, 5]], undefined, 'int32'), { layer: 'embedding' }).ig({ steps: 8, keepPath: true }).gradient();
ex.widget('explorer', { tokens: ['<pad>', 'what', 'is', 'the', '<b>capital</b>', 'city'] })`;
  const notebook = {
    cells: [{ cell_type: 'code', id: 'c0', metadata: {}, execution_count: null, outputs: [], source }],
    metadata: { kernelspec: { name: 'pathlens', display_name: 'TypeScript (pathlens)', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const written = join(work, 'tokens.ipynb');
  const executed = join(work, 'tokens.executed.ipynb');
  writeFileSync(written, JSON.stringify(notebook));
  run(PYTHON, [join(HERE, 'execute_notebook.py'), written, executed, join(ROOT, 'notebooks')], { env });
  const nb = JSON.parse(readFileSync(executed, 'utf8'));
  const model = Object.values(nb.metadata.widgets['application/vnd.jupyter.widget-state+json'].state)[0] as { state: Record<string, unknown> };
  assert.deepEqual([model.state.input_kind, model.state.labels], ['sequence', ['what', 'is', 'the', '<b>capital</b>', 'city']]);
  const file = join(pages(), 'tokens.html');
  writeFileSync(file, staticPage(nb));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e.stack ?? e)));
  await context.unrouteAll();
  await context.route('**/*', (route) => {
    const url = decodeURIComponent(route.request().url());
    if (url.startsWith('file:')) return route.continue();
    if (url === `https://cdn.jsdelivr.net/npm/pathlens@${WIDGET_MODULE_VERSION}/dist/index.js`) return route.fulfill({ body: readFileSync(join(ROOT, 'dist/index.js')), contentType: 'text/javascript' });
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  assert.equal(await page.evaluate(() => (globalThis as unknown as { pl: { rendered: Promise<number> } }).pl.rendered), 1);
  const box = await page.locator(MAIN).boundingBox();
  assert.ok(box && box.width > 2 * box.height, `a wide bar chart, not a square map (${JSON.stringify(box)})`);
  const bars = await canvasPixels(page, MAIN);
  assert.ok(bars.coloured > 500, `bars are drawn (${bars.coloured} coloured pixels)`);
  assert.equal(await page.locator('.pathlens-explorer .pathlens-thumb').count(), 2);
  // The fourth of five bars: 42 px of ticks on the left of a 560-px canvas, 4 on the right.
  await page.mouse.move(box!.x + ((42 + 3.5 * (514 / 5)) / 560) * box!.width, box!.y + box!.height / 3);
  assert.match(await page.locator('.pathlens-explorer .pathlens-readout').innerText(), /^'<b>capital<\/b>' \(position 3\) value /);
  await page.screenshot({ path: join(process.env.PATHLENS_SCREENSHOT_DIR ?? work, 'widgets-tokens.png'), fullPage: true });
  assert.deepEqual(errors.filter((e) => !/ERR_FILE_NOT_FOUND/.test(e)), [], 'page errors');
  await page.close();
});

test('plain tslab (no comms): ex.widget() shows the static heatmap and says why in one line', { skip, timeout: 120_000 }, () => {
  // tslab's own kernel, straight from node_modules (what a user has with `tslab install`).
  const spec = join(work, 'prefix/share/jupyter/kernels/tslab');
  mkdirSync(spec, { recursive: true });
  writeFileSync(join(spec, 'kernel.json'), JSON.stringify({ argv: [process.execPath, join(ROOT, 'node_modules/tslab/bin/tslab'), 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript (tslab)', language: 'typescript' }));
  const cells = [SETUP.split('\n').slice(0, 6).join('\n'), "ex.widget('explorer')"];
  const nb = { cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, source, outputs: [], execution_count: null })), metadata: {}, nbformat: 4, nbformat_minor: 5 };
  const file = join(work, 'plain-tslab.ipynb');
  writeFileSync(file, JSON.stringify(nb));
  run(PYTHON, [join(HERE, 'execute_notebook.py'), file, `${file}.out`, join(ROOT, 'notebooks'), 'tslab'], { env });
  const outputs = JSON.parse(readFileSync(`${file}.out`, 'utf8')).cells[1].outputs as { output_type: string; data?: Record<string, unknown>; name?: string; text?: string | string[] }[];
  const images = outputs.filter((o) => o.data?.['image/png']);
  assert.equal(images.length, 1, `one static heatmap: ${JSON.stringify(outputs).slice(0, 500)}`);
  assert.ok(!outputs.some((o) => o.data?.[WIDGET_VIEW]), 'no widget view');
  const text = outputs.filter((o) => o.output_type === 'stream').map((o) => [o.text].flat().join('')).join('');
  assert.match(text, /^pathlens: no widget comms here \(run the notebook on the "TypeScript \(pathlens\)" kernel: npx pathlens kernel install\); showing the static heatmap\n$/);
});
