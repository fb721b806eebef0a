// The one place that touches the canvas library. @napi-rs/canvas (Skia) ships its prebuilt binary as an
// npm optional dependency, so `npm install` alone sets it up: no system libraries, no build from source.
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';

export type { Canvas, SKRSContext2D as Context };

export function newCanvas(width: number, height: number): Canvas {
  return createCanvas(Math.max(1, Math.round(width)), Math.max(1, Math.round(height)));
}

/** A canvas filled with white, its context set to `font` with text centred vertically. */
export function whiteCanvas(width: number, height: number, font: string): { canvas: Canvas; ctx: SKRSContext2D } {
  const canvas = newCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.font = font;
  ctx.textBaseline = 'middle';
  return { canvas, ctx };
}

/** Draws RGBA pixels (`width × height`) scaled into a rectangle, nearest neighbour (no blurring of cells). */
export function drawPixels(ctx: SKRSContext2D, rgba: Uint8ClampedArray, width: number, height: number, x: number, y: number, w: number, h: number): void {
  const source = newCanvas(width, height);
  const sctx = source.getContext('2d');
  const image = sctx.createImageData(width, height);
  image.data.set(rgba);
  sctx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, x, y, w, h);
  ctx.imageSmoothingEnabled = true;
}

export function toPng(canvas: Canvas): Buffer {
  return canvas.toBuffer('image/png');
}

/** Shortens `text` with an ellipsis until it fits `maxWidth` pixels in the current font. */
export function fitText(ctx: SKRSContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > maxWidth) cut = cut.slice(0, -1);
  return `${cut}…`;
}
