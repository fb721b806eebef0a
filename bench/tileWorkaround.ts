import * as tf from '@tensorflow/tfjs';

/**
 * Bench-only stand-in for pathlens's own webgpu fixes (branch webgpu-engine), so that bench/gpu.ts
 * runs explain() on webgpu without them: tfjs-webgpu computes Tile of rank ≥ 5 on the CPU after a
 * synchronous GPU read, which Node cannot do. Here such a Tile becomes a rank ≤ 4 one by merging
 * adjacent axes whose second one is not repeated ([a, b] tiled [r, 1] is [a·b] tiled [r]).
 * Harmless once pathlens avoids those Tiles itself: it only acts on rank ≥ 5.
 */
export function installTileWorkaround(): void {
  const stock = tf.getKernel('Tile', 'webgpu');
  if (!stock || (stock.kernelFunc as unknown as { __benchWrapped?: boolean }).__benchWrapped) return;
  const reshape = tf.getKernel('Reshape', 'webgpu')!;
  const kernelFunc = (args: { inputs: { x: tf.TensorInfo }; backend: tf.KernelBackend; attrs: { reps: number[] } }) => {
    const { x } = args.inputs;
    const { reps } = args.attrs;
    if (x.shape.length < 5 || x.dtype === 'string') return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    const dims = [...x.shape];
    const r = [...reps];
    for (let i = dims.length - 2; i >= 0 && dims.length > 4; i--) {
      if (r[i + 1] === 1) {
        dims.splice(i, 2, dims[i] * dims[i + 1]);
        r.splice(i, 2, r[i]);
      }
    }
    if (dims.length > 4) throw new Error(`bench: cannot run Tile of shape [${x.shape}] by [${reps}] on webgpu without a synchronous read`);
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const flat = reshape.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { shape: dims } }) as tf.TensorInfo;
    const tiled = stock.kernelFunc({ inputs: { x: flat }, backend: args.backend, attrs: { reps: r } }) as tf.TensorInfo;
    const out = reshape.kernelFunc({ inputs: { x: tiled }, backend: args.backend, attrs: { shape: outShape } }) as tf.TensorInfo;
    args.backend.disposeData(flat.dataId);
    args.backend.disposeData(tiled.dataId);
    return out;
  };
  (kernelFunc as unknown as { __benchWrapped: boolean }).__benchWrapped = true;
  tf.unregisterKernel('Tile', 'webgpu');
  tf.registerKernel({ kernelName: 'Tile', backendName: 'webgpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
