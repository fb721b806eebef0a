/** A small canvas line plot: one line per series, an optional marker, axis ranges in the corner. */
import { colorAt, cssColor } from '../../src/render/colormap.js';

export interface Series {
  readonly label: string;
  readonly y: ArrayLike<number>;
}

export function seriesColor(i: number, n: number): string {
  return cssColor(colorAt('viridis', n <= 1 ? 0.2 : (0.85 * i) / (n - 1)));
}

/** Draws `series` against x ∈ [0, 1] (index / (length − 1)); `marker` = [series index, point index]. */
export function linePlot(canvas: HTMLCanvasElement, series: readonly Series[], title: string, marker?: [number, number]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const pad = { left: 8, right: 8, top: 18, bottom: 14 };
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) for (let i = 0; i < s.y.length; i++) if (Number.isFinite(s.y[i])) [lo, hi] = [Math.min(lo, s.y[i]), Math.max(hi, s.y[i])];
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const px = (i: number, n: number) => pad.left + (n <= 1 ? 0 : (i / (n - 1)) * (width - pad.left - pad.right));
  const py = (v: number) => height - pad.bottom - ((v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = '#ccc';
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  if (lo < 0 && hi > 0) {
    ctx.beginPath();
    ctx.moveTo(pad.left, py(0));
    ctx.lineTo(width - pad.right, py(0));
    ctx.stroke();
  }
  series.forEach((s, k) => {
    ctx.strokeStyle = seriesColor(k, series.length);
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i < s.y.length; i++) (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, px(i, s.y.length), py(s.y[i]));
    ctx.stroke();
  });
  if (marker) {
    const s = series[marker[0]];
    if (s && marker[1] < s.y.length) {
      ctx.fillStyle = '#d62728';
      ctx.beginPath();
      ctx.arc(px(marker[1], s.y.length), py(s.y[marker[1]]), 5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.fillStyle = '#333';
  ctx.font = '11px sans-serif';
  ctx.fillText(title, pad.left, 12);
  ctx.fillText(`${hi.toPrecision(3)} … ${lo.toPrecision(3)}`, width - pad.right - 110, 12);
}
