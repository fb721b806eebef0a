import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { scriptJson } from '../render/escape.js';
import type { PlotlyFigure } from '../render/plotly.js';

let source: string | undefined;
let delivered = false;

/**
 * How notebook outputs carry a Plotly figure. `'renderer'` (default): the figure's JSON for a front end
 * with a Plotly renderer (VS Code, JupyterLab with pathlens's or Plotly's extension) and a static PNG
 * for everything else; plotly.js stays out of the notebook. `'inline'`: also a `text/html` output with
 * plotly.js inline (4.8 MB, sent once per kernel), interactive wherever scripts run.
 */
export type PlotlyMode = 'renderer' | 'inline';
export const PLOTLY_MODES: readonly PlotlyMode[] = ['renderer', 'inline'];

export interface NotebookDisplayOptions {
  readonly plotly?: PlotlyMode;
}

let notebookMode: PlotlyMode = 'renderer';

export function checkPlotlyMode(value: unknown): PlotlyMode {
  if (PLOTLY_MODES.includes(value as PlotlyMode)) return value as PlotlyMode;
  throw new Error(`plotly: expected one of ${PLOTLY_MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(value)}`);
}

/** Notebook-wide display settings: `setDisplayOptions({ plotly: 'inline' })` inlines plotly.js in figure outputs. Returns the settings now in force. */
export function setDisplayOptions(options: NotebookDisplayOptions): Required<NotebookDisplayOptions> {
  if (options === null || typeof options !== 'object') throw new Error(`options: expected an object such as { plotly: 'inline' }, got ${JSON.stringify(options)}`);
  if (options.plotly !== undefined) notebookMode = checkPlotlyMode(options.plotly);
  return { plotly: notebookMode };
}

export function plotlyMode(): PlotlyMode {
  return notebookMode;
}
let counter = 0;
const prefix = Math.random().toString(36).slice(2, 8);

/** plotly.js itself (plotly.js-dist-min from npm, about 4.8 MB), read once. Offline: no CDN. */
export function plotlySource(): string {
  source ??= readFileSync(createRequire(import.meta.url).resolve('plotly.js-dist-min'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return source;
}

/**
 * A `<script>` that defines `window.Plotly`. AMD's `define` (require.js in the classic notebook) is
 * hidden while it runs, so the bundle never registers as an anonymous module.
 */
export function plotlyLoaderHtml(): string {
  return (
    '<script>window.__pathlensDefine = window.define; window.define = undefined;</script>\n' +
    `<script>${plotlySource()}</script>\n` +
    '<script>window.define = window.__pathlensDefine;</script>\n'
  );
}

/**
 * A div and the script that draws the figure into it once plotly.js is there. `fallback` (HTML, e.g. the
 * static image) fills the div until then, and stays where scripts do not run.
 */
export function plotlyFigureHtml(figure: PlotlyFigure, height?: number, fallback = ''): string {
  const id = `pathlens-plot-${prefix}-${++counter}`;
  const h = height ?? (typeof figure.layout.height === 'number' ? figure.layout.height : 450);
  return (
    `<div id="${id}" class="pathlens-plot" style="width:100%;min-width:640px;min-height:${h}px">${fallback}</div>\n` +
    `<script>(function () {\n` +
    `  var figure = ${scriptJson(figure)};\n` +
    `  var tries = 0;\n` +
    `  function draw() {\n` +
    `    var el = document.getElementById(${scriptJson(id)});\n` +
    `    if (!el) return;\n` +
    `    if (window.Plotly) { el.textContent = ''; el.style.height = el.style.minHeight; window.Plotly.newPlot(el, figure.data, figure.layout, figure.config || {}); }\n` +
    `    else if (tries++ < 400) setTimeout(draw, 50);\n` +
    `    else if (!el.firstChild) el.textContent = 'pathlens: plotly.js was not loaded on this page (run the cell that first showed a plot again).';\n` +
    `  }\n` +
    `  draw();\n` +
    `})();</script>\n`
  );
}

/**
 * HTML for a notebook output: plotly.js goes along with the first figure this process displays and
 * is not sent again (later figures wait for it on the page).
 */
export function plotlyNotebookHtml(figure: PlotlyFigure, fallback = ''): string {
  const loader = delivered ? '' : plotlyLoaderHtml();
  delivered = true;
  return loader + plotlyFigureHtml(figure, undefined, fallback);
}

/** Whether plotly.js has gone out with a notebook output already. */
export function plotlyDelivered(): boolean {
  return delivered;
}

/** Sends plotly.js again with the next figure (for a new page, or after the front end reloaded). */
export function resetPlotlyDelivery(): void {
  delivered = false;
}
