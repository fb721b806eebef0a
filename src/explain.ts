import * as tf from '@tensorflow/tfjs';
import { defaultInternalBatchSize } from './backend/memory.js';
import { ensureBackend } from './backend/select.js';
import { completenessNotices, printNotices } from './completenessNotices.js';
import { resolveBaseline, type BaselineSpec } from './baseline.js';
import { Explanation, type MethodRecord } from './explanation.js';
import { gradient } from './methods/gradient.js';
import { guidedIG, type GuidedIGOptions } from './methods/guidedIG.js';
import { integratedGradients, type IGOptions } from './methods/ig.js';
import { defaultProgress } from './progress.js';
import { ig2, type IG2Options } from './methods/ig2.js';
import { moveToLayer, splitModel } from './layer.js';
import { blurIG, type BlurIGOptions } from './methods/blurIG.js';
import { smoothGrad, type SmoothGradOptions } from './methods/smoothGrad.js';
import { traceTensors, type MethodInput, type MethodResult } from './methods/types.js';
import { adaptModel, type ModelLike } from './model.js';
import { methodError, nonFiniteNotice } from './methodFailures.js';
import { abortError, createOracle, runSignal } from './oracle.js';
import { checkPlan } from './planCheck.js';
import type { PlanEstimate } from './planEstimate.js';
import { resolveTargets, type TargetSpec } from './target.js';
import { mirrorOnHost, readAll } from './tensors.js';
import { checkOneOf, checkPositiveInteger } from './validate.js';

export interface ExplainOptions {
  /** `'predicted'` (default: argmax per example), a class index, or one index per example. */
  readonly target?: TargetSpec;
  /** At most this many points (examples × steps) go to the model in one call (default 64; 256 on webgpu; lowered where one call would not fit). */
  readonly internalBatchSize?: number;
  /**
   * Attribute to the output of this layer of a tf.LayersModel (or node of a tf.GraphModel) instead of
   * the input: x (e.g. token ids) runs through the part before it once, the methods explain the part
   * after it, and attributions have the layer's output shape (`[B, T, D]` for an embedding).
   */
  readonly layer?: string;
}

/** Options every method takes. */
export interface CommonOptions {
  /** Store the result under this name instead of the method's (needed to run one method twice). */
  readonly label?: string;
  /** Where the path starts: `'zeros'` (default), a number, or a tensor of one example's or of x's shape. */
  readonly baseline?: BaselineSpec;
}

const INNER_METHODS = ['gradient', 'gradientXInput', 'ig', 'guidedIG'] as const;
type InnerName = (typeof INNER_METHODS)[number];

export interface SmoothGradStepOptions extends SmoothGradOptions, CommonOptions {
  /** The method run on the noisy copies (default `'gradient'`). */
  readonly of?: InnerName;
  /** Options of that method, e.g. `{ steps: 50 }` for `of: 'guidedIG'`. */
  readonly ofOptions?: IGOptions | GuidedIGOptions;
}

/** IG2 and Blur IG start their paths elsewhere (references, the blurred image): they take no `baseline`. */
export type IG2StepOptions = IG2Options & Pick<CommonOptions, 'label'>;
export type BlurIGStepOptions = BlurIGOptions & Pick<CommonOptions, 'label'>;

/** One planned method and its options, as the builder records it. */
export type PlanStep =
  | { method: 'gradient' | 'gradientXInput'; options: CommonOptions }
  | { method: 'ig'; options: IGOptions & CommonOptions }
  | { method: 'guidedIG'; options: GuidedIGOptions & CommonOptions }
  | { method: 'smoothGrad'; options: SmoothGradStepOptions }
  | { method: 'ig2'; options: IG2StepOptions }
  | { method: 'blurIG'; options: BlurIGStepOptions };

export interface Progress {
  /** The method's label. */
  readonly method: string;
  readonly step: number;
  readonly steps: number;
  readonly examples: number;
  readonly elapsedMs: number;
}

export interface RunOptions {
  readonly onProgress?: (progress: Progress) => void;
  /** A plan estimated to take longer fails before it starts (default 3600 s: about an hour at the measured gradient rate). */
  readonly maxSeconds?: number;
  /**
   * Stops the run: it is checked before every model call, and once aborted the run frees what it made and
   * rejects with an `AbortError`. Default: the running notebook cell's signal (aborted when the cell is
   * interrupted), from the pathlens kernel's hook; none elsewhere.
   */
  readonly signal?: AbortSignal;
}

function runInner(name: InnerName, input: MethodInput, options: object): Promise<MethodResult> {
  switch (name) {
    case 'gradient':
      return gradient(input);
    case 'gradientXInput':
      return gradient(input, { timesInput: true });
    case 'ig':
      return integratedGradients(input, options as IGOptions);
    case 'guidedIG':
      return guidedIG(input, options as GuidedIGOptions);
  }
}

