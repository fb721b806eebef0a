import * as tf from '@tensorflow/tfjs';

/** Reads tensors to the host in one go and disposes them. */
export async function readAll(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
  } finally {
    tf.dispose(tensors);
  }
}
