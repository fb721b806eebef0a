/**
 * A static PNG of a Plotly figure, drawn in Node from the same JSON (titles, axes, ranges, colours,
 * dashes, legend): what GitHub, nbviewer, nbconvert's HTML and any front end without a Plotly renderer
 * show. It draws the subset of Plotly pathlens's figures use: scatter traces (lines and/or markers) on
 * subplots placed by their axis domains, paper-anchored annotations, a title and one legend at the top.
 */
import { fitRange, formatTick, niceTicks } from './axes.js';
import { fitText, newCanvas, type Context } from './canvas.js';
import { indexedPng } from './indexedPng.js';
import { FIGURE_WIDTH, legendEntries, PALETTE, plainText, type PlotlyFigure } from './plotly.js';

export interface ChartPanel {
  /** The Plotly axis ids, e.g. `x2` and `y2`. */
  readonly xAxis: string;
  readonly yAxis: string;
  /** The plot area in pixels. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly xRange: [number, number];
  readonly yRange: [number, number];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly xTicks: number[];
  readonly yTicks: number[];
}

export interface LegendItem {
  readonly name: string;
  readonly color: string;
  readonly dash: string;
  readonly markers: boolean;
  readonly symbol: string;
}

export interface StaticChart {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly panels: ChartPanel[];
  readonly legend: LegendItem[];
}

type Trace = Record<string, unknown>;
type Axis = { domain?: [number, number]; range?: [number, number]; title?: { text?: string } | string; anchor?: string };

// Skia resolves a bare `sans-serif` to a serif face on some Linux machines: name common sans faces first.
const FONT = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif';
const TEXT = '#222222';
const MUTED = '#555555';
const GRID = '#e6e6e6';
const LEGEND_ROW = 22;
const SAMPLE = 34;

/** Canvas dash patterns for Plotly's dash names, at line width 2. */
export const DASH_PATTERNS: Record<string, number[]> = {
  solid: [],
  dot: [2, 3],
  dash: [8, 4],
  dashdot: [8, 3, 2, 3],
  longdash: [16, 5],
  longdashdot: [16, 4, 2, 4],
};

const object = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const textOf = (v: unknown): string => plainText(typeof v === 'string' ? v : typeof object(v).text === 'string' ? (object(v).text as string) : '');
const numbers = (v: unknown): Array<number | null> => (Array.isArray(v) ? v.map((n) => (typeof n === 'number' && Number.isFinite(n) ? n : null)) : []);

function lineOf(trace: Trace, index: number): { color: string; width: number; dash: string } {
  const line = object(trace.line);
  const marker = object(trace.marker);
  const color = typeof line.color === 'string' ? line.color : typeof marker.color === 'string' ? marker.color : PALETTE[index % PALETTE.length];
  return { color, width: typeof line.width === 'number' ? line.width : 2, dash: typeof line.dash === 'string' ? line.dash : 'solid' };
}

const modeOf = (trace: Trace) => (typeof trace.mode === 'string' ? trace.mode : 'lines');

/** Draws the figure as a PNG `width` pixels wide (its height is the layout's, plus room a long legend needs). */
export function staticChart(figure: PlotlyFigure, width = FIGURE_WIDTH): StaticChart {
  const layout = object(figure.layout);
  const data = (Array.isArray(figure.data) ? figure.data : []) as Trace[];
  const margin = { t: 70, l: 70, r: 24, b: 64, ...(object(layout.margin) as Record<string, number>) };
  const layoutHeight = typeof layout.height === 'number' ? layout.height : 450;
  const title = textOf(layout.title);

  // The legend: measured here, so a legend longer than the layout planned pushes the panels down.
  const measure = newCanvas(1, 1).getContext('2d');
  measure.font = `12px ${FONT}`;
  const entries = layout.showlegend === false ? [] : legendEntries(data);
  const legend: LegendItem[] = entries.map((t) => {
    const { color, dash } = lineOf(t, data.indexOf(t));
    const symbol = object(t.marker).symbol;
    return { name: plainText(String(t.name)), color, dash, markers: !modeOf(t).includes('lines'), symbol: typeof symbol === 'string' ? symbol : 'circle' };
  });
  const placed: Array<{ item: LegendItem; x: number; y: number }> = [];
  let lx = margin.l;
  let row = 0;
  for (const item of legend) {
    const w = SAMPLE + 6 + Math.min(measure.measureText(item.name).width, width - margin.l - margin.r - SAMPLE - 6) + 18;
    if (lx > margin.l && lx + w > width - margin.r) {
      row++;
      lx = margin.l;
    }
    placed.push({ item, x: lx, y: row * LEGEND_ROW + LEGEND_ROW / 2 });
    lx += w;
  }
  const hasPanelTitles = Array.isArray(layout.annotations) && layout.annotations.length > 0;
  // As in Plotly, the legend sits right above the panel titles; under the title when it needs more room.
  const legendHeight = legend.length ? (row + 1) * LEGEND_ROW : 0;
  const legendTop = Math.max(title ? 40 : 12, margin.t - (hasPanelTitles ? 34 : 10) - legendHeight);
  for (const p of placed) p.y += legendTop;
  const legendBottom = legendTop + legendHeight;
  const plotTop = Math.max(margin.t, legendBottom + (hasPanelTitles ? 34 : 10));
  const plotHeight = Math.max(40, layoutHeight - margin.t - margin.b);
  const height = plotTop + plotHeight + margin.b;
  const left = margin.l;
  const plotWidth = width - margin.l - margin.r;
  const px = (xp: number) => left + xp * plotWidth;
  const py = (yp: number) => plotTop + (1 - yp) * plotHeight;

  const canvas = newCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  if (title) {
    ctx.font = `16px ${FONT}`;
    ctx.fillStyle = TEXT;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(fitText(ctx, title, width - 24), 12, 22);
  }

  // Panels: one per x axis, with the y axis it is anchored to.
  const axisIds = Object.keys(layout).filter((k) => /^xaxis\d*$/.test(k));
  if (axisIds.length === 0) axisIds.push('xaxis');
  const panels: ChartPanel[] = axisIds.map((key) => {
    const n = key.slice(5);
    const xAxis = object(layout[key]) as Axis;
    const yId = typeof xAxis.anchor === 'string' && xAxis.anchor.startsWith('y') ? xAxis.anchor : `y${n}`;
    const yAxis = object(layout[`yaxis${yId.slice(1)}`]) as Axis;
    const traces = data.filter((t) => (t.xaxis ?? 'x') === `x${n}`);
    const [dx0, dx1] = xAxis.domain ?? [0, 1];
    const [dy0, dy1] = yAxis.domain ?? [0, 1];
    const box = { x: px(dx0), y: py(dy1), width: px(dx1) - px(dx0), height: py(dy0) - py(dy1) };
    const xRange = validRange(xAxis.range) ?? fitRange(traces.flatMap((t) => numbers(t.x)), { pad: 0.02 });
    const yRange = validRange(yAxis.range) ?? fitRange(traces.flatMap((t) => numbers(t.y)));
    const xTicks = niceTicks(xRange[0], xRange[1], Math.max(2, Math.round(box.width / 90)));
    const yTicks = niceTicks(yRange[0], yRange[1], Math.max(2, Math.round(box.height / 50)));
    return { xAxis: `x${n}`, yAxis: yId, box, xRange, yRange, xTitle: textOf(xAxis.title), yTitle: textOf(yAxis.title), xTicks, yTicks };
  });
  for (const panel of panels) drawAxes(ctx, panel);
  for (const panel of panels) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(panel.box.x, panel.box.y, panel.box.width, panel.box.height);
    ctx.clip();
    data.forEach((t, i) => {
      if ((t.xaxis ?? 'x') === panel.xAxis) drawTrace(ctx, t, i, panel);
    });
    ctx.restore();
  }
  for (const a of Array.isArray(layout.annotations) ? layout.annotations : []) drawAnnotation(ctx, object(a), px, py);
  for (const { item, x, y } of placed) drawLegendItem(ctx, item, x, y, width - margin.r);
  return { png: indexedPng(ctx.getImageData(0, 0, width, height).data, width, height), width, height, title, panels, legend };
}

