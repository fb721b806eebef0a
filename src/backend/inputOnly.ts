/**
 * "Input-only" gradient mode. `tf.fused.conv2d` (tfjs-layers Conv2D, converter _FusedConv2D) computes
 * its filter gradient eagerly even when only the input gradient is asked for. While this mode is on,
 * pathlens's filter-gradient kernels return zeros instead of doing that discarded work.
 *
 * Only correct when no filter depends on the input being differentiated (true of weights), so the
 * oracle turns it on for layers and graph models only, around its own gradient calls, and never
 * leaves it on: training in the same process still gets real weight gradients.
 * `PATHLENS_INPUT_ONLY=0` turns it off.
 */
let depth = 0;

export function inputOnlyEnabled(): boolean {
  return process.env.PATHLENS_INPUT_ONLY !== '0';
}

/** Runs `fn` with filter gradients skipped; restores the previous mode even when `fn` throws. */
export function withInputOnlyGradients<T>(fn: () => T): T {
  if (!inputOnlyEnabled()) return fn();
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

export function skipFilterGradients(): boolean {
  return depth > 0;
}
