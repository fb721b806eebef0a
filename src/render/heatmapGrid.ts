import { drawPixels, fitText, newCanvas, toPng, type Context } from './canvas.js';
import { colorAt, colormapTable, cssColor, LUT_SIZE, type ColormapName } from './colormap.js';
import { applySign, grayscale, layoutOf, reduceChannels, scaleOf, toUnit, type MapLayout, type Reduction, type Sign } from './normalize.js';
import { colorize } from './pixels.js';

/** How attributions become a picture. Every field has a default (see `resolveHeatmapOptions`). */
export interface HeatmapOptions {
  /** `'absolute'` (default), `'positive'`, `'negative'`, or `'all'` (diverging colormap centred at 0). */
  readonly sign?: Sign;
  /** How channels (image C, sequence features) are combined: `'sum'` (default) or `'sumAbs'`. */
  readonly reduce?: Reduction;
  /** Percentile of |values| that saturates the colormap (default 99.5; 100 keeps the maximum). */
  readonly clip?: number;
  /** `'viridis'` (default for one-signed maps), `'magma'`, or `'coolwarm'` (diverging; default for `sign: 'all'`). */
  readonly colormap?: ColormapName;
  /** Draw image maps over the grayscale input (default true where the input is known). */
  readonly overlay?: boolean;
  /** Opacity of the map over the input, in [0, 1] (default 0.6). */
  readonly alpha?: number;
  /** One scale for every map in a row (every method on one example), to compare methods honestly (default false). */
  readonly sharedScale?: boolean;
  /** Width of an image cell in pixels (default 128). */
  readonly cellSize?: number;
}

export type ResolvedHeatmapOptions = Required<HeatmapOptions>;

/** One example: its attributions, one per column (flattened, in the example's layout), and optionally its input. */
export interface HeatmapRow {
  readonly label: string;
  readonly maps: readonly ArrayLike<number>[];
  readonly input?: ArrayLike<number>;
}

export interface HeatmapGrid {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  /** The value that saturates each map, `[row][column]`. */
  readonly scales: number[][];
  readonly layout: MapLayout;
  /** Where each map was drawn in the image, `[row][column]`, in pixels. */
  readonly cells: CellBox[][];
}

export interface CellBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const PAD = 10;
const TITLE = 22;
const ROW_LABEL = 92;
const BAR = 8;
const BAR_LABEL = 14;
const FONT = '12px sans-serif';
const CAPTION_FONT = '11px sans-serif';
const CAPTION_LINE = 15;

/** Splits text at ', ' into lines that fit `maxWidth` in the caption font. */
function wrapText(text: string, maxWidth: number): string[] {
  const ctx = newCanvas(1, 1).getContext('2d');
  ctx.font = CAPTION_FONT;
  const lines: string[] = [];
  for (const part of text.split(/(?<=,) /)) {
    const last = lines.at(-1);
    if (last !== undefined && ctx.measureText(`${last} ${part}`).width <= maxWidth) lines[lines.length - 1] = `${last} ${part}`;
    else lines.push(fitText(ctx, part, maxWidth));
  }
  return lines;
}