function validRange(r: unknown): [number, number] | undefined {
  return Array.isArray(r) && r.length === 2 && r.every((v) => typeof v === 'number' && Number.isFinite(v)) && r[1] > r[0] ? [r[0], r[1]] : undefined;
}

function scale(panel: ChartPanel): { sx: (v: number) => number; sy: (v: number) => number } {
  const { box, xRange, yRange } = panel;
  return {
    sx: (v) => box.x + ((v - xRange[0]) / (xRange[1] - xRange[0])) * box.width,
    sy: (v) => box.y + box.height - ((v - yRange[0]) / (yRange[1] - yRange[0])) * box.height,
  };
}

function drawAxes(ctx: Context, panel: ChartPanel): void {
  const { box, xTicks, yTicks } = panel;
  const { sx, sy } = scale(panel);
  ctx.lineWidth = 1;
  ctx.setLineDash([]);
  ctx.strokeStyle = GRID;
  ctx.beginPath();
  for (const t of xTicks) {
    const x = Math.round(sx(t)) + 0.5;
    ctx.moveTo(x, box.y);
    ctx.lineTo(x, box.y + box.height);
  }
  for (const t of yTicks) {
    const y = Math.round(sy(t)) + 0.5;
    ctx.moveTo(box.x, y);
    ctx.lineTo(box.x + box.width, y);
  }
  ctx.stroke();
  ctx.strokeStyle = '#9a9a9a';
  ctx.strokeRect(Math.round(box.x) + 0.5, Math.round(box.y) + 0.5, Math.round(box.width), Math.round(box.height));
  ctx.font = `11px ${FONT}`;
  ctx.fillStyle = MUTED;
  const xStep = xTicks.length > 1 ? xTicks[1] - xTicks[0] : Math.abs(xTicks[0] ?? 1) || 1;
  const yStep = yTicks.length > 1 ? yTicks[1] - yTicks[0] : Math.abs(yTicks[0] ?? 1) || 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xTicks) ctx.fillText(formatTick(t, xStep), sx(t), box.y + box.height + 5);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  let widest = 0;
  for (const t of yTicks) {
    const label = formatTick(t, yStep);
    widest = Math.max(widest, ctx.measureText(label).width);
    ctx.fillText(label, box.x - 6, sy(t));
  }
  ctx.font = `12px ${FONT}`;
  ctx.fillStyle = TEXT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  if (panel.xTitle) ctx.fillText(fitText(ctx, panel.xTitle, box.width + 40), box.x + box.width / 2, box.y + box.height + 24);
  if (panel.yTitle) {
    ctx.save();
    ctx.translate(box.x - widest - 12, box.y + box.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'bottom';
    ctx.fillText(fitText(ctx, panel.yTitle, box.height + 30), 0, 0);
    ctx.restore();
  }
}

