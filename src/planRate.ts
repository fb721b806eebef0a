import * as tf from '@tensorflow/tfjs';
import { defaultHeapBudget, FOOTPRINT_FACTOR, measurePeakBytes, rowsThatFit } from './backend/memory.js';
import type { ModelAdapter } from './model.js';
import { inputGradient, NOT_DIFFERENTIABLE, scoresOf } from './oracle.js';
import type { GradientRate } from './planEstimate.js';
import { readAll } from './tensors.js';
import { firstNonFiniteExample } from './validate.js';

/** One gradient call of the scores on the first n rows of x, timed with its values read back, and its tensor peak. */
async function timedCall(model: ModelAdapter, x: tf.Tensor, n: number): Promise<{ scores: tf.Tensor; seconds: number; peakBytes: number }> {
  let forwarded = false;
  const started = performance.now();
  let result: tf.Tensor[];
  let peakBytes: number;
  try {
    ({ result, peakBytes } = measurePeakBytes(() =>
      tf.tidy(() => {
        const rows = n === x.shape[0] ? x : x.slice(0, n);
        const { value, grad } = inputGradient(
          () => {
            const scores = model.forward(rows);
            forwarded = true;
            return scores;
          },
          rows,
          model.kind !== 'function',
        );
        if (grad == null) throw new Error(NOT_DIFFERENTIABLE);
        return [value, grad];
      }),
    ));
  } catch (error) {
    throw measuringError(error, forwarded, x.shape);
  }
  const [scores, grad] = result;
  await readAll([grad]);
  await scores.data();
  return { scores, seconds: (performance.now() - started) / 1000, peakBytes };
}

/**
 * The one model call before the plan runs: the scores and their input gradient on the first
 * min(B, internalBatchSize) rows of x (one row on wasm). Its rate includes the first call's one-off work,
 * so it overstates the time (safe for a limit). The scores of the other rows are evaluated forward.
 */
export async function measureCold(model: ModelAdapter, x: tf.Tensor, rowsPerCall: number): Promise<{ scores: tf.Tensor2D; rate: GradientRate }> {
  // Where the heap has a ceiling (wasm), one row: the oracle sizes its calls from one row's footprint
  // too, and rowsPerCall rows of a large model could pass the ceiling, which kills the backend.
  const n = defaultHeapBudget() === Infinity ? Math.min(x.shape[0], rowsPerCall) : 1;
  const { scores: head, seconds, peakBytes } = await timedCall(model, x, n);
  const rate = { rows: n, secondsPerCall: 0, secondsPerRow: seconds / n, bytesPerRow: (peakBytes * FOOTPRINT_FACTOR) / n, warm: false };
  // Non-finite scores fail the plan: no call for the other rows then.
  if (n === x.shape[0] || (await firstNonFiniteExample(head)) >= 0) return { scores: head as tf.Tensor2D, rate };
  try {
    const rest = tf.tidy(() => scoresOf(model, x.slice(n), rowsPerCall));
    const scores = tf.concat([head, rest]) as tf.Tensor2D;
    tf.dispose([head, rest]);
    return { scores, rate };
  } catch (error) {
    head.dispose();
    throw error;
  }
}

/**
 * Two warm calls, on one row and on up to 16 rows (as many as one call of the plan takes; x's rows repeated),
 * give a call's fixed cost and a row's: t(rows) = secondsPerCall + rows · secondsPerRow.
 */
export async function measureWarm(model: ModelAdapter, x: tf.Tensor, cold: GradientRate, rowsPerCall: number): Promise<GradientRate> {
  // At most 16 rows: enough to separate the two costs, and cheap on a large model (the emotion CNN: ~1.5 s on wasm).
  const k = Math.min(16, rowsThatFit(rowsPerCall, cold.bytesPerRow, defaultHeapBudget()));
  const one = await timedCall(model, x, 1);
  one.scores.dispose();
  if (k === 1) return { ...cold, secondsPerCall: 0, secondsPerRow: Math.min(one.seconds, cold.secondsPerRow), warm: true };
  const rows = tf.tidy(() => tf.gather(x, tf.tensor1d(Array.from({ length: k }, (_, i) => i % x.shape[0]), 'int32')));
  const many = await timedCall(model, rows, k).finally(() => rows.dispose());
  many.scores.dispose();
  const perRow = Math.max(0, (many.seconds - one.seconds) / (k - 1));
  return { ...cold, secondsPerCall: Math.max(0, one.seconds - perRow), secondsPerRow: perRow, warm: true };
}

function measuringError(error: unknown, forwarded: boolean, shape: readonly number[]): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/^(model|backend|x): /.test(message)) return error instanceof Error ? error : new Error(message);
  if (!forwarded) return new Error(`x: the model failed on x of shape [${shape.join(', ')}] before any method ran: ${message}`);
  return new Error(`model: its input gradient failed on x before any method ran: ${message}`);
}
