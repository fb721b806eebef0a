// A JupyterLab-like page for the prebuilt labextension (dist/labextension): it loads the federated
// remoteEntry the way JupyterLab does (share scope → init → get('./extension')), with the host's shared
// modules (@jupyter-widgets/base, @jupyterlab/rendermime, @lumino/widgets) provided from this bundle,
// activates the extension's plugins against a real RenderMimeRegistry and a recording widget registry,
// and renders outputs through JupyterLab's own OutputArea. Playwright drives it via window.lab.
import * as base from '@jupyter-widgets/base';
import { HTMLManager } from '@jupyter-widgets/html-manager/lib/htmlmanager';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import * as rendermime from '@jupyterlab/rendermime';
import * as luminoWidgets from '@lumino/widgets';

interface Plugin {
  id: string;
  requires?: unknown[];
  autoStart?: boolean;
  activate(app: unknown, ...services: unknown[]): void;
}
interface Container {
  init(scope: unknown): Promise<void>;
  get(module: string): Promise<() => { default: Plugin | Plugin[] }>;
}

const MODULES: Record<string, unknown> = { '@jupyter-widgets/base': base, '@jupyterlab/rendermime': rendermime, '@lumino/widgets': luminoWidgets };

/** webpack's share scope, as JupyterLab's own bundle fills it: name → version → { get, from, eager, loaded }. */
function shareScope(versions: Record<string, string>): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const [name, mod] of Object.entries(MODULES)) {
    const version = versions[name];
    scope[name] = { [version]: { get: () => Promise.resolve(() => mod), from: '@jupyterlab/application-top', eager: true, loaded: 1 } };
  }
  return scope;
}

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.append(s);
  });
}

const registered: { name: string; version: string; exports: Record<string, unknown> }[] = [];
const widgetRegistry = { registerWidget: (w: (typeof registered)[0]) => registered.push(w) };
let registry = new rendermime.RenderMimeRegistry({ initialFactories: rendermime.standardRendererFactories });
let plugins: Plugin[] = [];

/** Loads the extension (`load` from its package.json), sharing the host's modules under `versions`; returns its plugins' ids and requirements. */
async function load(entry: string, name: string, versions: Record<string, string>) {
  await loadScript(entry);
  const container = (window as unknown as { _JUPYTERLAB: Record<string, Container> })._JUPYTERLAB[name];
  await container.init(shareScope(versions));
  const module = (await container.get('./extension'))();
  plugins = [module.default].flat();
  const tokens = new Map<unknown, string>([
    [base.IJupyterWidgetRegistry, 'IJupyterWidgetRegistry'],
    [rendermime.IRenderMimeRegistry, 'IRenderMimeRegistry'],
  ]);
  return plugins.map((p) => ({ id: p.id, autoStart: p.autoStart, requires: (p.requires ?? []).map((t) => tokens.get(t) ?? `unknown token ${String((t as { name?: string }).name)}`) }));
}

/** Activates every plugin against a fresh registry; `existing` first registers another Plotly renderer (as jupyterlab-plotly would). */
function activate(existing = false) {
  registry = new rendermime.RenderMimeRegistry({ initialFactories: rendermime.standardRendererFactories });
  const other: rendermime.IRenderMime.IRendererFactory = {
    safe: true,
    mimeTypes: ['application/vnd.plotly.v1+json'],
    createRenderer: () => {
      const w = new luminoWidgets.Widget() as luminoWidgets.Widget & rendermime.IRenderMime.IRenderer;
      w.renderModel = async () => void (w.node.textContent = 'the other Plotly renderer');
      return w;
    },
  };
  if (existing) registry.addFactory(other, 0);
  registered.length = 0;
  for (const p of plugins) {
    const services = (p.requires ?? []).map((t) => (t === rendermime.IRenderMimeRegistry ? registry : t === base.IJupyterWidgetRegistry ? widgetRegistry : undefined));
    p.activate({}, ...services);
  }
  const widgets = registered.map((r) => ({
    name: r.name,
    version: r.version,
    classes: Object.entries(r.exports).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort(),
    // The models extend the host's DOMWidgetModel: the shared singleton, not a bundled copy.
    modelsExtendHostBase: Object.entries(r.exports).filter(([k]) => k.endsWith('Model')).every(([, v]) => (v as { prototype: unknown }).prototype instanceof base.DOMWidgetModel),
    viewsExtendHostBase: Object.entries(r.exports).filter(([k]) => k.endsWith('View')).every(([, v]) => (v as { prototype: unknown }).prototype instanceof base.DOMWidgetView),
  }));
  return { widgets, plotlyIsOther: registry.getFactory('application/vnd.plotly.v1+json') === other };
}

/** Shows one display_data output in a JupyterLab OutputArea, as a notebook cell would; returns the mime type it picked. */
async function show(data: Record<string, unknown>, trusted: boolean): Promise<string | undefined> {
  const model = new OutputAreaModel({ trusted });
  const area = new OutputArea({ model, rendermime: registry });
  const host = document.createElement('div');
  host.className = 'cell';
  host.style.width = '900px';
  document.body.append(host);
  luminoWidgets.Widget.attach(area, host);
  model.add({ output_type: 'display_data', data: data as never, metadata: {} });
  return registry.preferredMimeType(data as never, trusted ? 'any' : 'ensure');
}

/** Renders saved widget state with the classes the extension registered (html-manager as the widget manager). */
async function showWidgets(state: { state: Record<string, unknown> }): Promise<number> {
  const manager = new HTMLManager({
    loader: async (name: string, version: string) => {
      const found = registered.find((r) => r.name === name);
      if (!found) throw new Error(`the extension registered no widget module ${name}@${version}`);
      return found.exports;
    },
  });
  await manager.set_state(state);
  for (const id of Object.keys(state.state)) {
    const box = document.createElement('div');
    box.className = 'widget';
    document.body.append(box);
    await manager.display_view(manager.create_view(await manager.get_model(id)), box);
  }
  return Object.keys(state.state).length;
}

Object.assign(window, { lab: { load, activate, show, showWidgets } });
