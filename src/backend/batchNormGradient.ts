import * as tf from '@tensorflow/tfjs';

/**
 * The FusedBatchNorm gradient, made lazy: tfjs's own computes x − mean and dy · scale at full size
 * whatever is asked, and tiles the per-channel factor to the input's shape for dx. Here each input's
 * gradient does only its own work, and dx is one broadcast product, dy · (scale / √(variance + ε)).
 * Same values for every input (it replaces the gradient on all backends, training included).
 */
export const batchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const dY = dy as tf.Tensor;
    const [x, mean, variance, scale] = saved;
    const epsilon = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const scaleOrOne = scale ?? tf.scalar(1);
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const toParam = (full: tf.Tensor) => tf.reshape(axes.length ? tf.sum(full, axes) : full, mean.shape);
    const rsqrt = () => tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
    return {
      x: () => tf.mul(dY, tf.mul(scaleOrOne, rsqrt())),
      mean: () => toParam(tf.mul(dY, tf.mul(tf.neg(rsqrt()), scaleOrOne))),
      variance: () => {
        const r = rsqrt();
        const factor = tf.mul(tf.mul(tf.mul(r, r), r), tf.mul(scaleOrOne, tf.scalar(-0.5)));
        return toParam(tf.mul(tf.mul(dY, tf.sub(x, mean)), factor));
      },
      scale: () => toParam(tf.mul(tf.mul(dY, tf.sub(x, mean)), rsqrt())),
      offset: () => toParam(dY),
    };
  },
};
