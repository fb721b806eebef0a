// Loads a report written by ex.toHTML() in headless Chromium, offline, and checks that every heatmap
// cell and every plot panel has pixels drawn in it and that the page logged no error.
import * as tf from '@tensorflow/tfjs';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { explain, type Explanation } from '../../src/index.js';
import { randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, offline, screenshotDir } from './chromium.js';

const CLASS_NAMES = ["<img src=x onerror=alert('x')>", '<b>zero</b>', 'one & "two"'];

const dir = mkdtempSync(join(tmpdir(), 'pathlens-browser-'));
let context: BrowserContext;
let ex: Explanation;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install chromium (or set PATHLENS_CHROMIUM)`);
  await useBackend('cpu');
  const random = rng(3);
  const d = 64;
  const f = randomSmoothModel(random, d, 8, 3);
  const model = (batch: tf.Tensor) => f(batch.reshape([batch.shape[0], d]));
  const x = randomTensor(random, [2, 8, 8, 1], 0, 1);
  const references = randomTensor(random, [2, 8, 8, 1], 0, 1);
  ex = await explain(model, x)
    .gradient()
    .ig({ steps: 16, keepPath: true })
    .guidedIG({ steps: 20, keepPath: true })
    .ig2({ references, steps: 12, keepPath: true, representation: (b) => b.reshape([b.shape[0], d]), label: 'ig2 <refs>' })
    .blurIG({ maxSigma: 3, steps: 10 });
  tf.dispose([x, references]);
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1400, height: 1000 },
  });
});

after(async () => {
  await context?.close();
  ex?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Pixels of a PNG screenshot. */
async function pixelsOf(png: Buffer): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { data: ctx.getImageData(0, 0, image.width, image.height).data, width: image.width, height: image.height };
}

/** How many pixels are clearly coloured (not white, grey or black). */
function colouredPixels(data: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) n++;
  }
  return n;
}

/** Pixels that are not white. */
function paintedPixels(data: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) n++;
  return n;
}

function distinctColours(data: Uint8ClampedArray): number {
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return seen.size;
}

test('the HTML report renders offline in Chromium: every heatmap cell and plot panel drawn, labels escaped, no console errors', async (t) => {
  const file = join(dir, 'report.html');
  writeFileSync(file, ex.toHTML({ classNames: CLASS_NAMES, title: 'report <test> & "escaping"' }));
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await offline(context, requests);
  await page.goto(pathToFileURL(file).href);

  const plots = await page.locator('.pathlens-plot').count();
  assert.equal(plots, 2, 'one trajectory plot per example');
  // Each plot either draws (an svg appears) or gives up with a message after 20 s without plotly.js.
  await page.waitForFunction(`[...document.querySelectorAll('.pathlens-plot')].every((el) => el.querySelector('.main-svg') || el.textContent)`, undefined, {
    timeout: 60_000,
  });
  const drawn = await page.locator('.pathlens-plot').evaluateAll((els) => els.filter((el) => el.querySelector('.main-svg')).length);
  assert.equal(drawn, plots, `plots drawn: ${await page.locator('.pathlens-plot').first().innerText()}`);

  // Labels arrive as text, never as markup.
  assert.equal(await page.title(), 'report <test> & "escaping"');
  assert.equal(await page.locator('.pathlens b:text("zero")').count(), 0, 'a class name became a <b> element');
  assert.equal(await page.locator('.pathlens img[src="x"]').count(), 0, 'a class name became an <img>');
  const table = await page.locator('.pathlens-table').innerText();
  for (const target of ex.targets) assert.ok(table.includes(`→ ${CLASS_NAMES[target]}`), `the table names class ${target} as text`);
  const legend = await page.locator('.pathlens-plot .legendtext').allTextContents();
  assert.ok(legend.includes('ig2 <refs>'), `legend shows the label as text: ${legend.join(', ')}`);

  // Heatmaps: both grids loaded, and every map cell (from the same geometry) has colour in it.
  const images = page.locator('img.pathlens-image');
  assert.equal(await images.count(), 2);
  const { cells } = ex.heatmap({ classNames: CLASS_NAMES });
  for (let i = 0; i < 2; i++) {
    const image = images.nth(i);
    assert.ok(await image.evaluate((el) => (el as unknown as { complete: boolean }).complete && (el as unknown as { naturalWidth: number }).naturalWidth > 0), `image ${i} decoded`);
    const shot = await pixelsOf(await image.screenshot());
    for (const [r, row] of cells.entries()) {
      for (const [c, box] of row.entries()) {
        const inside = new Uint8ClampedArray(box.width * box.height * 4);
        for (let y = 0; y < box.height; y++) {
          inside.set(shot.data.subarray(((box.y + y) * shot.width + box.x) * 4, ((box.y + y) * shot.width + box.x + box.width) * 4), y * box.width * 4);
        }
        const where = `image ${i}, example ${r}, method ${ex.methods[c]}`;
        assert.ok(paintedPixels(inside) > 0.95 * box.width * box.height, `${where}: the map does not fill its cell`);
        assert.ok(distinctColours(inside) >= 8, `${where}: the map is flat (${distinctColours(inside)} colours)`);
        // viridis over grey stays clearly coloured everywhere; the signed map is grey where attributions are ~0.
        if (i === 0) assert.ok(colouredPixels(inside) > 0.9 * box.width * box.height, `${where}: no colormap colours`);
      }
    }
  }

  // Plots: every panel's plot area has coloured lines in it.
  for (let p = 0; p < plots; p++) {
    const plot = page.locator('.pathlens-plot').nth(p);
    await plot.scrollIntoViewIfNeeded();
    const areas = await plot.locator('.draglayer .nsewdrag').evaluateAll((els) =>
      els.map((el) => {
        type Rect = { x: number; y: number; width: number; height: number };
        const r = (el as unknown as { getBoundingClientRect(): Rect }).getBoundingClientRect();
        const view = globalThis as unknown as { scrollX: number; scrollY: number };
        return { x: r.x + view.scrollX, y: r.y + view.scrollY, width: r.width, height: r.height };
      }),
    );
    assert.equal(areas.length, 5, `plot ${p}: output, completeness, moved, IG2 distance and projection panels`);
    const traces = await plot.locator('.scatterlayer .trace').count();
    assert.ok(traces >= 10, `plot ${p}: ${traces} traces drawn`);
    for (const [k, area] of areas.entries()) {
      const shot = await pixelsOf(await page.screenshot({ clip: area, fullPage: true }));
      assert.ok(colouredPixels(shot.data) > 50, `plot ${p}, panel ${k}: nothing drawn`);
    }
  }

  const screenshot = join(screenshotDir(), 'report.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  t.diagnostic(`screenshot: ${screenshot}`);
  assert.deepEqual(errors, [], 'console errors');
  assert.deepEqual(requests, [], 'the report asked for the network');
  await page.close();
});

test('without JavaScript the report still shows every plot, as its static image', async (t) => {
  const file = join(dir, 'report-nojs.html');
  writeFileSync(file, ex.toHTML({ classNames: CLASS_NAMES }));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await (await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(pathToFileURL(file).href);
    const plots = page.locator('.pathlens-plot');
    assert.equal(await plots.count(), 2);
    for (let p = 0; p < 2; p++) {
      const image = plots.nth(p).locator('img.pathlens-image');
      assert.equal(await image.count(), 1, `plot ${p}: its static image`);
      assert.ok(await image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth > 600), `plot ${p}: the image decoded`);
      const shot = await pixelsOf(await image.screenshot());
      assert.ok(colouredPixels(shot.data) > 2000, `plot ${p}: coloured lines drawn (${colouredPixels(shot.data)} px)`);
    }
    const screenshot = join(screenshotDir(), 'report-no-javascript.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);
  } finally {
    await browser.close();
  }
});
