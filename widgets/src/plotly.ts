/**
 * JupyterLab 4 plugin: renders `application/vnd.plotly.v1+json` with plotly.js (plotly.js-dist-min, loaded
 * on the first figure), so pathlens's interactive plots need no other extension.
 *
 * It yields to a Plotly renderer the user already has (jupyterlab-plotly, which plotly.py installs):
 * JupyterLab's registry keeps one factory per mime type, the last one added, whatever the ranks. So a rank
 * cannot make us yield; instead we add ours only when no factory for the type exists when we activate, and
 * a Plotly extension that activates after us replaces ours. Either order, the user's renderer wins.
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** Where it sorts among an output's mime types (lower wins): before text/html (50) and image/png (90), as Plotly's own renderer. */
export const PLOTLY_RANK = 0;

interface PlotlyApi {
  react(node: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  purge(node: HTMLElement): void;
  Plots: { resize(node: HTMLElement): unknown };
}

let plotly: Promise<PlotlyApi> | undefined;

/** plotly.js, fetched once, by the first figure (4.7 MB: a chunk of its own, not part of JupyterLab's start). */
function loadPlotly(): Promise<PlotlyApi> {
  plotly ??= import(/* webpackChunkName: "plotly" */ 'plotly.js-dist-min').then((m) => ((m as { default?: unknown }).default ?? m) as unknown as PlotlyApi);
  return plotly;
}

function isFigure(value: unknown): value is { data: unknown[]; layout?: Record<string, unknown>; config?: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { data?: unknown }).data);
}

export class PlotlyRenderer extends Widget implements IRenderMime.IRenderer {
  private drawn = false;

  constructor() {
    super();
    this.addClass('pathlens-plotly');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const figure = model.data[PLOTLY_MIME];
    if (!isFigure(figure)) {
      this.node.textContent = `pathlens: cannot draw this ${PLOTLY_MIME} output: expected an object with a 'data' array`;
      return;
    }
    const Plotly = await loadPlotly();
    if (this.isDisposed) return;
    await Plotly.react(this.node, figure.data, { ...figure.layout }, { responsive: true, displaylogo: false, ...figure.config });
    this.drawn = true;
  }

  protected override onResize(): void {
    if (this.drawn && this.isVisible) void loadPlotly().then((p) => p.Plots.resize(this.node));
  }

  override dispose(): void {
    if (this.drawn && !this.isDisposed) void loadPlotly().then((p) => p.purge(this.node));
    super.dispose();
  }
}

export const plotlyRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [PLOTLY_MIME],
  defaultRank: PLOTLY_RANK,
  createRenderer: () => new PlotlyRenderer(),
};

export const plotlyPlugin = {
  id: 'pathlens:plotly',
  description: `Renders ${PLOTLY_MIME} with plotly.js unless another extension already does`,
  requires: [IRenderMimeRegistry],
  autoStart: true,
  activate: (_app: unknown, rendermime: IRenderMimeRegistry): void => {
    if (rendermime.getFactory(PLOTLY_MIME)) return;
    rendermime.addFactory(plotlyRendererFactory, PLOTLY_RANK);
  },
};
