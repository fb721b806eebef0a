// The static page: html-manager renders saved widget state (notebook metadata) with no kernel and no
// network. Our module comes from the AMD bundle (dist/index.js), captured by a minimal define() that the
// page installs after this bundle, the way require.js hands it to html-manager's loader in nbconvert pages.
import * as base from '@jupyter-widgets/base';
import { HTMLManager } from '@jupyter-widgets/html-manager/lib/htmlmanager';

type Factory = (...deps: unknown[]) => Record<string, unknown>;
const w = window as unknown as { pathlensAmd?: { deps: string[]; factory: Factory }; pl?: unknown };

async function loader(moduleName: string, moduleVersion: string): Promise<unknown> {
  const amd = w.pathlensAmd;
  if (moduleName !== 'pathlens' || !amd) throw new Error(`no module ${moduleName}@${moduleVersion}`);
  const exports = amd.factory(...amd.deps.map((d) => (d === '@jupyter-widgets/base' ? base : undefined)));
  const version = String(exports.MODULE_VERSION);
  if (moduleVersion.replace(/^\^/, '').split('.').slice(0, 2).join('.') !== version.split('.').slice(0, 2).join('.')) {
    throw new Error(`pathlens ${version} does not satisfy ${moduleVersion}`);
  }
  return exports;
}

async function render(): Promise<number> {
  const manager = new HTMLManager({ loader });
  const stateTag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  const state = JSON.parse(stateTag!.textContent!);
  await manager.set_state(state);
  const tags = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  for (const tag of tags) {
    const { model_id } = JSON.parse(tag.textContent!);
    const box = document.createElement('div');
    box.className = 'output';
    tag.after(box);
    const model = await manager.get_model(model_id);
    await manager.display_view(manager.create_view(model), box);
  }
  return tags.length;
}

w.pl = { rendered: new Promise((resolve) => addEventListener('load', () => resolve(render()))) };
