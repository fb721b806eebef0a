import * as tf from '@tensorflow/tfjs';
import { display, JUPYTER_DISPLAY, type DisplayOptions, type MimeBundle } from './display.js';
import { heatmapView, trajectoryView, type HeatmapViewOptions, type TrajectoryViewOptions } from './display/explanationViews.js';
import { explanationBundle, reportHTML, type ReportOptions } from './display/report.js';
import { textView, tokenScores, type TextViewOptions, type TokenOptions, type TokenScores } from './display/textViews.js';
import type { PlotlyMode } from './display/plotlyHtml.js';
import type { HeatmapView, PlotlyView, TextView } from './display/views.js';
import type { OutputSpace } from './render/trajectory.js';
import { outputSpaceOf } from './representation.js';
import { traceTensors, type PathTrace } from './methods/types.js';
import { evaluateWith, type EvaluateOptions, type EvaluationContext, type EvaluationResult } from './metrics/evaluate.js';
import { metricsDisplay, type MetricsDisplay } from './metrics/display.js';
import { explanationWidget, type ExplanationWidget, type WidgetOptions } from './widgets/widget.js';
import type { WidgetKind } from './widgets/module.js';

/** Completeness per example: the attributions should add up to f(x) − f(baseline). */
export interface Completeness {
  /** Σ attribution. */
  readonly sum: number[];
  /** f(x) − f(baseline), the explained output's change along the path. */
  readonly delta: number[];
  /** sum − delta (Captum's convergence delta). */
  readonly gap: number[];
  readonly fInput: number[];
  readonly fBaseline: number[];
}

/** What one method produced, as stored in an Explanation. */
export interface MethodRecord {
  /** The name it is stored under: the method name, or its `label`. */
  readonly label: string;
  readonly method: string;
  /** The options it ran with (JSON-safe; tensors are summarised). */
  readonly options: Record<string, unknown>;
  readonly attribution: tf.Tensor;
  readonly trace: PathTrace;
  readonly completeness: Completeness;
  readonly timeMs: number;
  /** Gradient evaluations (points) this method asked of the model. */
  readonly gradientRows: number;
  /** Model calls that computed those gradients (each at most `internalBatchSize` points). */
  readonly gradientCalls: number;
}

/** The result of `explain(...)`: attributions, their paths and completeness, per method. Owns its tensors. */
export class Explanation {
  private readonly records: Map<string, MethodRecord>;
  private disposed = false;

  constructor(
    records: readonly MethodRecord[],
    /** The class explained for each example. */
    readonly targets: readonly number[],
    /** The tfjs backend that computed it. */
    readonly backend: string,
    /** Shape of the explained input x. */
    readonly inputShape: readonly number[],
    /** Things the user should know about this run: a lowered internalBatchSize, IG2's zero-gradient steps. */
    readonly notices: readonly string[] = [],
    /** The model and a copy of x (owned: disposed with the Explanation), for evaluate() and the views. */
    private readonly evaluation: EvaluationContext | null = null,
    /** Set when explained at a layer: its name, and a copy of the model input x (e.g. token ids; owned). */
    readonly layer?: { readonly name: string; readonly input: tf.Tensor },
  ) {
    this.records = new Map(records.map((r) => [r.label, r]));
  }

  /** The explained input x (float32, a copy owned by the Explanation), for overlays and path projections. */
  get input(): tf.Tensor | undefined {
    return this.evaluation?.x;
  }

  /** Names of the methods, in the order they ran. */
  get methods(): string[] {
    return [...this.records.keys()];
  }

  /** The attribution of method `name`, with x's shape (float32). Owned by the Explanation: do not dispose it. */
  attribution(name: string): tf.Tensor {
    return this.record(name).attribution;
  }

  completeness(name: string): Completeness {
    return this.record(name).completeness;
  }

  /** The path the method took: per example and step, progress, output, gradient norm and features moved. */
  path(name: string): PathTrace {
    return this.record(name).trace;
  }

  /** IG2's GradCF baselines, `[B, R, ...]`: where each reference's GradPath ended. Owned by the Explanation. */
  gradCF(name: string): tf.Tensor {
    const gradCF = this.record(name).trace.gradCF;
    if (!gradCF) throw new Error(`name: expected a method with GradCF baselines (IG2), got '${name}' (${this.record(name).method})`);
    return gradCF;
  }

