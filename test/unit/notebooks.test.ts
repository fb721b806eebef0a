// The tutorial notebooks as committed: small, executed, no plotly.js inside, every figure with a static image.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = join(ROOT, 'notebooks');
/** The most a notebook may weigh as saved (GitHub's viewer and diffs stay usable). */
export const MAX_NOTEBOOK_BYTES = 1.5 * 1024 * 1024;
const notebooks = readdirSync(DIR).filter((f) => f.endsWith('.ipynb') && !f.includes('.nbconvert.'));

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}
interface Notebook {
  cells: Array<{ cell_type: string; execution_count?: number | null; outputs?: Output[] }>;
  metadata: { widgets?: unknown };
}

const read = (name: string): Notebook => JSON.parse(readFileSync(join(DIR, name), 'utf8'));
const FIGURE = ['application/vnd.plotly.v1+json', 'application/vnd.jupyter.widget-view+json', 'image/png', 'image/svg+xml'];

test('every committed notebook weighs at most 1.5 MB and carries no plotly.js', () => {
  assert.ok(notebooks.length >= 4, `notebooks: ${notebooks.join(', ')}`);
  for (const name of notebooks) {
    const bytes = statSync(join(DIR, name)).size;
    assert.ok(bytes <= MAX_NOTEBOOK_BYTES, `${name}: ${(bytes / 1e6).toFixed(2)} MB`);
    assert.ok(!readFileSync(join(DIR, name), 'utf8').includes('__pathlensDefine'), `${name}: plotly.js inlined in an output (use the default plotly: 'renderer')`);
  }
});

test('the notebooks are committed executed, and every figure output carries a static image', () => {
  for (const name of notebooks) {
    const nb = read(name);
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    assert.ok(code.every((c) => typeof c.execution_count === 'number'), `${name}: commit the executed notebook (see notebooks/README.md)`);
    for (const [i, cell] of code.entries()) {
      for (const out of cell.outputs ?? []) {
        if (!out.data || !FIGURE.some((m) => m in out.data!)) continue;
        assert.ok('image/png' in out.data || 'image/svg+xml' in out.data, `${name}, code cell ${i}: a figure without a static image (${Object.keys(out.data).join(', ')})`);
      }
    }
  }
});

test('saved widget state stays small: the tutorials together under 800 kB', () => {
  const bytes = notebooks.reduce((s, name) => s + JSON.stringify(read(name).metadata.widgets ?? {}).length, 0);
  assert.ok(bytes < 800_000, `widget state: ${(bytes / 1e3).toFixed(0)} kB`);
});

test("executed copies stay out of git (.gitignore covers nbconvert's outputs)", () => {
  const ignore = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('*.nbconvert.ipynb'), '*.nbconvert.ipynb');
  assert.ok(ignore.includes('/test/output/'), 'test outputs (screenshots)');
});
