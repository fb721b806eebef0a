import * as tf from '@tensorflow/tfjs';
import { defaultInternalBatchSize } from '../backend/memory.js';
import { ensureBackend } from '../backend/select.js';
import { resolveBaseline } from '../baseline.js';
import { applySeparable, blurOperator } from '../methods/gaussianBlur.js';
import { adaptModel, type ModelAdapter, type ModelLike } from '../model.js';
import { forwardRowsThatFit, runSignal, scoresOf } from '../oracle.js';
import { readAll } from '../tensors.js';
import { resolveTargets, type TargetSpec } from '../target.js';
import { checkInRange, checkOneOf, checkPositiveInteger, describe, fail, sameShape } from '../validate.js';
import type { Curve } from './curves.js';
import { deflateEntropy, type EntropyEstimator } from './entropy.js';
import { webpEntropy } from './webpEntropy.js';
import { revealCurves, type RevealCurveKind } from './insertionDeletion.js';
import { featureLayout, pixelSaliency } from './layout.js';
import { PIC_THRESHOLDS } from './pic.js';
import { aggregateResults, picEvaluation } from './picEvaluation.js';
import { resolveScoresMode, type ScoresMode } from './predict.js';

export const METRICS = ['insertion', 'deletion', 'sic', 'aic'] as const;
export type MetricName = (typeof METRICS)[number];

/** What removed pixels become: a Gaussian blur of x (default), black (zeros), a constant, or a tensor like x or one example. */
export type MetricsBaseline = 'blur' | 'black' | number | tf.Tensor;

export interface EvaluateOptions {
  /** Default: all four. */
  readonly metrics?: readonly MetricName[];
  /** The methods to score (default: all of the Explanation's). */
  readonly methods?: readonly string[];
  /**
   * Insertion/deletion only (PIC has its own bokeh images). Default: `'blur'` for images `[B, H, W, C]`
   * (as the Guided IG and XRAI papers), `'black'` (zeros, Captum's default baseline) for any other input.
   */
  readonly baseline?: MetricsBaseline;
  /** σ in pixels of the `'blur'` baseline (the Blur IG Gaussian, zero padding). Default 5. */
  readonly blurSigma?: number;
  /** Insertion/deletion curves have steps + 1 points. Default 50. */
  readonly steps?: number;
  /**
   * How a pixel's saliency is read from the attribution: `'signed'` = Σ_channels attribution,
   * `'abs'` = |Σ_channels attribution|. Default: `'signed'` for insertion/deletion (a pixel that
   * lowers the score is not evidence for the class) and `'abs'` for SIC/AIC (as the Guided IG paper's notebook).
   */
  readonly saliency?: 'signed' | 'abs';
  /** `'auto'` (default): the model's outputs are used as probabilities if its rows are ≥ 0 and sum to 1, else they are softmaxed. */
  readonly scores?: ScoresMode;
  /** SIC/AIC: the saliency thresholds (fractions of pixels revealed). Default: the Guided IG notebook's 13. */
  readonly thresholds?: readonly number[];
  /** SIC/AIC: an example is skipped if its original prediction is below this. Default 0.8 (AIC: the top-1 must be the target). */
  readonly minPredValue?: number;
  /** SIC/AIC: running max of the prediction in threshold order. Default true. */
  readonly keepMonotonous?: boolean;
  /** SIC/AIC: the curve is sampled at this many points (plus x = 1). Default 1000. */
  readonly numDataPoints?: number;
  /** SIC/AIC: fraction of pixels of the random mask kept in every bokeh image. Default 0.01. */
  readonly randomMaskFraction?: number;
  /** SIC/AIC: the range of x's values, mapped to 0…255 (PIC works on uint8 images). Default [0, 1]. */
  readonly pixelRange?: readonly [number, number];
  /**
   * SIC/AIC: an image's information content in bytes. `'webp'` (default): the lossless WebP size, as the
   * reference (libwebp in WebAssembly; Node only); `'deflate'`: zlib over predicted rows, no WebAssembly;
   * or a function `(pixels, height, width, channels) => bytes`.
   */
  readonly entropy?: 'webp' | 'deflate' | EntropyEstimator;
  /** Seed of the random masks. Default 0. */
  readonly seed?: number;
  /** Rows per model call. Default: the Explanation's internalBatchSize (64; 256 on webgpu, lowered where one call would not fit). */
  readonly internalBatchSize?: number;
  /**
   * Stops the evaluation between model calls, freeing what it made, with an `AbortError`. Default: the
   * running notebook cell's signal (the pathlens kernel aborts it on interrupt), as for `run()`.
   */
  readonly signal?: AbortSignal;
}

