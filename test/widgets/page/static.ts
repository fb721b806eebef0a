// The static page: html-manager renders saved widget state (notebook metadata) with no kernel. Our module
// is found the way nbconvert's widget pages find it: html-manager's requireLoader asks require.js for
// `pathlens`, then falls back to jsDelivr's `pathlens@<range>/dist/index.js`, our AMD bundle (the test
// answers that URL from disk: no network).
import * as base from '@jupyter-widgets/base';
import { HTMLManager } from '@jupyter-widgets/html-manager/lib/htmlmanager';
import { requireLoader } from '@jupyter-widgets/html-manager/lib/libembed-amd';

const w = window as unknown as { pathlensBase?: unknown; pl?: unknown };
// For require.js: the host's @jupyter-widgets/base, which our AMD module asks for.
w.pathlensBase = base;

async function render(): Promise<number> {
  const manager = new HTMLManager({ loader: requireLoader });
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

w.pl = { rendered: new Promise((resolve, reject) => addEventListener('load', () => render().then(resolve, reject))) };
