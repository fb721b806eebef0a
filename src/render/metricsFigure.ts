/**
 * The metrics figure as plain Plotly JSON: one panel per metric, one line per method, each AUC in the
 * legend. Arrays in, JSON out; no tensors.
 */
import { PALETTE, type PlotlyFigure } from './plotly.js';

export interface MetricsFigureCurve {
  readonly method: string;
  readonly metric: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly auc: number;
  readonly examples: number;
  readonly aggregation: 'mean' | 'median';
}


const TITLES: Record<string, { title: string; x: string; better: string }> = {
  insertion: { title: 'Insertion', x: 'fraction of pixels revealed', better: 'higher is better' },
  deletion: { title: 'Deletion', x: 'fraction of pixels removed', better: 'lower is better' },
  sic: { title: 'SIC (softmax information curve)', x: 'normalised entropy', better: 'higher is better' },
  aic: { title: 'AIC (accuracy information curve)', x: 'normalised entropy', better: 'higher is better' },
};


export function metricsFigure(curves: readonly MetricsFigureCurve[], title = 'Attribution faithfulness'): PlotlyFigure {
  const metrics = [...new Set(curves.map((c) => c.metric))];
  const methods = [...new Set(curves.map((c) => c.method))];
  const gap = 0.06;
  const width = (1 - gap * (metrics.length - 1)) / Math.max(1, metrics.length);
  const layout: Record<string, unknown> = {
    title: { text: title },
    height: 420,
    legend: { orientation: 'h', y: -0.25 },
    margin: { t: 70, b: 40 },
    annotations: [] as object[],
  };
  metrics.forEach((metric, i) => {
    const suffix = i === 0 ? '' : String(i + 1);
    const info = TITLES[metric] ?? { title: metric, x: 'x', better: '' };
    layout[`xaxis${suffix}`] = { domain: [i * (width + gap), i * (width + gap) + width], range: [0, 1], title: { text: info.x }, anchor: `y${suffix}` };
    layout[`yaxis${suffix}`] = { range: [0, 1.02], anchor: `x${suffix}`, ...(i === 0 ? { title: { text: 'probability of the class' } } : {}) };
    (layout.annotations as object[]).push({
      text: `<b>${info.title}</b><br><span style="font-size:10px">${info.better}</span>`,
      xref: 'paper',
      yref: 'paper',
      x: i * (width + gap) + width / 2,
      y: 1.02,
      xanchor: 'center',
      yanchor: 'bottom',
      showarrow: false,
    });
  });
  const data = curves.map((c) => {
    const i = metrics.indexOf(c.metric);
    const suffix = i === 0 ? '' : String(i + 1);
    return {
      type: 'scatter',
      mode: 'lines',
      x: [...c.x],
      y: [...c.y],
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      name: `${c.method} (AUC ${c.auc.toFixed(3)})`,
      legendgroup: c.metric,
      line: { color: PALETTE[methods.indexOf(c.method) % PALETTE.length], width: 2 },
      hovertemplate: `${c.method}, ${c.metric}: %{y:.3f} at %{x:.3f}<br>${c.aggregation} of ${c.examples} examples<extra></extra>`,
    };
  });
  return { data, layout };
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