/** The median PIC curve over the examples that were not skipped. */
export interface AggregateCurve extends Curve {
  readonly auc: number;
  readonly examples: number;
}

export interface EvaluationResult {
  readonly methods: string[];
  readonly metrics: MetricName[];
  readonly targets: readonly number[];
  /** scores[method][metric][b]: the AUC of example b (NaN where a SIC/AIC example was skipped). */
  readonly scores: Record<string, Partial<Record<MetricName, number[]>>>;
  /** curves[method][metric][b]: example b's curve (null where a SIC/AIC example was skipped). */
  readonly curves: Record<string, Partial<Record<MetricName, Array<Curve | null>>>>;
  /** SIC/AIC: per example, why it was skipped (the same for every method), or null. */
  readonly skipped: Partial<Record<'sic' | 'aic', Array<string | null>>>;
  /** SIC/AIC: the per-point median curve over the scored examples (the papers' aggregate), or null if none was scored. */
  readonly aggregate: Record<string, Partial<Record<'sic' | 'aic', AggregateCurve | null>>>;
  /** The settings used, for the record. */
  readonly settings: Record<string, unknown>;
}

/** What `evaluate` needs: the model, the explained input and classes. */
export interface EvaluationContext {
  readonly model: ModelAdapter;
  readonly x: tf.Tensor;
  readonly targets: readonly number[];
  readonly internalBatchSize: number;
}

/**
 * Scores attributions of `x` with insertion, deletion, SIC and AIC (see {@link EvaluateOptions}).
 * `attributions` maps a method name to a tensor of x's shape. The Explanation's `evaluate()` calls
 * this; call it directly to score attributions made elsewhere (e.g. a random control).
 */
export async function evaluateAttributions(
  model: ModelLike,
  x: tf.Tensor,
  attributions: Readonly<Record<string, tf.Tensor>>,
  options: EvaluateOptions & { target?: TargetSpec } = {},
): Promise<EvaluationResult> {
  await ensureBackend();
  const adapter = adaptModel(model);
  if (!(x instanceof tf.Tensor) || x.rank < 2) fail('x', 'a tf.Tensor with a batch axis [B, ...]', describe(x));
  const internalBatchSize = forwardRowsThatFit(adapter, x, options.internalBatchSize ?? defaultInternalBatchSize());
  const scores = scoresOf(adapter, x, internalBatchSize);
  let targets: number[];
  try {
    targets = await resolveTargets(options.target, scores);
  } finally {
    scores.dispose();
  }
  return evaluateWith({ model: adapter, x, targets, internalBatchSize }, new Map(Object.entries(attributions)), options);
}

