/**
 * Canvas drawing for the views, on the same normalisation and colormaps as the static heatmaps
 * (src/render is plain TypeScript on arrays).
 */
import { colorize } from '../../src/render/pixels.js';
import { applySign, grayscale, reduceChannels, scaleOf, toUnit, type MapLayout, type Sign } from '../../src/render/normalize.js';

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
