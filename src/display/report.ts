// The Explanation's own displays: its mime bundle (heatmaps + trajectories + completeness table) and
// the self-contained HTML report.
import { JUPYTER_DISPLAY, type MimeBundle } from '../display.js';
import type { Explanation } from '../explanation.js';
import { escapeHtml } from '../render/escape.js';
import { exampleLabel, heatmapView, trajectoryView, type HeatmapViewOptions } from './explanationViews.js';
import { plotlyLoaderHtml, plotlyMode, plotlyNotebookHtml } from './plotlyHtml.js';

export interface ReportOptions {
  /** Report title (default 'pathlens report'). */
  readonly title?: string;
  /** Names of the classes, for row labels and the table. */
  readonly classNames?: readonly string[];
  /** Options of the heatmap grids (sign and sharedScale are set per grid). */
  readonly heatmap?: Omit<HeatmapViewOptions, 'sign' | 'sharedScale' | 'colormap' | 'classNames'>;
  /** Trajectory plots for the first this-many examples (default 4). */
  readonly trajectories?: number;
}

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2)) : String(v));

/** Per method and example: Σ attribution, f(x) − f(baseline), the gap, and the cost. */
export function completenessTable(ex: Explanation, classNames?: readonly string[]): string {
  const head = ['method', 'example', 'Σ attribution', 'f(x) − f(baseline)', 'gap', 'gradients', 'time (ms)'];
  const rows = ex.methods.flatMap((m) => {
    const { completeness: c, gradientRows, timeMs } = ex.record(m);
    return c.sum.map((s, b) =>
      [m, exampleLabel(ex, b, classNames), fmt(s), fmt(c.delta[b]), fmt(c.gap[b]), b === 0 ? String(gradientRows) : '', b === 0 ? timeMs.toFixed(0) : ''],
    );
  });
  const cells = (r: string[], tag: string) => `<tr>${r.map((v, i) => `<${tag}${i > 1 ? ' class="num"' : ''}>${escapeHtml(v)}</${tag}>`).join('')}</tr>`;
  return `<table class="pathlens-table"><thead>${cells(head, 'th')}</thead><tbody>\n${rows.map((r) => cells(r, 'td')).join('\n')}\n</tbody></table>`;
}

/** A plain-text summary: one line per method with the mean |gap|. */
export function summaryText(ex: Explanation): string {
  const lines = ex.methods.map((m) => {
    const { completeness: c, gradientRows, timeMs } = ex.record(m);
    const gap = c.gap.reduce((s, g) => s + Math.abs(g), 0) / c.gap.length;
    return `  ${m.padEnd(16)} mean |gap| ${gap.toExponential(2).padStart(9)}  ${String(gradientRows).padStart(7)} gradients  ${timeMs.toFixed(0).padStart(6)} ms`;
  });
  const where = ex.layer ? `at layer '${ex.layer.name}', output` : 'on x';
  return [`pathlens Explanation: ${ex.methods.length} method(s) ${where} of shape [${ex.inputShape.join(', ')}] (${ex.backend}); targets ${ex.targets.join(' ')}`, ...lines].join('\n');
}

const STYLE = `
.pathlens { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
.pathlens h1 { font-size: 1.5em; margin: 0.4em 0; }
.pathlens h2 { font-size: 1.2em; margin: 1.2em 0 0.4em; }
.pathlens .meta, .pathlens .note { color: #555; font-size: 0.9em; }
.pathlens .notice { background: #fff6d6; border-left: 3px solid #e0b000; padding: 4px 8px; margin: 4px 0; }
.pathlens-table { border-collapse: collapse; font-size: 0.85em; }
.pathlens-table th, .pathlens-table td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; }
.pathlens-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.pathlens-image { image-rendering: pixelated; max-width: 100%; height: auto; }
`;

/** The Explanation's bundle: `text/html` (heatmaps, the trajectories of example 0, the table), `image/png` (the heatmaps), `text/plain`. */
export function explanationBundle(ex: Explanation): MimeBundle {
  const heatmap = heatmapView(ex);
  const trajectory = trajectoryView(ex);
  // The trajectories as their static image, or (plotly 'inline') as the Plotly figure over that image.
  const figure = plotlyMode() === 'inline' ? plotlyNotebookHtml(trajectory.figure, trajectory.image.toHTML()) : trajectory.image.toHTML();
  const html =
    `<div class="pathlens"><style>${STYLE}</style>\n` +
    `${heatmap.toHTML()}\n${figure}\n${completenessTable(ex)}\n</div>`;
  return { 'text/html': html, 'image/png': heatmap[JUPYTER_DISPLAY]()['image/png'], 'text/plain': summaryText(ex) };
}

/** One self-contained HTML file: images inline, plotly.js inline once; no network needed. */
export function reportHTML(ex: Explanation, options: ReportOptions = {}): string {
  const title = options.title ?? 'pathlens report';
  if (typeof title !== 'string') throw new Error(`title: expected a string, got ${JSON.stringify(title)}`);
  const count = options.trajectories ?? 4;
  if (!Number.isInteger(count) || count < 0) throw new Error(`trajectories: expected a whole number ≥ 0, got ${JSON.stringify(count)}`);
  const { classNames } = options;
  const absolute = heatmapView(ex, { ...options.heatmap, classNames });
  // One scale per map: a row's shared scale is set by its largest method and leaves the others
  // (gradient, gradient × input, SmoothGrad next to path methods) nearly blank.
  const signed = heatmapView(ex, { ...options.heatmap, classNames, sign: 'all', sharedScale: false });
  const examples = Array.from({ length: Math.min(count, ex.inputShape[0]) }, (_, b) => b);
  const plots = examples.map((b) => trajectoryView(ex, { example: b, classNames }).toHTML());
  const notices = ex.notices.map((n) => `<p class="notice">${escapeHtml(n)}</p>`).join('\n');
  const where = ex.layer ? `attributed at layer '${ex.layer.name}', output` : 'x';
  const meta = `${ex.methods.length} method(s): ${ex.methods.join(', ')} · ${where} of shape [${ex.inputShape.join(', ')}] · backend ${ex.backend} · explained classes ${ex.targets.join(', ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body { margin: 16px 24px; background: #fff; } ${STYLE}</style>
${plotlyLoaderHtml()}</head>
<body><div class="pathlens">
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
${notices}
<h2>Attribution magnitude</h2>
<p class="note">|attribution| over the grayscale input; each map on its own scale (99.5th percentile saturates).</p>
${absolute.toHTML()}
<h2>Signed attributions</h2>
<p class="note">Red adds to the explained output, blue takes away. Each map has its own scale (the value under each colour bar), so that a method with small attributions is not washed out next to one with large ones: compare patterns across methods, and magnitudes with the colour bars or <code>ex.heatmap({ sign: 'all', sharedScale: true })</code>.</p>
${signed.toHTML()}
<h2>Path trajectories</h2>
${plots.join('\n')}
<h2>Completeness</h2>
<p class="note">gap = Σ attribution − (f(x) − f(baseline)). Path methods should have a small gap; gradient, gradient × input and SmoothGrad are not expected to.</p>
${completenessTable(ex, classNames)}
</div></body></html>
`;
}
