import * as tf from '@tensorflow/tfjs';

/**
 * Starts tfjs's 'webgpu' backend in Node through Dawn's binding (the `webgpu` npm package), for the
 * GPU bench and the fast-kernel tests. A hardware adapter is used when Dawn finds one (Vulkan on
 * Linux); otherwise, or with `route: 'opengles'`, Dawn's OpenGL ES backend on Mesa (llvmpipe on a
 * machine without a GPU: EGL_PLATFORM=surfaceless, feature level 'compatibility').
 *
 * pathlens's own backend selection (branch webgpu-engine) does the same for users; this copy keeps
 * the bench and these tests independent of it.
 */
export interface WebgpuSetup {
  /** e.g. "nvidia: NVIDIA H200 (vulkan)" or "mesa: llvmpipe ... (opengles)". */
  readonly adapter: string;
  readonly route: 'default' | 'opengles';
  readonly software: boolean;
  readonly limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
}

type Gpu = { requestAdapter(options?: Record<string, unknown>): Promise<Adapter | null> };
type Adapter = {
  info: { vendor?: string; architecture?: string; device?: string; description?: string };
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
};

const SOFTWARE = /llvmpipe|swiftshader|lavapipe|softpipe/i;

function describeAdapter(adapter: Adapter, route: string): string {
  const { vendor, architecture, device, description } = adapter.info;
  const name = [device, description].filter((s) => s && s.length > 0).join(' ') || 'unknown adapter';
  return `${vendor || architecture || 'unknown vendor'}: ${name} (${route})`;
}

let started: WebgpuSetup | null = null;

export async function startWebgpu(options: { route?: 'auto' | 'default' | 'opengles' } = {}): Promise<WebgpuSetup> {
  if (started) {
    await tf.setBackend('webgpu');
    return started;
  }
  const want = options.route ?? (process.env.PATHLENS_WEBGPU_ROUTE as 'default' | 'opengles' | undefined) ?? 'auto';
  // Both packages are optional peers (not in package.json on every branch): typed here by hand, and a
  // checkout without them still typechecks. Literal specifiers, so that esbuild bundles the backend.
  const missing = (error: unknown): never => {
    throw new Error(`webgpu: ${error instanceof Error ? error.message.split('\n')[0] : error}. Install: npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0`);
  };
  // @ts-ignore TS2307 where 'webgpu' is not installed
  const { create, globals } = ((await import('webgpu').catch(missing)) as unknown) as {
    create(flags: string[]): Gpu;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, globals);

  let gpu: Gpu | null = null;
  let adapter: Adapter | null = null;
  let route: 'default' | 'opengles' = 'default';
  let extra: Record<string, unknown> = {};
  if (want !== 'opengles') {
    gpu = create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
    if (adapter && want === 'auto' && SOFTWARE.test(describeAdapter(adapter, ''))) adapter = null;
  }
  if (!adapter && want !== 'default') {
    process.env.EGL_PLATFORM ??= 'surfaceless';
    gpu = create(['backend=opengles']);
    extra = { featureLevel: 'compatibility' };
    route = 'opengles';
    adapter = await gpu.requestAdapter(extra).catch(() => null);
  }
  if (!adapter || !gpu) {
    throw new Error(
      `webgpu: no adapter (route ${want}). Without a GPU install Mesa's EGL (apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri); ` +
        'on an NVIDIA machine the Vulkan loader (libvulkan1) and VK_DRIVER_FILES pointing at nvidia_icd.json',
    );
  }
  const chosenGpu = gpu;
  // tfjs-webgpu asks navigator.gpu for an adapter with its own options: add the feature level.
  (globalThis as { navigator?: unknown }).navigator = {
    gpu: { ...chosenGpu, requestAdapter: (o?: Record<string, unknown>) => chosenGpu.requestAdapter({ ...o, ...extra }) },
  };
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  // The package registers 'webgpu' at import only when navigator.gpu exists, hence the order.
  // @ts-ignore TS2307 where the package is not installed
  await import('@tensorflow/tfjs-backend-webgpu').catch(missing);
  if (!tf.findBackendFactory('webgpu')) throw new Error('webgpu: @tensorflow/tfjs-backend-webgpu did not register its backend');
  if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu: the backend failed to initialise');
  // Small tensors on the CPU side mean synchronous GPU reads, which Node cannot do (no OffscreenCanvas).
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  started = {
    adapter: describeAdapter(adapter, route === 'opengles' ? 'opengles' : 'default backend'),
    route,
    software: SOFTWARE.test(describeAdapter(adapter, '')),
    limits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  };
  return started;
}
