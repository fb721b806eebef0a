import * as tf from '@tensorflow/tfjs';
import { avgPoolGradient } from './poolGradient.js';

type CpuBackend = {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
};

/** The correct average-pool gradient for the cpu backend (its stock one is wrong at 'same'-padded borders). */
export function cpuAvgPoolGrad({ inputs, attrs, backend }: { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: CpuBackend }): tf.TensorInfo {
  const { dy, input } = inputs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize as [number, number], attrs.strides as [number, number],
    1, attrs.pad as 'valid', attrs.dimRoundingMode as 'round',
  );
  const dx = new Float32Array(tf.util.sizeFromShape(input.shape));
  avgPoolGradient(backend.data.get(dy.dataId).values, dx, info);
  return backend.makeTensorInfo(input.shape, 'float32', dx);
}