  /** Everything known about one method's run. */
  record(name: string): MethodRecord {
    if (this.disposed) throw new Error('explanation: already disposed');
    const record = this.records.get(name);
    if (!record) throw new Error(`name: expected one of ${this.methods.map((m) => `'${m}'`).join(', ')}, got '${name}'`);
    return record;
  }

  /** Heatmaps: one row per example, one column per method, over the input (`{ sign, sharedScale, clip, colormap, ... }`). */
  heatmap(options?: HeatmapViewOptions): HeatmapView {
    return heatmapView(this, options);
  }

  /** Per-token scores of a sequence attribution `[B, T, D]`: Σ over the embedding axis, signed and absolute (`{ tokens }` names them). */
  tokens(name: string, options?: TokenOptions): TokenScores {
    return tokenScores(this, name, options);
  }

  /** Sentences with each token coloured by its attribution, one row per method (`{ tokens, sign = 'all', sharedScale }`). */
  text(options?: TextViewOptions): TextView {
    return textView(this, options);
  }

  /** One example's path trajectories as a Plotly figure (`{ example = 0, methods, panels }`). */
  trajectory(options?: TrajectoryViewOptions): PlotlyView {
    return trajectoryView(this, options);
  }

  /** A self-contained, offline HTML report (heatmaps, trajectories, completeness). */
  toHTML(options?: ReportOptions): string {
    return reportHTML(this, options);
  }

  /** Shows the default view (heatmaps, trajectories, completeness table) in the notebook; outside one, returns its mime bundle. */
  show(options?: DisplayOptions): MimeBundle | undefined {
    return display(this, options);
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return explanationBundle(this);
  }

  /** An interactive widget: `'explorer'` (default) or `'player'` (needs keepPath); static heatmap where widgets cannot load. */
  widget(kind?: WidgetKind, options?: WidgetOptions): ExplanationWidget {
    return explanationWidget(this, this.evaluation, kind, options);
  }

  /**
   * Scores the attributions: insertion and deletion AUC, SIC and AIC (see EvaluateOptions). The
   * forward passes of all methods go through the model together, in chunks.
   */
  async evaluate(options: EvaluateOptions = {}): Promise<EvaluationResult> {
    if (this.disposed) throw new Error('explanation: already disposed');
    if (!this.evaluation) throw new Error('explanation: made without its model and input, so it cannot be evaluated');
    return evaluateWith(this.evaluation, new Map(this.methods.map((m) => [m, this.attribution(m)])), options);
  }

  /** The curves of an evaluate() result as a Plotly figure (AUCs in the legend), shown by Jupyter. */
  metricsPlot(result: EvaluationResult, options?: { readonly plotly?: PlotlyMode }): MetricsDisplay {
    return metricsDisplay(result, options);
  }

  /** What method `name` explains: a class probability, a logit (IG2 with `output: 'logits'`), or the model's output as it is. */
  outputSpace(name: string): OutputSpace {
    return outputSpaceOf(this.evaluation?.model, this.record(name).options.output);
  }

  toJSON(): object {
    return {
      backend: this.backend,
      inputShape: this.inputShape,
      layer: this.layer?.name,
      notices: this.notices,
      targets: this.targets,
      methods: this.methods.map((name) => {
        const { label, method, options, attribution, trace, completeness, timeMs, gradientRows, gradientCalls } = this.record(name);
        const { points, gradCF, ...path } = trace;
        return {
          label,
          method,
          options,
          timeMs,
          gradientRows,
          gradientCalls,
          completeness,
          path: { ...path, points: points ? { shape: points.shape } : undefined, gradCF: gradCF ? { shape: gradCF.shape } : undefined },
          attribution: { shape: attribution.shape, values: Array.from(attribution.dataSync()) },
        };
      }),
    };
  }

  /** Frees every tensor the Explanation holds. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const r of this.records.values()) {
      r.attribution.dispose();
      tf.dispose(traceTensors(r.trace));
    }
    this.evaluation?.x.dispose();
    this.layer?.input.dispose();
  }
}
