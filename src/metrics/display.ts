import { metricsFigure, metricsText, type PlotlyFigure } from '../render/metricsFigure.js';
import type { EvaluationResult } from './evaluate.js';
import { summaryCurves } from './summary.js';

/** The metrics figure, displayed by Jupyter (Plotly) or printed as a table. */
export interface MetricsDisplay {
  readonly figure: PlotlyFigure;
  readonly summary: string;
  [key: symbol]: () => Record<string, unknown>;
}

export function metricsDisplay(result: EvaluationResult): MetricsDisplay {
  if (!result || typeof result !== 'object' || !Array.isArray((result as EvaluationResult).methods) || !(result as EvaluationResult).curves) {
    throw new Error(`result: expected the result of ex.evaluate(), got ${String(result)}`);
  }
  const curves = summaryCurves(result);
  const figure = metricsFigure(curves);
  const summary = metricsText(curves);
  return {
    figure,
    summary,
    [Symbol.for('Jupyter.display')]: () => ({ 'application/vnd.plotly.v1+json': figure, 'text/plain': summary }),
    toString: () => summary,
  } as MetricsDisplay;
}
