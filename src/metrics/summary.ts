import { aggregateY, trapezoid } from './curves.js';
import type { EvaluationResult, MetricName } from './evaluate.js';

/** A mean with its 95% confidence interval (Student t; NaN entries left out). */
export interface MeanInterval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  readonly n: number;
}

// Two-sided 95% Student t quantiles for 1…30 degrees of freedom; 1.96 beyond.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function meanInterval(values: readonly number[]): MeanInterval {
  const v = values.filter((x) => !Number.isNaN(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, low: NaN, high: NaN, n };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (n - 1 <= 30 ? T95[n - 2] : 1.96) * (sd / Math.sqrt(n));
  return { mean, low: mean - half, high: mean + half, n };
}

/** One line of the metrics figure: a method's typical curve for one metric, and its AUC. */
export interface SummaryCurve {
  readonly method: string;
  readonly metric: MetricName;
  readonly x: number[];
  readonly y: number[];
  /** Insertion/deletion: the mean of the examples' AUCs (= the AUC of the mean curve). SIC/AIC: the AUC of the median curve (the papers' aggregate). */
  readonly auc: number;
  /** Examples behind it (SIC/AIC: those not skipped). */
  readonly examples: number;
  readonly aggregation: 'mean' | 'median';
}

/** The curves the figure draws: mean curves for insertion/deletion, the median curves for SIC/AIC. */
export function summaryCurves(r: EvaluationResult): SummaryCurve[] {
  const out: SummaryCurve[] = [];
  for (const metric of r.metrics) {
    for (const method of r.methods) {
      if (metric === 'sic' || metric === 'aic') {
        const agg = r.aggregate[method][metric];
        if (agg) out.push({ method, metric, x: agg.x, y: agg.y, auc: agg.auc, examples: agg.examples, aggregation: 'median' });
        continue;
      }
      const curves = (r.curves[method][metric] ?? []).filter((c) => c !== null);
      if (curves.length === 0) continue;
      const y = aggregateY(curves.map((c) => c.y), 'mean');
      out.push({ method, metric, x: curves[0].x, y, auc: trapezoid(curves[0].x, y), examples: curves.length, aggregation: 'mean' });
    }
  }
  return out;
}
