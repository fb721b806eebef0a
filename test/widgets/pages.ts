// Builds the test pages: the live page (services + a ManagerBase manager + our ESM build) and the
// static page (html-manager and require.js, which fetch our AMD bundle by module name and version), and turns an executed notebook into a static page.
import { build, type Plugin } from 'esbuild';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../../src/render/escape.js';

export const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
export const WIDGET_STATE = 'application/vnd.jupyter.widget-state+json';

/** Bundles the page against the built ESM module, not its sources. */
function useEsmBuild(root: string): Plugin {
  return {
    name: 'use-esm-build',
    setup(b) {
      b.onResolve({ filter: /widgets\/src\/index\.js$/ }, () => ({ path: join(root, 'dist/widgets/esm/index.js') }));
    },
  };
}

const common = {
  bundle: true,
  format: 'iife' as const,
  platform: 'browser' as const,
  target: 'es2020',
  logLevel: 'error' as const,
  loader: { '.css': 'empty', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.eot': 'empty', '.svg': 'empty' } as const,
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
};

export async function buildPages(root: string, out: string): Promise<void> {
  await build({ ...common, entryPoints: [join(root, 'test/widgets/page/live.ts')], outfile: join(out, 'live.js'), plugins: [useEsmBuild(root)] });
  await build({ ...common, entryPoints: [join(root, 'test/widgets/page/static.ts')], outfile: join(out, 'static.js') });
  copyFileSync(join(root, 'node_modules/requirejs/require.js'), join(out, 'require.js'));
  writeFileSync(join(out, 'live.html'), '<!doctype html><meta charset="utf-8"><title>pathlens live</title><body><div id="outputs"></div><script src="live.js"></script></body>');
}

/** The JupyterLab-like page that loads the prebuilt labextension (page/lab.ts). */
export async function buildLabPage(root: string, out: string): Promise<void> {
  await build({ ...common, entryPoints: [join(root, 'test/widgets/page/lab.ts')], outfile: join(out, 'lab.js') });
  writeFileSync(join(out, 'lab.html'), '<!doctype html><meta charset="utf-8"><title>pathlens labextension</title><body><script src="lab.js"></script></body>');
}

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}

/** A page like nbconvert's for widgets: the saved state, one view script per widget output, fallbacks elsewhere. */
export function staticPage(notebook: { metadata: Record<string, unknown>; cells: { cell_type: string; outputs?: Output[] }[] }): string {
  const state = (notebook.metadata.widgets as Record<string, unknown> | undefined)?.[WIDGET_STATE];
  if (!state) throw new Error('the executed notebook has no saved widget state (metadata.widgets)');
  const json = (v: unknown) => JSON.stringify(v).replaceAll('</', '<\\/');
  const outputs = notebook.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[WIDGET_VIEW]);
  const views = outputs.map((o) => `<div class="cell-output"><script type="${WIDGET_VIEW}">${json(o.data![WIDGET_VIEW])}</script><pre>${escapeHtml([o.data!['text/plain']].flat().join(''))}</pre></div>`);
  return `<!doctype html><meta charset="utf-8"><title>pathlens static widgets</title>
<script type="${WIDGET_STATE}">${json(state)}</script>
<script>var __webpack_public_path__ = '';</script>
<script src="static.js"></script>
<script src="require.js"></script>
<script>define('@jupyter-widgets/base', [], function () { return window.pathlensBase; });</script>
<body>${views.join('\n')}</body>`;
}