function runStep(step: PlanStep, input: MethodInput): Promise<MethodResult> {
  if (step.method === 'ig2') return ig2(input, step.options);
  if (step.method === 'blurIG') return blurIG(input, step.options);
  if (step.method !== 'smoothGrad') return runInner(step.method, input, step.options);
  const of = checkOneOf('of', step.options.of ?? 'gradient', INNER_METHODS);
  return smoothGrad(input, (noisy) => runInner(of, noisy, step.options.ofOptions ?? {}), step.options);
}

function jsonSafe(options: object): Record<string, unknown> {
  const safe = (v: unknown): unknown => {
    if (v instanceof tf.Tensor) return { tensor: v.shape };
    if (typeof v === 'function') return 'function';
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? jsonSafe(v) : v;
  };
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, safe(v)]));
}

/**
 * An immutable plan of attribution methods for one model and input. Each method call returns a new
 * plan; awaiting it (or `.run()`) computes them all and gives an {@link Explanation}.
 */
export class ExplainBuilder implements PromiseLike<Explanation> {
  constructor(
    private readonly model: ModelLike,
    private readonly x: tf.Tensor,
    private readonly options: ExplainOptions,
    private readonly plan: readonly PlanStep[],
  ) {}

  private with(step: PlanStep): ExplainBuilder {
    return new ExplainBuilder(this.model, this.x, this.options, [...this.plan, step]);
  }

  /** The plain input gradient. */
  gradient(options: CommonOptions = {}): ExplainBuilder {
    return this.with({ method: 'gradient', options });
  }

  /** Gradient × input. */
  gradientXInput(options: CommonOptions = {}): ExplainBuilder {
    return this.with({ method: 'gradientXInput', options });
  }

  /** Integrated Gradients: `{ steps = 50, rule = 'gaussLegendre', baseline = 'zeros' }`. */
  ig(options: IGOptions & CommonOptions = {}): ExplainBuilder {
    return this.with({ method: 'ig', options });
  }

  /** Guided IG: `{ steps = 200, fraction = 0.25, maxDist = 0.02, baseline = 'zeros' }`. */
  guidedIG(options: GuidedIGOptions & CommonOptions = {}): ExplainBuilder {
    return this.with({ method: 'guidedIG', options });
  }

  /** SmoothGrad around a method: `{ samples = 25, stdevSpread = 0.15, magnitude = true, of = 'gradient' }`. */
  smoothGrad(options: SmoothGradStepOptions = {}): ExplainBuilder {
    return this.with({ method: 'smoothGrad', options });
  }

  /**
   * IG2 (GradPath + GradCF): `{ references, representation = 'penultimate', steps = 201, stepSize, clip, output = 'model' }`.
   * `references` is required: a tensor `[R, ...]` or `{ pool, count = 10 }`. See {@link IG2Options} for the defaults.
   */
  ig2(options: IG2StepOptions): ExplainBuilder {
    // Without options the run fails with a 'references' error, not here.
    return this.with({ method: 'ig2', options: options ?? ({} as IG2StepOptions) });
  }

  /** Blur IG, for images `[B, H, W, C]`: `{ maxSigma = 50, steps = 100, gradStep = 0.01 }`. */
  blurIG(options: BlurIGStepOptions = {}): ExplainBuilder {
    return this.with({ method: 'blurIG', options });
  }

  /**
   * What the plan would cost, without running it: per method, gradient rows, model calls, seconds at the
   * rate measured by one model call on the first rows of x, and peak memory; `problems` says what is over
   * a limit (run() would refuse it). Options are checked as run() checks them.
   */
  async estimate(options: Pick<RunOptions, 'maxSeconds'> = {}): Promise<PlanEstimate> {
    await ensureBackend();
    const { owned, checked } = await this.prepare({ maxSeconds: options.maxSeconds, strict: false });
    tf.dispose([...owned, checked.x, checked.scores]);
    return checked.estimate;
  }

  /**
   * The model and x the methods see, checked: with `layer`, the model's part after that layer and x's
   * activations there (the baselines and references given as model inputs moved there too).
   */
  private async prepare(check: { maxSeconds?: number; strict?: boolean }) {
    const split = this.options.layer === undefined ? undefined : splitModel(this.model, this.options.layer);
    const atLayer = split ? await moveToLayer(split, this.x, this.plan, checkPositiveInteger('internalBatchSize', this.options.internalBatchSize ?? defaultInternalBatchSize())) : undefined;
    try {
      const model = split?.tail ?? adaptModel(this.model);
      const checked = await checkPlan(model, atLayer?.x ?? this.x, this.options, atLayer?.plan ?? this.plan, check);
      return { split, plan: atLayer?.plan ?? this.plan, owned: atLayer?.owned ?? [], checked };
    } catch (error) {
      tf.dispose(atLayer?.owned ?? []);
      throw error;
    }
  }

