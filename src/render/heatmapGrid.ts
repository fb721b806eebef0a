import { drawPixels, fitText, newCanvas, toPng, whiteCanvas, type Context } from './canvas.js';
import { colorAt, colormapTable, cssColor, LUT_SIZE, type ColormapName } from './colormap.js';
import { applySign, formatScale, grayscale, layoutOf, reduceChannels, scaleOf, toUnit, type MapLayout, type Reduction, type Sign } from './normalize.js';
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
  /** Labels under this row's bars or strip (e.g. its tokens), instead of the grid's. */
  readonly labels?: readonly string[];
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

/** Left margin of a bar chart or strip for its value ticks, and the band under it for position labels. */
const AXIS_LEFT = 44;
const AXIS_BOTTOM = 46;

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

/**
 * Draws a grid of heatmaps: one row per example, one titled column per method, a colour bar under each map;
 * `caption` (how it was scaled) under the grid. Bars (flat inputs) and strips (sequences) get axes: value
 * ticks with a zero line (bars), and a label under each position: `labels` (feature names, tokens) or the index.
 */
export function heatmapGrid(
  exampleShape: readonly number[],
  columns: readonly string[],
  rows: readonly HeatmapRow[],
  options: ResolvedHeatmapOptions,
  caption = '',
  labels?: readonly string[],
): HeatmapGrid {
  const layout = layoutOf(exampleShape);
  const { sign, reduce, clip, colormap, sharedScale } = options;
  const positions = layout.height * layout.width;
  for (const names of [labels, ...rows.map((r) => r.labels)]) {
    if (names !== undefined && names.length !== positions) {
      throw new Error(`featureNames: expected ${positions} names (one per ${layout.kind === 'sequence' ? 'position' : 'feature'}), got ${names.length}`);
    }
  }
  const axes = layout.kind !== 'image';
  const cell = cellSize(layout, options.cellSize);
  const block = cell.h + (axes ? AXIS_BOTTOM : 0) + 4 + BAR + BAR_LABEL;
  const width = ROW_LABEL + columns.length * (cell.w + PAD) + PAD;
  const gridHeight = TITLE + PAD + rows.length * (block + PAD);
  const captionLines = caption ? wrapText(caption, width - PAD) : [];
  const height = gridHeight + captionLines.length * CAPTION_LINE + (captionLines.length ? 6 : 0);
  const { canvas, ctx } = whiteCanvas(width, height, FONT);
  ctx.fillStyle = '#222222';
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
    const inset = axes ? AXIS_LEFT : 0;
    cells.push(signed.map((_, j) => ({ x: ROW_LABEL + j * (cell.w + PAD) + inset, y: top, width: cell.w - inset, height: cell.h })));
    signed.forEach((map, j) => {
      const left = ROW_LABEL + j * (cell.w + PAD);
      const unit = toUnit(map, rowScales[j], sign);
      const box = cells[i][j];
      if (layout.kind === 'vector') drawBars(ctx, unit, colormap, sign, box.x, box.y, box.width, box.height);
      else drawPixels(ctx, colorize(unit, colormap, background, background ? options.alpha : 1), layout.width, layout.height, box.x, box.y, box.width, box.height);
      if (axes) drawAxes(ctx, layout.kind === 'vector' ? sign : undefined, rowScales[j], positions, row.labels ?? labels, box);
      drawColorBar(ctx, colormap, sign, rowScales[j], left, top + cell.h + (axes ? AXIS_BOTTOM : 0) + 4, cell.w);
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

/**
 * The axes of a bar chart or strip: for bars, value ticks (0 and ± the scale) and a zero line on the
 * left; for both, a tick and a label under each position (every k-th when they would not fit).
 */
function drawAxes(ctx: Context, sign: Sign | undefined, scale: number, positions: number, labels: readonly string[] | undefined, box: CellBox): void {
  const { x, y, width: w, height: h } = box;
  ctx.save();
  ctx.fillStyle = '#444444';
  ctx.strokeStyle = '#444444';
  ctx.lineWidth = 1;
  ctx.font = '10px sans-serif';
  ctx.beginPath();
  ctx.moveTo(x - 0.5, y);
  ctx.lineTo(x - 0.5, y + h + 0.5);
  ctx.lineTo(x + w, y + h + 0.5);
  ctx.stroke();
  if (sign !== undefined) {
    const s = formatScale(scale);
    const ticks: Array<[number, string]> =
      sign === 'all' ? [[y, `+${s}`], [y + h / 2, '0'], [y + h, `−${s}`]] : [[y, sign === 'negative' ? `−${s}` : s], [y + h, '0']];
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const [ty, text] of ticks) {
      ctx.fillRect(x - 4, Math.min(Math.floor(ty), y + h - 1), 4, 1);
      ctx.fillText(fitText(ctx, text, AXIS_LEFT - 6), x - 5, Math.min(Math.max(ty, y + 5), y + h - 5));
    }
  }
  const slot = w / positions;
  const every = Math.max(1, Math.ceil(12 / slot));
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < positions; i += every) {
    const cx = x + (i + 0.5) * slot;
    ctx.fillRect(Math.round(cx) - 0.5, y + h, 1, 3);
    ctx.save();
    ctx.translate(cx, y + h + 6);
    ctx.rotate(-Math.PI / 4);
    ctx.fillText(fitText(ctx, labels?.[i] ?? String(i), AXIS_BOTTOM * 1.3), 0, 0);
    ctx.restore();
  }
  ctx.restore();
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
