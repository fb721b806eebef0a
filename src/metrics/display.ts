import type { PlotlyMode } from '../display/plotlyHtml.js';
import { PlotlyView } from '../display/views.js';
import { metricsFigure, metricsText } from '../render/metricsFigure.js';
import type { EvaluationResult } from './evaluate.js';
import { summaryCurves } from './summary.js';

/** The metric curves as a Plotly view (AUCs in the legend); `summary` is the AUC table as text. */
export class MetricsDisplay extends PlotlyView {
  get summary(): string {
    return this.description;
  }
}

export function metricsDisplay(result: EvaluationResult, options: { readonly plotly?: PlotlyMode } = {}): MetricsDisplay {
  if (!result || typeof result !== 'object' || !Array.isArray((result as EvaluationResult).methods) || !(result as EvaluationResult).curves) {
    throw new Error(`result: expected the result of ex.evaluate(), got ${String(result)}`);
  }
  const curves = summaryCurves(result);
  return new MetricsDisplay(metricsFigure(curves), metricsText(curves), options?.plotly);
}