  then<A = Explanation, B = never>(
    onFulfilled?: ((value: Explanation) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.run().then(onFulfilled, onRejected);
  }

  /** Runs every planned method, in order. */
  async run(runOptions: RunOptions = {}): Promise<Explanation> {
    const signal = runSignal(runOptions.signal);
    if (signal?.aborted) throw abortError(signal);

    const backend = await ensureBackend();
    const { split, plan, owned: atLayerOwned, checked } = await this.prepare({ maxSeconds: runOptions.maxSeconds });
    const { model, x, labels, internalBatchSize, scores } = checked;
    const owned: tf.Tensor[] = [...atLayerOwned, x, scores];
    const records: MethodRecord[] = [];
    const nonFinite: string[] = [];
    const progress = runOptions.onProgress ? undefined : defaultProgress();
    const onProgress = runOptions.onProgress ?? progress?.update;
    let finished = false;
    let unrecorded: MethodResult | undefined; // a method's result until its record owns it
    let gapNotices: string[] = [];
    try {
      const targets = await resolveTargets(this.options.target, scores);
      const oracle = createOracle(model, scores.shape[1], internalBatchSize, { signal });
      const [fInput] = await readAll([oracle.value(x, targets)]);
      for (let i = 0; i < this.plan.length; i++) {
        const step = plan[i];
        const label = labels[i];
        const baseline = await resolveBaseline('baseline' in step.options ? step.options.baseline : undefined, x);
        owned.push(baseline);
        const started = performance.now();
        const rowsBefore = oracle.stats.gradientRows;
        const callsBefore = oracle.stats.gradientCalls;
        const at = { done: 0, total: 0 };
        const onStep = (done: number, total: number) => {
          Object.assign(at, { done, total });
          onProgress?.({ method: label, step: done, steps: total, examples: x.shape[0], elapsedMs: performance.now() - started });
        };
        const result = await runStep(step, { oracle, x, baseline, targets, onStep, model }).catch((error) => Promise.reject(methodError(label, at, error)));
        unrecorded = result;
        const timeMs = performance.now() - started;
        const own = result.completeness;
        const fBaselineTensors = own ? [] : [oracle.value(baseline, targets)]; // first: if it throws (an abort), nothing is left behind
        const [sum, fBaselineHere] = await readAll([tf.tidy(() => tf.sum(result.attribution.reshape([x.shape[0], -1]), 1)), ...fBaselineTensors]);
        baseline.dispose(); // each method's own; `owned` still frees it if the step throws
        const fBaseline = own ? Array.from(own.fBaseline) : Array.from(fBaselineHere);
        const fIn = own?.fInput ? Array.from(own.fInput) : Array.from(fInput);
        const delta = fIn.map((f, b) => f - fBaseline[b]);
        records.push({
          label,
          method: step.method,
          options: jsonSafe(this.plan[i].options),
          attribution: result.attribution,
          trace: result.trace,
          timeMs,
          gradientRows: oracle.stats.gradientRows - rowsBefore,
          gradientCalls: oracle.stats.gradientCalls - callsBefore,
          completeness: {
            sum: Array.from(sum),
            delta,
            gap: Array.from(sum, (s, b) => s - delta[b]),
            fInput: fIn,
            fBaseline,
          },
        });
        nonFinite.push(nonFiniteNotice(label, result.trace) ?? '');
        unrecorded = undefined;
      }
      gapNotices = completenessNotices(records);
      const notices = [...(split?.notices ?? []), oracle.sizing?.notice, ...records.flatMap((r) => r.trace.warnings ?? []), ...nonFinite, ...gapNotices].filter((n): n is string => !!n);
      const context = { model, x: x.clone(), targets, internalBatchSize: oracle.internalBatchSize };
      const layer = split ? { name: split.layer, input: this.x.clone() } : undefined;
      owned.push(context.x, ...(layer ? [layer.input] : [])); // until the Explanation owns them
      // Displays and toJSON answer synchronously: they read these host copies (no backend reads a GPU tensor synchronously in Node).
      await mirrorOnHost([context.x, layer?.input, ...records.flatMap((r) => [r.attribution, r.trace.points])]);
      owned.splice(owned.length - (layer ? 2 : 1));
      finished = true;
      return new Explanation(records, targets, backend.name, x.shape, [...new Set(notices)], context, layer);
    } catch (error) {
      for (const r of [...records, ...(unrecorded ? [unrecorded] : [])]) tf.dispose([r.attribution, ...traceTensors(r.trace)]);
      throw error;
    } finally {
      tf.dispose(owned);
      progress?.finish(finished);
      printNotices(gapNotices); // after the progress bar's last line
    }
  }
}

/**
 * Explains `model`'s output on the batch `x` (`[B, ...]`). Chain methods, then await:
 * `const ex = await explain(model, x).ig().guidedIG()`.
 */
export function explain(model: ModelLike, x: tf.Tensor, options: ExplainOptions = {}): ExplainBuilder {
  return new ExplainBuilder(model, x, options, []);
}