/** Draws a grid of heatmaps: one row per example, one titled column per method, a colour bar under each map; `caption` (how it was scaled) under the grid. */
export function heatmapGrid(exampleShape: readonly number[], columns: readonly string[], rows: readonly HeatmapRow[], options: ResolvedHeatmapOptions, caption = ''): HeatmapGrid {
  const layout = layoutOf(exampleShape);
  const { sign, reduce, clip, colormap, sharedScale } = options;
  const cell = cellSize(layout, options.cellSize);
  const block = cell.h + 4 + BAR + BAR_LABEL;
  const width = ROW_LABEL + columns.length * (cell.w + PAD) + PAD;
  const gridHeight = TITLE + PAD + rows.length * (block + PAD);
  const captionLines = caption ? wrapText(caption, width - PAD) : [];
  const height = gridHeight + captionLines.length * CAPTION_LINE + (captionLines.length ? 6 : 0);
  const canvas = newCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.font = FONT;
  ctx.fillStyle = '#222222';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  columns.forEach((title, j) => ctx.fillText(fitText(ctx, title, cell.w), ROW_LABEL + j * (cell.w + PAD) + cell.w / 2, TITLE / 2 + 2));

  const cells: CellBox[][] = [];
  const scales = rows.map((row, i) => {
    if (row.maps.length !== columns.length) throw new Error(`rows[${i}].maps: expected ${columns.length} maps (one per column), got ${row.maps.length}`);
    const signed = row.maps.map((m) => applySign(reduceChannels(m, layout, reduce), sign));
    const rowScales = sharedScale ? new Array<number>(signed.length).fill(scaleOf(signed, clip)) : signed.map((m) => scaleOf([m], clip));
    const background = layout.kind === 'image' && options.overlay && row.input ? grayscale(row.input, layout) : undefined;
    const top = TITLE + PAD + i * (block + PAD);
    ctx.textAlign = 'left';
    ctx.fillStyle = '#222222';
    ctx.fillText(fitText(ctx, row.label, ROW_LABEL - PAD), PAD / 2, top + cell.h / 2);
    cells.push(signed.map((_, j) => ({ x: ROW_LABEL + j * (cell.w + PAD), y: top, width: cell.w, height: cell.h })));
    signed.forEach((map, j) => {
      const left = ROW_LABEL + j * (cell.w + PAD);
      const unit = toUnit(map, rowScales[j], sign);
      if (layout.kind === 'vector') drawBars(ctx, unit, colormap, sign, left, top, cell.w, cell.h);
      else drawPixels(ctx, colorize(unit, colormap, background, background ? options.alpha : 1), layout.width, layout.height, left, top, cell.w, cell.h);
      drawColorBar(ctx, colormap, sign, rowScales[j], left, top + cell.h + 4, cell.w);
    });
    return rowScales;
  });
  ctx.textAlign = 'left';
  ctx.fillStyle = '#555555';
  ctx.font = CAPTION_FONT;
  captionLines.forEach((line, i) => ctx.fillText(line, PAD / 2, gridHeight + i * CAPTION_LINE + CAPTION_LINE / 2));
  return { png: toPng(canvas), width, height, scales, layout, cells };
}

function cellSize(layout: MapLayout, size: number): { w: number; h: number } {
  if (layout.kind !== 'image') return { w: 2 * size, h: Math.round(size / 2) };
  const h = Math.round((size * layout.height) / layout.width);
  return { w: size, h: Math.min(Math.max(h, Math.round(size / 4)), 2 * size) };
}

/** Bars for a flat vector: up from the bottom (one-signed), or up and down from the middle (`'all'`). */
function drawBars(ctx: Context, unit: Float64Array, colormap: ColormapName, sign: Sign, x: number, y: number, w: number, h: number): void {
  ctx.fillStyle = '#f4f4f4';
  ctx.fillRect(x, y, w, h);
  const bar = w / unit.length;
  const zero = sign === 'all' ? y + h / 2 : y + h;
  for (let i = 0; i < unit.length; i++) {
    const t = unit[i];
    const top = sign === 'all' ? y + h / 2 - (t - 0.5) * h : y + h - t * h;
    ctx.fillStyle = cssColor(colorAt(colormap, t));
    ctx.fillRect(x + i * bar, Math.min(top, zero), Math.max(bar - (bar > 3 ? 1 : 0), 0.5), Math.abs(zero - top));
  }
  ctx.fillStyle = '#888888';
  ctx.fillRect(x, zero - 0.5, w, 1);
}

function drawColorBar(ctx: Context, colormap: ColormapName, sign: Sign, scale: number, x: number, y: number, w: number): void {
  const table = colormapTable(colormap);
  const rgba = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    rgba.set([table[i * 3], table[i * 3 + 1], table[i * 3 + 2], 255], i * 4);
  }
  drawPixels(ctx, rgba, LUT_SIZE, 1, x, y, w, BAR);
  ctx.fillStyle = '#444444';
  ctx.font = '10px sans-serif';
  const labelY = y + BAR + BAR_LABEL / 2;
  const s = formatScale(scale);
  const [lo, hi] = sign === 'all' ? [`−${s}`, `+${s}`] : ['0', sign === 'negative' ? `−${s}` : s];
  ctx.textAlign = 'left';
  ctx.fillText(lo, x, labelY);
  ctx.textAlign = 'right';
  ctx.fillText(hi, x + w, labelY);
  if (sign === 'all') {
    ctx.textAlign = 'center';
    ctx.fillText('0', x + w / 2, labelY);
  }
  ctx.font = FONT;
}

export function formatScale(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-2 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(2))) : v.toExponential(1);
}
