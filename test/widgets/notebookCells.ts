// The cells that end the tutorials with the widgets (to go before each notebook's final dispose cell),
// and a scratch copy of a tutorial with them in place, which the widget test executes and renders.
import { readFileSync, writeFileSync } from 'node:fs';

export const CELLS: Record<string, { cells: string[]; dispose: string }> = {
  '01-quickstart.ipynb': {
    cells: [
      "// Explore: pick a method, sign, clipping and alpha; hover for values; click a pixel to see it along each path.\nex.widget('explorer')",
      "// Play a path: the player replays kept path points, so explain one digit again with keepPath.\nconst paths = await explain(model, x.slice(0, 1)).ig({ keepPath: true }).guidedIG({ keepPath: true });\npaths.widget('player')",
    ],
    dispose: 'paths.dispose();',
  },
  '02-guided-ig-paths.ipynb': {
    cells: [
      "byDist.widget('explorer')",
      "const paths = await explain(model, x)\n  .ig({ steps: 200, rule: 'riemannLeft', keepPath: true, label: 'ig' })\n  .guidedIG({ steps: 200, fraction: 0.05, maxDist: 0.1, keepPath: true, label: 'guidedIG' });\npaths.widget('player')",
    ],
    dispose: 'paths.dispose();',
  },
};

type Cell = { cell_type: string; id?: string; metadata: object; source: string | string[]; outputs?: unknown[]; execution_count?: null };

/** The tutorial with the widget cells inserted before its dispose cell (and `paths` disposed there). */
export function withWidgetCells(notebookPath: string, name: keyof typeof CELLS, outPath: string): void {
  const nb = JSON.parse(readFileSync(notebookPath, 'utf8')) as { cells: Cell[] };
  const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join('') : c.source);
  let at = nb.cells.findIndex((c) => c.cell_type === 'code' && /\.dispose\(\)/.test(text(c)));
  if (at < 0) at = nb.cells.length;
  const { cells, dispose } = CELLS[name];
  const added: Cell[] = cells.map((source, i) => ({ cell_type: 'code', id: `widget-${i}`, metadata: {}, source, outputs: [], execution_count: null }));
  if (at < nb.cells.length) nb.cells[at].source = `${dispose}\n${text(nb.cells[at])}`;
  nb.cells.splice(at, 0, ...added);
  writeFileSync(outPath, JSON.stringify(nb, null, 1));
}