function drawTrace(ctx: Context, trace: Trace, index: number, panel: ChartPanel): void {
  const xs = numbers(trace.x);
  const ys = numbers(trace.y);
  const { sx, sy } = scale(panel);
  const { color, width, dash } = lineOf(trace, index);
  const mode = modeOf(trace);
  ctx.globalAlpha = typeof trace.opacity === 'number' ? trace.opacity : 1;
  if (mode.includes('lines')) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.setLineDash((DASH_PATTERNS[dash] ?? []).map((d) => d * Math.max(1, width / 2)));
    ctx.beginPath();
    let open = false;
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
      const x = xs[i];
      const y = ys[i];
      if (x === null || y === null) {
        open = false;
        continue;
      }
      if (open) ctx.lineTo(sx(x), sy(y));
      else ctx.moveTo(sx(x), sy(y));
      open = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (mode.includes('markers')) {
    const marker = object(trace.marker);
    const size = typeof marker.size === 'number' ? marker.size : 6;
    const fill = typeof marker.color === 'string' ? marker.color : color;
    const symbol = typeof marker.symbol === 'string' ? marker.symbol : 'circle';
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
      if (xs[i] !== null && ys[i] !== null) drawMarker(ctx, symbol, sx(xs[i]!), sy(ys[i]!), size, fill);
    }
  }
  ctx.globalAlpha = 1;
}

function drawMarker(ctx: Context, symbol: string, x: number, y: number, size: number, color: string): void {
  const r = size / 2;
  ctx.fillStyle = color;
  ctx.strokeStyle = color;
  ctx.setLineDash([]);
  if (symbol === 'x') {
    ctx.lineWidth = Math.max(1.5, size / 5);
    ctx.beginPath();
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
    ctx.stroke();
    return;
  }
  ctx.beginPath();
  if (symbol === 'star') {
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rr = k % 2 === 0 ? r * 1.2 : r * 0.5;
      if (k === 0) ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
      else ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
  ctx.fill();
}

function drawAnnotation(ctx: Context, a: Record<string, unknown>, px: (v: number) => number, py: (v: number) => number): void {
  if (a.xref !== 'paper' || a.yref !== 'paper' || typeof a.x !== 'number' || typeof a.y !== 'number') return;
  const raw = typeof a.text === 'string' ? a.text : '';
  const lines = plainText(raw).split('\n');
  const bold = /^\s*<b>/i.test(raw);
  const size = typeof object(a.font).size === 'number' ? (object(a.font).size as number) : 12;
  const heights = lines.map((_, i) => (i === 0 ? size + 4 : size + 1));
  const total = heights.reduce((s, h) => s + h, 0);
  const shift = typeof a.yshift === 'number' ? a.yshift : 0;
  let y = py(a.y) - shift - (a.yanchor === 'bottom' ? total : a.yanchor === 'top' ? 0 : total / 2);
  ctx.fillStyle = TEXT;
  ctx.textAlign = a.xanchor === 'left' ? 'left' : a.xanchor === 'right' ? 'right' : 'center';
  ctx.textBaseline = 'top';
  lines.forEach((line, i) => {
    ctx.font = i === 0 ? `${bold ? 'bold ' : ''}${size}px ${FONT}` : `${size - 2}px ${FONT}`;
    ctx.fillStyle = i === 0 ? TEXT : MUTED;
    ctx.fillText(line, px(a.x as number), y);
    y += heights[i];
  });
}

function drawLegendItem(ctx: Context, item: LegendItem, x: number, y: number, right: number): void {
  ctx.globalAlpha = 1;
  if (item.markers) {
    drawMarker(ctx, item.symbol, x + SAMPLE / 2, y, 9, item.color);
  } else {
    ctx.strokeStyle = item.color;
    ctx.lineWidth = 2.5;
    ctx.setLineDash(DASH_PATTERNS[item.dash] ?? []);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + SAMPLE, y);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.font = `12px ${FONT}`;
  ctx.fillStyle = TEXT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(fitText(ctx, item.name, right - x - SAMPLE - 6), x + SAMPLE + 6, y);
}
