/**
 * The metrics figure as plain Plotly JSON: one panel per metric, one line per method, each AUC in the
 * legend. Arrays in, JSON out; no tensors.
 */
import { escapeHtml } from './escape.js';
import { methodStyle, subplots, type Panel, type PlotlyFigure } from './plotly.js';

export interface MetricsFigureCurve {
  readonly method: string;
  readonly metric: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly auc: number;
  readonly examples: number;
  readonly aggregation: 'mean' | 'median';
}


const TITLES: Record<string, { title: string; x: string; y: string; better: string; short: string }> = {
  insertion: { title: 'Insertion', x: 'fraction of pixels revealed', y: 'probability of the class', better: 'higher is better', short: 'ins' },
  deletion: { title: 'Deletion', x: 'fraction of pixels removed', y: 'probability of the class', better: 'lower is better', short: 'del' },
  sic: { title: 'SIC (softmax information curve)', x: 'normalised entropy', y: 'probability ÷ probability at x', better: 'higher is better', short: 'SIC' },
  aic: { title: 'AIC (accuracy information curve)', x: 'normalised entropy', y: 'top-1 accuracy', better: 'higher is better', short: 'AIC' },
};

/**
 * One panel per metric (probability axes from 0 to 1), one line per method with its own colour and
 * dash, one legend entry per method at the top listing its AUC under every metric.
 */
export function metricsFigure(curves: readonly MetricsFigureCurve[], title = 'Attribution faithfulness'): PlotlyFigure {
  const metrics = [...new Set(curves.map((c) => c.metric))];
  const methods = [...new Set(curves.map((c) => c.method))];
  const info = (metric: string) => TITLES[metric] ?? { title: metric, x: 'x', y: 'y', better: '', short: metric };
  const aucs = (method: string) =>
    metrics
      .map((metric) => curves.find((c) => c.method === method && c.metric === metric))
      .filter((c) => c !== undefined)
      .map((c) => `${info(c.metric).short} ${c.auc.toFixed(3)}`)
      .join(' · ');
  const panels: Panel[] = metrics.map((metric) => {
    const i = info(metric);
    return {
      title: `${i.title}${i.better ? `, ${i.better}` : ''}`,
      xTitle: i.x,
      yTitle: i.y,
      xRange: [0, 1],
      yRange: [0, 1.02],
      traces: curves
        .filter((c) => c.metric === metric)
        .map((c) => {
          const k = methods.indexOf(c.method);
          return {
            type: 'scatter',
            mode: 'lines',
            x: [...c.x],
            y: [...c.y],
            name: escapeHtml(`${c.method} (AUC ${aucs(c.method)})`),
            legendgroup: escapeHtml(c.method),
            line: { ...methodStyle(k), width: 2 },
            hovertemplate: `${escapeHtml(c.method)}, ${metric}: %{y:.3f} at %{x:.3f}<br>AUC ${c.auc.toFixed(3)}, ${c.aggregation} of ${c.examples} examples<extra></extra>`,
          };
        }),
    };
  });
  const figure = subplots(escapeHtml(title), panels);
  // One legend entry per method: its first curve.
  const seen = new Set<unknown>();
  for (const trace of figure.data) {
    trace.showlegend = !seen.has(trace.legendgroup);
    seen.add(trace.legendgroup);
  }
  return figure;
}

/** A plain-text table: one row per method, one AUC column per metric. */
export function metricsText(curves: readonly MetricsFigureCurve[]): string {
  const metrics = [...new Set(curves.map((c) => c.metric))];
  const methods = [...new Set(curves.map((c) => c.method))];
  const width = Math.max(6, ...methods.map((m) => m.length));
  const lines = [`${'method'.padEnd(width)}  ${metrics.map((m) => m.padStart(9)).join('  ')}`];
  for (const method of methods) {
    const cells = metrics.map((metric) => {
      const c = curves.find((k) => k.method === method && k.metric === metric);
      return (c ? c.auc.toFixed(3) : '—').padStart(9);
    });
    lines.push(`${method.padEnd(width)}  ${cells.join('  ')}`);
  }
  return `AUC (insertion/deletion: mean over examples; SIC/AIC: median curve)\n${lines.join('\n')}`;
}
