// The committed tutorial notebooks as nbconvert's HTML, the way people share them: with the scripts
// removed (GitHub-like, no JavaScript) and opened in Chromium with JavaScript on and no network, every
// figure output must show a picture. Needs Debian's python3-nbconvert; skipped without it, except under CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PYTHON } from '../jupyter.js';
import { CHROMIUM, CHROMIUM_ARGS, offline, screenshotDir } from './chromium.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NOTEBOOKS = join(ROOT, 'notebooks');
const OUT = join(ROOT, 'test', 'output', 'notebooks');
const WIDGET = 'application/vnd.jupyter.widget-view+json';
const FIGURE = ['application/vnd.plotly.v1+json', WIDGET, 'image/png', 'image/svg+xml'];

const probe = spawnSync(PYTHON, ['-c', 'import nbconvert'], { encoding: 'utf8' });
const missing = probe.status === 0 ? undefined : `Debian's python3-nbconvert is needed (${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)})`;
if (missing && process.env.CI) throw new Error(missing);
const skip = missing ? `${missing}; skipped` : false;

interface OutputKind {
  readonly cell: number;
  readonly figure: boolean;
  readonly widget: boolean;
}

const names = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb') && !f.includes('.nbconvert.'));
let browser: Browser;

/** Every output of the notebook in order (as nbconvert writes them), and whether it is a figure. */
function outputsOf(file: string): OutputKind[] {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: Array<{ data?: Record<string, unknown> }> }> };
  return nb.cells.flatMap((c, cell) =>
    c.cell_type !== 'code' ? [] : (c.outputs ?? []).map((o) => ({ cell, figure: FIGURE.some((m) => m in (o.data ?? {})), widget: WIDGET in (o.data ?? {}) })),
  );
}

function toHtml(notebook: string): string {
  const r = spawnSync(PYTHON, ['-m', 'nbconvert', '--to', 'html', '--output-dir', OUT, notebook], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `nbconvert ${notebook}: ${r.stderr.slice(-2000)}`);
  return join(OUT, notebook.split('/').at(-1)!.replace(/\.ipynb$/, '.html'));
}

/** Per output area, in order: whether it shows a decoded image or an SVG of a real size. */
async function pictures(page: Page): Promise<boolean[]> {
  return page.locator('.jp-OutputArea-child').evaluateAll((areas) =>
    areas.map((area) =>
      [...area.querySelectorAll('img, svg')].some((el) => {
        const box = (el as unknown as { getBoundingClientRect(): { width: number; height: number } }).getBoundingClientRect();
        const img = el as unknown as { tagName: string; complete: boolean; naturalWidth: number };
        return box.width > 40 && box.height > 40 && (img.tagName !== 'IMG' || (img.complete && img.naturalWidth > 0));
      }),
    ),
  );
}

before(async () => {
  if (skip) return;
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
});

test("nbconvert's HTML of every notebook, scripts removed: each Plotly and image output shows a picture; widget outputs carry their PNG", { skip }, async (t) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  for (const name of names) {
    const kinds = outputsOf(join(NOTEBOOKS, name));
    const html = readFileSync(toHtml(join(NOTEBOOKS, name)), 'utf8').replace(/<script\b[\s\S]*?<\/script>/gi, '');
    const file = join(OUT, name.replace(/\.ipynb$/, '.noscript.html'));
    writeFileSync(file, html);
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    const shown = await pictures(page);
    assert.equal(shown.length, kinds.length, `${name}: one output area per output`);
    kinds.forEach((k, i) => {
      if (k.figure && !k.widget) assert.ok(shown[i], `${name}, output ${i} (code cell ${k.cell}): no picture without JavaScript`);
    });
    if (name.startsWith('01')) await page.screenshot({ path: join(screenshotDir(), 'notebook-01-no-javascript.png'), fullPage: true });
    await page.close();

    // nbconvert shows a widget only through html-manager when its state is saved; without the state (as
    // GitHub and nbviewer treat widgets) the output's own image/png is what shows.
    if (kinds.some((k) => k.widget)) {
      const nb = JSON.parse(readFileSync(join(NOTEBOOKS, name), 'utf8'));
      delete nb.metadata.widgets;
      const stateless = join(OUT, name.replace(/\.ipynb$/, '-stateless.ipynb'));
      writeFileSync(stateless, JSON.stringify(nb));
      const bare = await context.newPage();
      await bare.goto(pathToFileURL(toHtml(stateless)).href);
      const widgetShown = await pictures(bare);
      kinds.forEach((k, i) => {
        if (k.widget) assert.ok(widgetShown[i], `${name}, widget output ${i}: its PNG does not show without saved state`);
      });
      await bare.close();
    }
  }
  t.diagnostic(`screenshots in ${screenshotDir()}`);
  await context.close();
});

test("nbconvert's HTML opened with JavaScript on and no network: each Plotly and image output shows a picture, nothing errors", { skip }, async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  await offline(context, requests);
  for (const name of names) {
    const kinds = outputsOf(join(NOTEBOOKS, name));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(join(OUT, name.replace(/\.ipynb$/, '.html'))).href, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    const shown = await pictures(page);
    assert.equal(shown.length, kinds.length, `${name}: one output area per output`);
    kinds.forEach((k, i) => {
      if (k.figure && !k.widget) assert.ok(shown[i], `${name}, output ${i} (code cell ${k.cell}): no picture with JavaScript on, offline`);
    });
    assert.deepEqual(errors, [], `${name}: page errors`);
    if (name.startsWith('01')) {
      const file = join(screenshotDir(), 'notebook-01-offline.png');
      await page.screenshot({ path: file, fullPage: true });
      t.diagnostic(`screenshot: ${file}`);
    }
    await page.close();
  }
  // Only nbconvert's own CDN scripts (the widget renderer) were asked for; no output reaches for the network.
  assert.ok(requests.every((u) => /html-manager|require|mathjax/i.test(u)), `requests: ${requests.join(', ')}`);
  await context.close();
});
