/**
 * Canvas drawing for the views, on the same normalisation and colormaps as the static heatmaps
 * (src/render is plain TypeScript on arrays).
 */
import { colorize } from '../../src/render/pixels.js';
import { colorAt, cssColor } from '../../src/render/colormap.js';
import { applySign, formatScale, grayscale, reduceChannels, scaleOf, toUnit, type MapLayout, type Sign } from '../../src/render/normalize.js';

export interface Shape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export function imageLayout(s: Shape): MapLayout {
  return { kind: 'image', height: s.height, width: s.width, channels: s.channels };
}

/** One value per map cell (channels summed), then the sign kept. */
export function signedMap(values: Float32Array, s: Shape, sign: Sign, channels = s.channels): Float64Array {
  return applySign(reduceChannels(values, { ...imageLayout(s), channels }, 'sum'), sign);
}

export function colormapFor(sign: Sign): 'coolwarm' | 'viridis' {
  return sign === 'all' ? 'coolwarm' : 'viridis';
}

/** RGBA of a signed map at `scale`, over the input's grayscale at `alpha` (no background: alpha 1). */
export function heatmapPixels(map: Float64Array, scale: number, sign: Sign, background: Float64Array | undefined, alpha: number): Uint8ClampedArray {
  return colorize(toUnit(map, scale, sign), colormapFor(sign), background, background ? alpha : 1);
}

export function scaleFor(maps: Float64Array[], clip: number): number {
  return scaleOf(maps, clip);
}

export function grayOf(values: Float32Array, s: Shape): Float64Array {
  return grayscale(values, imageLayout(s));
}

/** RGBA of an image's values stretched by a fixed range (so that frames along a path compare). */
export function imagePixels(values: Float32Array, s: Shape, lo: number, hi: number): Uint8ClampedArray {
  const cells = s.height * s.width;
  const out = new Uint8ClampedArray(cells * 4);
  const k = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < cells; i++) {
    for (let c = 0; c < 3; c++) {
      const v = s.channels >= 3 ? values[i * s.channels + c] : values.subarray(i * s.channels, (i + 1) * s.channels).reduce((a, b) => a + b, 0) / s.channels;
      out[i * 4 + c] = (v - lo) * k;
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Paints RGBA cells onto a canvas, scaled up without smoothing. */
export function paint(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, s: Shape): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const source = document.createElement('canvas');
  source.width = s.width;
  source.height = s.height;
  const sctx = source.getContext('2d')!;
  const image = sctx.createImageData(s.width, s.height);
  image.data.set(rgba);
  sctx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
}

/** The map cell under a mouse event on a canvas showing the map. */
export function cellAt(canvas: HTMLCanvasElement, event: MouseEvent, s: Shape): [number, number] | null {
  const r = canvas.getBoundingClientRect();
  const col = Math.floor(((event.clientX - r.left) / r.width) * s.width);
  const row = Math.floor(((event.clientY - r.top) / r.height) * s.height);
  return row >= 0 && row < s.height && col >= 0 && col < s.width ? [row, col] : null;
}

export function newCanvas(width: number, height: number, className: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.className = className;
  return canvas;
}

export function range(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Margins of a bar chart: value ticks on the left, position labels below. */
export const BAR_MARGIN = { left: 42, right: 4, top: 6, bottom: 64 } as const;

/** The position (bar) under a mouse event on a bar chart of `n` bars drawn with `margin`. */
export function barAt(canvas: HTMLCanvasElement, event: MouseEvent, n: number, margin: { left: number; right: number } = BAR_MARGIN): number | null {
  const r = canvas.getBoundingClientRect();
  const x = ((event.clientX - r.left) / r.width) * canvas.width - margin.left;
  const i = Math.floor((x / (canvas.width - margin.left - margin.right)) * n);
  return i >= 0 && i < n ? i : null;
}

/**
 * A signed map as bars (one per token or feature) on the colormap of `sign`, with a zero line; with
 * `labels`, value ticks and a rotated label under each bar (every k-th when they would not fit).
 */
export function barChart(canvas: HTMLCanvasElement, map: Float64Array, scale: number, sign: Sign, labels?: readonly string[], pinned?: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const m = labels ? BAR_MARGIN : { left: 2, right: 2, top: 2, bottom: 2 };
  const { width, height } = canvas;
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const unit = toUnit(map, scale, sign);
  const colormap = colormapFor(sign);
  const zero = sign === 'all' ? m.top + h / 2 : m.top + h;
  const slot = w / Math.max(1, map.length);
  for (let i = 0; i < map.length; i++) {
    const t = unit[i];
    const y = sign === 'all' ? m.top + h / 2 - (t - 0.5) * h : m.top + h - t * h;
    ctx.fillStyle = cssColor(colorAt(colormap, t));
    ctx.fillRect(m.left + i * slot, Math.min(y, zero), Math.max(slot - (slot > 3 ? 1 : 0), 0.5), Math.abs(zero - y));
  }
  if (pinned !== undefined) {
    ctx.strokeStyle = '#d62728';
    ctx.strokeRect(m.left + pinned * slot + 0.5, m.top + 0.5, Math.max(slot - 1, 1), h - 1);
  }
  ctx.fillStyle = '#888888';
  ctx.fillRect(m.left, zero - 0.5, w, 1);
  if (!labels) return;
  ctx.fillStyle = '#444444';
  ctx.font = '10px sans-serif';
  ctx.fillRect(m.left - 1, m.top, 1, h);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const s = formatScale(scale);
  const ticks: Array<[number, string]> = sign === 'all' ? [[m.top, `+${s}`], [m.top + h / 2, '0'], [m.top + h, `−${s}`]] : [[m.top, sign === 'negative' ? `−${s}` : s], [m.top + h, '0']];
  for (const [y, text] of ticks) ctx.fillText(text, m.left - 4, Math.min(Math.max(y, m.top + 5), m.top + h - 5));
  const every = Math.max(1, Math.ceil(12 / slot));
  for (let i = 0; i < map.length; i += every) {
    ctx.save();
    ctx.translate(m.left + (i + 0.5) * slot, m.top + h + 6);
    ctx.rotate(-Math.PI / 4);
    const text = labels[i] ?? String(i);
    ctx.fillText(text.length > 12 ? `${text.slice(0, 11)}…` : text, 0, 0);
    ctx.restore();
  }
}