export async function evaluateWith(context: EvaluationContext, attributions: ReadonlyMap<string, tf.Tensor>, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  if (options === null || typeof options !== 'object') fail('options', 'an object such as { metrics: [...] }', describe(options));
  const { x, model, targets } = context;
  const settings = checkOptions(options, x);
  const signal = runSignal(options.signal);
  const methods = pickMethods(options.methods, attributions);
  for (const m of methods) {
    const a = attributions.get(m)!;
    if (!(a instanceof tf.Tensor) || !sameShape(a.shape, x.shape)) fail(`attribution '${m}'`, `a tensor of x's shape [${x.shape.join(', ')}]`, describe(a));
  }
  const layout = featureLayout(x.shape);
  const wantsPic = settings.metrics.some((m) => m === 'sic' || m === 'aic');
  if (wantsPic && !layout.image) fail('metrics', `'sic' and 'aic' only for images [B, H, W, C] or [B, H, W]`, `x of shape [${x.shape.join(', ')}]`);
  if (wantsPic) await checkPixelRange(x, settings.pixelRange);
  let mode: 'probabilities' | 'softmax';
  if (settings.scores === 'auto') {
    const modelScores = scoresOf(model, x, context.internalBatchSize);
    mode = await resolveScoresMode(settings.scores, modelScores).finally(() => modelScores.dispose());
  } else mode = settings.scores;

  const result: EvaluationResult = { methods, metrics: settings.metrics, targets, scores: {}, curves: {}, skipped: {}, aggregate: {}, settings: { ...settings.record, scores: mode } };
  for (const m of methods) [result.scores[m], result.curves[m], result.aggregate[m]] = [{}, {}, {}];

  const kinds = settings.metrics.filter((m): m is RevealCurveKind => m === 'insertion' || m === 'deletion');
  if (kinds.length > 0) {
    const saliency = await saliencies(methods, attributions, layout, options.saliency ?? 'signed');
    const baseline = await metricsBaseline(options.baseline ?? defaultBaseline(x), x, settings.blurSigma);
    try {
      const curves = await revealCurves({ model, x, baseline, layout, targets, saliency, kinds, steps: settings.steps, rowsPerCall: context.internalBatchSize, scores: mode, signal });
      for (const m of methods) {
        for (const kind of kinds) {
          const list = curves.get(m)!.get(kind)!;
          result.scores[m][kind] = list.map((c) => c.auc);
          result.curves[m][kind] = list.map(({ x: cx, y }) => ({ x: cx, y }));
        }
      }
    } finally {
      baseline.dispose();
    }
  }
  if (wantsPic) {
    const saliency = await saliencies(methods, attributions, layout, options.saliency ?? 'abs');
    const pic = await picEvaluation({ ...settings.pic, model, x, layout, targets, saliency, rowsPerCall: context.internalBatchSize, scores: mode, signal });
    for (const metric of ['sic', 'aic'] as const) {
      if (!settings.metrics.includes(metric)) continue;
      for (const m of methods) {
        const r = pic[metric].get(m)!;
        result.scores[m][metric] = r.curves.map((c) => (c ? c.auc : NaN));
        result.curves[m][metric] = r.curves.map((c) => (c ? { x: c.x, y: c.y } : null));
        result.aggregate[m][metric] = aggregateResults(r);
        result.skipped[metric] = r.skipped;
      }
    }
  }
  return result;
}

async function saliencies(methods: readonly string[], attributions: ReadonlyMap<string, tf.Tensor>, layout: ReturnType<typeof featureLayout>, mode: 'signed' | 'abs') {
  const map = new Map<string, Float64Array[]>();
  for (const m of methods) map.set(m, await pixelSaliency(attributions.get(m)!, layout, mode));
  return map;
}

function pickMethods(requested: readonly string[] | undefined, attributions: ReadonlyMap<string, tf.Tensor>): string[] {
  const known = [...attributions.keys()];
  if (requested === undefined) return known;
  if (!Array.isArray(requested) || requested.length === 0) fail('methods', `a non-empty array of method names (${known.map((k) => `'${k}'`).join(', ')})`, describe(requested));
  for (const m of requested) checkOneOf('methods', m, known);
  return [...new Set(requested)];
}

/** Blur for images `[B, H, W, C]`; zeros for flat vectors, sequences and anything else (blurring them means nothing). */
function defaultBaseline(x: tf.Tensor): MetricsBaseline {
  return x.rank === 4 ? 'blur' : 'black';
}

/** The insertion/deletion baseline as a tensor of x's shape (the caller disposes it). */
async function metricsBaseline(spec: MetricsBaseline, x: tf.Tensor, sigma: number): Promise<tf.Tensor> {
  if (spec === 'black') return tf.zerosLike(x);
  if (spec === 'blur') {
    if (x.rank !== 4) fail('baseline', `'black', a number or a tensor for inputs that are not images [B, H, W, C] ('blur' needs images)`, `'blur' with x of shape [${x.shape.join(', ')}]`);
    return tf.tidy(() => applySeparable(x as tf.Tensor4D, [blurOperator(x.shape[1]!, x.shape[2]!, sigma)]));
  }
  if (typeof spec === 'string') fail('baseline', "'blur', 'black', a number or a tf.Tensor", describe(spec));
  return resolveBaseline(spec as number | tf.Tensor, x, 'baseline');
}

