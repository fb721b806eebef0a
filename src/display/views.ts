import { display, JUPYTER_DISPLAY, type DisplayOptions, type MimeBundle } from '../display.js';
import { escapeHtml } from '../render/escape.js';
import type { CellBox } from '../render/heatmapGrid.js';
import type { MapLayout } from '../render/normalize.js';
import type { PlotlyFigure } from '../render/plotly.js';
import { staticChart, type StaticChart } from '../render/staticChart.js';
import { checkPlotlyMode, plotlyFigureHtml, plotlyMode, plotlyNotebookHtml, type PlotlyMode } from './plotlyHtml.js';

/** A PNG image that displays itself: `image/png` (base64) + `text/plain`. */
export class ImageView {
  constructor(
    /** The PNG file's bytes. */
    readonly png: Uint8Array,
    readonly width: number,
    readonly height: number,
    /** What it shows, in words (the `text/plain` of the bundle and the image's alt text). */
    readonly description: string,
  ) {}

  toBase64(): string {
    return Buffer.from(this.png).toString('base64');
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { 'image/png': this.toBase64(), 'text/plain': this.description };
  }

  /** Shows it in the notebook; outside one, returns the mime bundle. */
  show(options?: DisplayOptions): MimeBundle | undefined {
    return display(this, options);
  }

  /** An `<img>` with the PNG inline. */
  toHTML(): string {
    return `<img class="pathlens-image" src="data:image/png;base64,${this.toBase64()}" width="${this.width}" height="${this.height}" alt="${escapeHtml(this.description)}">`;
  }
}

/** Tokens coloured by attribution: `text/html` (the tokens as text, escaped) with an `image/png` of the same. */
export class TextView extends ImageView {
  constructor(
    png: Uint8Array,
    width: number,
    height: number,
    description: string,
    readonly html: string,
  ) {
    super(png, width, height, description);
  }

  override [JUPYTER_DISPLAY](): MimeBundle {
    return { 'text/html': this.html, ...super[JUPYTER_DISPLAY]() };
  }

  override toHTML(): string {
    return this.html;
  }
}

/** The heatmap grid: an image, plus the scale of every map. */
export class HeatmapView extends ImageView {
  constructor(
    png: Uint8Array,
    width: number,
    height: number,
    description: string,
    /** The value that saturates each map, `[example][method]`. */
    readonly scales: number[][],
    readonly layout: MapLayout,
    /** Where each map sits in the image, `[example][method]`, in pixels. */
    readonly cells: CellBox[][],
  ) {
    super(png, width, height, description);
  }
}

/** Options of a Plotly view's display: `plotly: 'inline'` puts plotly.js in the output (see {@link PlotlyMode}). */
export interface PlotlyDisplayOptions extends DisplayOptions {
  readonly plotly?: PlotlyMode;
}

/**
 * A Plotly figure that displays itself: `application/vnd.plotly.v1+json` (interactive where a Plotly
 * renderer exists), `image/png` (the same figure drawn in Node: GitHub, nbconvert, front ends without
 * a renderer) and `text/plain`; with `plotly: 'inline'` (here or in `setDisplayOptions`) also `text/html`
 * with plotly.js inline, the PNG inside it until plotly.js draws.
 */
export class PlotlyView {
  private chart?: StaticChart;

  constructor(
    readonly figure: PlotlyFigure,
    readonly description: string,
    /** This view's Plotly mode; undefined: the notebook-wide one (`setDisplayOptions`). */
    readonly plotly?: PlotlyMode,
  ) {
    if (plotly !== undefined) checkPlotlyMode(plotly);
  }

  /** The static image of the figure (drawn once, on first use). */
  get image(): ImageView {
    this.chart ??= staticChart(this.figure);
    return new ImageView(this.chart.png, this.chart.width, this.chart.height, this.description);
  }

  /** The mime bundle for a Plotly mode (default: this view's, else the notebook's). */
  bundle(mode: PlotlyMode = this.plotly ?? plotlyMode()): MimeBundle {
    const image = this.image;
    return {
      'application/vnd.plotly.v1+json': this.figure,
      ...(checkPlotlyMode(mode) === 'inline' ? { 'text/html': plotlyNotebookHtml(this.figure, image.toHTML()) } : {}),
      'image/png': image.toBase64(),
      'text/plain': this.description,
    };
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle();
  }

  show(options: PlotlyDisplayOptions = {}): MimeBundle | undefined {
    return display(this.bundle(options.plotly ?? this.plotly ?? plotlyMode()), options);
  }

  /** The figure's div and drawing script (the static image inside until it draws), for a page that loads plotly.js itself (see `plotlyLoaderHtml`). */
  toHTML(): string {
    return plotlyFigureHtml(this.figure, undefined, this.image.toHTML());
  }
}
