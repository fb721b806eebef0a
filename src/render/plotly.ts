import { fitRange } from './axes.js';

/** A Plotly figure as plain JSON (`application/vnd.plotly.v1+json`). Attributes valid in plotly.js 2.x–4.x. */
export interface PlotlyFigure {
  readonly data: Array<Record<string, unknown>>;
  readonly layout: Record<string, unknown>;
  readonly config?: Record<string, unknown>;
}

/**
 * Okabe & Ito's colour-blind-safe qualitative colours, one per method (yellow last: it is faint on
 * white). Every method also gets its own dash ({@link DASHES}), so that two methods never look alike
 * even to a reader who cannot tell the colours apart, or on a grey print.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#F0E442'];
/** Plotly dash names, one per method in turn; `'dot'` is kept for reference curves (f(x) − f(point)). */
export const DASHES = ['solid', 'dash', 'dashdot', 'longdash', 'longdashdot'] as const;

export interface MethodStyle {
  readonly color: string;
  readonly dash: (typeof DASHES)[number];
}

/** The i-th method's colour and dash: unique pairs for the first 40 methods. */
export function methodStyle(i: number): MethodStyle {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length] };
}

export interface Panel {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly traces: Array<Record<string, unknown>>;
  /** Axis ranges; by default they fit the panel's data ({@link fitRange}). */
  readonly xRange?: [number, number];
  readonly yRange?: [number, number];
}

/** Width the figures are laid out for (Plotly stretches them to the page; the static image has this width). */
export const FIGURE_WIDTH = 960;
const TITLE_PX = 44;
const LEGEND_ROW_PX = 22;
const PANEL_TITLE_PX = 30;
const ROW_GAP_PX = 96;

/** Legend entries (name and whether shown) in the order Plotly lists them: one per name. */
export function legendEntries(data: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  return data.filter((t) => {
    if (t.showlegend === false || typeof t.name !== 'string') return false;
    const key = `${String(t.legendgroup ?? '')}\u0000${t.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Rows a horizontal legend takes at `width` px (entries ≈ 44 px + 6.5 px per character, Plotly's 12 px font). */
export function legendRows(names: readonly string[], width: number): number {
  let rows = names.length ? 1 : 0;
  let x = 0;
  for (const n of names) {
    const w = 44 + 6.5 * plainText(n).length;
    if (x > 0 && x + w > width) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows;
}

/** x and y to 5 significant digits: the figure's JSON (saved in notebooks) half as long, nothing visible lost. */
function rounded(trace: Record<string, unknown>): Record<string, unknown> {
  const round = (v: unknown) => (Array.isArray(v) ? v.map((n) => (typeof n === 'number' && Number.isFinite(n) ? Number(n.toPrecision(5)) : n)) : v);
  return 'x' in trace || 'y' in trace ? { x: round(trace.x), y: round(trace.y) } : {};
}

/** The text of a Plotly label: tags dropped, entities decoded. */
export function plainText(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
}

/**
 * Lays panels out on a grid of subplots (two columns), each with its own axes, ranges that fit its
 * data and a title above it, under one legend for the whole figure, at the top where the eye starts.
 * Titles are taken as given: escape user text before (Plotly reads `<b>`-style tags in strings).
 */
export function subplots(title: string, panels: readonly Panel[], panelHeight = 260): PlotlyFigure {
  const columns = panels.length > 1 ? 2 : 1;
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const data: Array<Record<string, unknown>> = [];
  panels.forEach((panel, i) => {
    const suffix = i === 0 ? '' : String(i + 1);
    for (const trace of panel.traces) data.push({ ...trace, ...rounded(trace), xaxis: `x${suffix}`, yaxis: `y${suffix}` });
  });
  const margin = { t: 0, l: 70, r: 24, b: 64 };
  const names = legendEntries(data).map((t) => String(t.name));
  const legendHeight = legendRows(names, FIGURE_WIDTH - margin.l - margin.r) * LEGEND_ROW_PX;
  margin.t = TITLE_PX + legendHeight + PANEL_TITLE_PX;
  const plotHeight = rows * panelHeight + (rows - 1) * ROW_GAP_PX;
  const height = margin.t + margin.b + plotHeight;
  const gapX = 0.1;
  const w = (1 - gapX * (columns - 1)) / columns;
  const h = panelHeight / plotHeight;
  const gapY = ROW_GAP_PX / plotHeight;
  const layout: Record<string, unknown> = {
    title: { text: title, x: 0.01, xanchor: 'left', y: 1 - 12 / height, yanchor: 'top', font: { size: 16 } },
    height,
    margin,
    showlegend: names.length > 0,
    // One legend, above the panels (paper y > 1 is the top margin): readable before the first plot.
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1 + (PANEL_TITLE_PX + 4) / plotHeight, yanchor: 'bottom', font: { size: 12 } },
    hovermode: 'closest',
    annotations: [] as unknown[],
  };
  panels.forEach((panel, i) => {
    const row = Math.floor(i / columns);
    const col = i % columns;
    const suffix = i === 0 ? '' : String(i + 1);
    const x0 = col * (w + gapX);
    const y1 = 1 - row * (h + gapY);
    const xs = panel.traces.flatMap((t) => (Array.isArray(t.x) ? (t.x as number[]) : []));
    const ys = panel.traces.flatMap((t) => (Array.isArray(t.y) ? (t.y as number[]) : []));
    const xRange = panel.xRange ?? fitRange(xs, { pad: 0.02 });
    const yRange = panel.yRange ?? fitRange(ys);
    layout[`xaxis${suffix}`] = { domain: [x0, x0 + w], anchor: `y${suffix}`, title: { text: panel.xTitle }, range: xRange, zeroline: false };
    layout[`yaxis${suffix}`] = { domain: [y1 - h, y1], anchor: `x${suffix}`, title: { text: panel.yTitle }, range: yRange, zeroline: false };
    (layout.annotations as unknown[]).push({
      text: `<b>${panel.title}</b>`,
      xref: 'paper',
      yref: 'paper',
      x: x0 + w / 2,
      y: y1,
      xanchor: 'center',
      yanchor: 'bottom',
      yshift: 4,
      showarrow: false,
      font: { size: 13 },
    });
  });
  return { data, layout, config: { responsive: true, displaylogo: false } };
}