async function checkPixelRange(x: tf.Tensor, [lo, hi]: readonly [number, number]): Promise<void> {
  const [low, high] = await readAll([tf.min(x), tf.max(x)]);
  const [min, max] = [low[0], high[0]];
  const slack = 1e-6 * (hi - lo);
  if (min < lo - slack || max > hi + slack) {
    fail('pixelRange', `the range of x's values for SIC/AIC (they work on uint8 images: pixelRange maps to 0…255)`, `[${lo}, ${hi}] while x has values in [${min}, ${max}]`);
  }
}

function checkOptions(options: EvaluateOptions, x: tf.Tensor) {
  const metrics = options.metrics ?? METRICS;
  if (!Array.isArray(metrics) || metrics.length === 0) fail('metrics', `a non-empty array of ${METRICS.map((m) => `'${m}'`).join(', ')}`, describe(metrics));
  for (const m of metrics) checkOneOf('metrics', m, METRICS);
  if (options.saliency !== undefined) checkOneOf('saliency', options.saliency, ['signed', 'abs']);
  const scores = checkOneOf('scores', options.scores ?? 'auto', ['auto', 'probabilities', 'softmax'] as const);
  const steps = checkPositiveInteger('steps', options.steps ?? 50);
  const blurSigma = checkInRange('blurSigma', options.blurSigma ?? 5, 0, 1e6, true);
  const thresholds = options.thresholds ?? PIC_THRESHOLDS;
  if (!Array.isArray(thresholds) || thresholds.length === 0) fail('thresholds', 'a non-empty array of fractions in (0, 1]', describe(thresholds));
  thresholds.forEach((t) => checkInRange('thresholds', t, 0, 1, true));
  const minPredValue = checkInRange('minPredValue', options.minPredValue ?? 0.8, 0, 1, false);
  const keepMonotonous = options.keepMonotonous ?? true;
  if (typeof keepMonotonous !== 'boolean') fail('keepMonotonous', 'true or false', describe(keepMonotonous));
  const numDataPoints = checkPositiveInteger('numDataPoints', options.numDataPoints ?? 1000);
  const randomMaskFraction = checkInRange('randomMaskFraction', options.randomMaskFraction ?? 0.01, 0, 1, false);
  const range = options.pixelRange ?? [0, 1];
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) fail('pixelRange', '[min, max] with min < max', describe(range));
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) fail('seed', 'an integer', describe(seed));
  const entropyOption = options.entropy ?? 'webp';
  if (typeof entropyOption !== 'function' && entropyOption !== 'webp' && entropyOption !== 'deflate') {
    fail('entropy', "'webp', 'deflate' or a function (pixels, height, width, channels) => bytes", describe(entropyOption));
  }
  const entropy: EntropyEstimator = entropyOption === 'webp' ? webpEntropy : entropyOption === 'deflate' ? deflateEntropy : entropyOption;
  if (options.internalBatchSize !== undefined) checkPositiveInteger('internalBatchSize', options.internalBatchSize);
  if (options.baseline !== undefined && !['blur', 'black'].includes(options.baseline as string) && typeof options.baseline !== 'number' && !(options.baseline instanceof tf.Tensor)) {
    fail('baseline', "'blur', 'black', a number or a tf.Tensor", describe(options.baseline));
  }
  const pixelRange = [range[0], range[1]] as const;
  const pic = { thresholds, minPredValue, keepMonotonous, numDataPoints, randomMaskFraction, seed, pixelRange, entropy };
  const baseline = options.baseline instanceof tf.Tensor ? { tensor: options.baseline.shape } : (options.baseline ?? defaultBaseline(x));
  return {
    metrics: [...new Set(metrics)] as MetricName[],
    scores,
    steps,
    blurSigma,
    pixelRange,
    pic,
    record: {
      metrics: [...new Set(metrics)],
      baseline,
      blurSigma,
      steps,
      saliency: options.saliency ?? { insertionDeletion: 'signed', pic: 'abs' },
      thresholds: [...thresholds],
      minPredValue,
      keepMonotonous,
      numDataPoints,
      randomMaskFraction,
      pixelRange,
      seed,
      entropy: typeof entropyOption === 'function' ? 'custom' : entropyOption === 'webp' ? 'lossless WebP size (libwebp wasm)' : 'deflate size (zlib level 9, best of 3 predictors)',
    },
  };
}
