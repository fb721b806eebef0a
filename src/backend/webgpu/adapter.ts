import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * WebGPU in Node through Dawn's binding (the npm package `webgpu`) and tfjs-backend-webgpu.
 *
 * Two routes to an adapter: the platform's own (Vulkan, Metal, D3D12), where a real GPU is; and Dawn's
 * OpenGL ES backend on EGL, which on a machine without a GPU finds Mesa's llvmpipe (software, slow,
 * but every kernel runs: how CI tests webgpu). Software adapters are only taken when asked for.
 */
export interface WebgpuAdapter {
  /** The adapter's name, e.g. 'NVIDIA H200' or 'llvmpipe (LLVM 15.0.6, 256 bits)'. */
  readonly name: string;
  /** The Dawn backend reached: 'vulkan', 'metal', 'd3d12' or 'opengles'. */
  readonly route: string;
  /** A CPU rasteriser pretending to be a GPU (llvmpipe, SwiftShader, WARP). */
  readonly software: boolean;
  /** The device's limits that bound one tensor (bytes). */
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

type Dawn = { create(options: string[]): GpuLike; globals: Record<string, unknown> };
type AdapterInfoLike = { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
type LimitsLike = Record<string, number>;
type DeviceLike = {
  limits: LimitsLike;
  destroy(): void;
  addEventListener?(type: string, listener: (event: { error?: { message?: string } }) => void): void;
};
type AdapterLike = {
  info: AdapterInfoLike;
  limits: LimitsLike;
  features: Set<string>;
  requestDevice(descriptor?: Record<string, unknown>): Promise<DeviceLike>;
};
type GpuLike = { requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null> };
type BackendModule = { WebGPUBackend: new (device: DeviceLike, info?: AdapterInfoLike) => tf.KernelBackend };

// Variable specifiers keep TypeScript from demanding the optional peers' types.
const importOptional = (specifier: string): Promise<unknown> => import(specifier);

const SOFTWARE = /llvmpipe|softpipe|lavapipe|swiftshader|microsoft basic render|\bwarp\b/i;
const PLATFORM_ROUTE: Record<string, string> = { linux: 'vulkan', darwin: 'metal', win32: 'd3d12' };

let dawn: Promise<Dawn> | null = null;
/**
 * Every Dawn instance made, kept for the life of the process: collecting one whose adapter was
 * looked at (the platform route tried before OpenGL ES) crashed Mesa's threads later (futex errors).
 */
const instances: GpuLike[] = [];

function instance(module: Dawn, options: string[]): GpuLike {
  const gpu = module.create(options);
  instances.push(gpu);
  return gpu;
}

/** Loads Dawn's binding once and gives the WebGPU globals (GPUBufferUsage, ...) that tfjs-backend-webgpu reads. */
function loadDawn(): Promise<Dawn> {
  dawn ??= importOptional('webgpu').then((module) => {
    const loaded = module as Dawn;
    for (const [key, value] of Object.entries(loaded.globals)) {
      if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
    }
    return loaded;
  });
  return dawn.catch((error) => {
    dawn = null;
    throw error;
  });
}

export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  return info.isFallbackAdapter === true || SOFTWARE.test(`${info.device ?? ''} ${info.description ?? ''} ${info.vendor ?? ''}`);
}

function adapterName(info: AdapterInfoLike): string {
  const device = (info.device ?? '').trim();
  // llvmpipe names itself 'llvmpipe-llvm-15-0-6-256-bits-' through GL: say it as Mesa does.
  const mesa = /^llvmpipe-llvm-(\d+)-(\d+)-(\d+)-(\d+)-bits/.exec(device);
  if (mesa) return `llvmpipe (LLVM ${mesa[1]}.${mesa[2]}.${mesa[3]}, ${mesa[4]} bits)`;
  return device || [info.vendor, info.architecture].filter(Boolean).join(' ') || info.description || 'unnamed adapter';
}

interface Found {
  adapter: AdapterLike;
  route: string;
  featureLevel: string;
}

/**
 * Whether Linux's Vulkan loader can be found (LD_LIBRARY_PATH, the ld.so cache, the usual directories).
 * Dawn's own search is the same; without the loader it finds no GPU and prints a warning: we do not ask it.
 */
export function vulkanLoaderFound(): boolean {
  if (process.platform !== 'linux') return true;
  const name = 'libvulkan.so.1';
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib'];
  if (dirs.some((dir) => existsSync(join(dir, name)))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return false;
  }
}

/** The platform's own adapter (a real GPU if there is one), or null. */
async function platformAdapter(module: Dawn): Promise<Found | null> {
  const route = PLATFORM_ROUTE[process.platform];
  if (!route || (route === 'vulkan' && !vulkanLoaderFound())) return null;
  const adapter = await instance(module, []).requestAdapter({ powerPreference: 'high-performance' });
  return adapter ? { adapter, route, featureLevel: 'core' } : null;
}

/** Dawn's OpenGL ES backend on EGL without a display: Mesa's llvmpipe where there is no GPU. */
async function openGlesAdapter(module: Dawn): Promise<Found | null> {
  // Mesa reads this when Dawn opens the EGL display (not when the binding loads): no window system.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const adapter = await instance(module, ['backend=opengles']).requestAdapter({ featureLevel: 'compatibility' });
  return adapter ? { adapter, route: 'opengles', featureLevel: 'compatibility' } : null;
}

export class NoAdapterError extends Error {}

export interface Opened {
  readonly adapter: WebgpuAdapter;
  readonly device: DeviceLike;
  /** A new tfjs backend on the device (the engine disposes its backend on tf.removeBackend). */
  makeBackend(): tf.KernelBackend;
}

let opened: Opened | null = null;
const gpuErrors: string[] = [];

/**
 * Opens a WebGPU device (once per process) for tfjs backends. Without `allowSoftware` only a hardware adapter
 * is accepted; with it the OpenGL ES route (llvmpipe) is tried when the platform has no hardware adapter.
 * Throws NoAdapterError, saying what was found, when none is usable; throws the import error when the
 * packages are not installed.
 */
export async function openWebgpu(allowSoftware: boolean): Promise<Opened> {
  if (opened) {
    if (opened.adapter.software && !allowSoftware) throw new NoAdapterError(`found only a software adapter (${opened.adapter.name})`);
    return opened;
  }
  const module = await loadDawn();
  const { WebGPUBackend } = (await importOptional('@tensorflow/tfjs-backend-webgpu')) as BackendModule;
  const seen: string[] = [];
  let found: Found | null = null;
  for (const attempt of allowSoftware ? [platformAdapter, openGlesAdapter] : [platformAdapter]) {
    const candidate = await attempt(module).catch(() => null);
    if (!candidate) continue;
    if (!allowSoftware && isSoftwareAdapter(candidate.adapter.info)) {
      seen.push(`found only a software adapter (${adapterName(candidate.adapter.info)}; PATHLENS_BACKEND=webgpu takes it)`);
      continue;
    }
    found = candidate;
    if (!isSoftwareAdapter(candidate.adapter.info)) break;
  }
  if (!found) {
    throw new NoAdapterError(seen[0] ?? (allowSoftware ? noAdapterHelp() : 'found no GPU adapter'));
  }
  const { adapter, route } = found;
  const limits = adapter.limits;
  // What tfjs-backend-webgpu asks for in a browser: the adapter's own limits, not WebGPU's defaults.
  const device = await adapter.requestDevice({
    requiredFeatures: ['timestamp-query'].filter((f) => adapter.features.has(f)),
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  // WebGPU reports validation and out-of-memory errors as events, not exceptions: keep them for
  // checkGpuErrors(), which turns them into an error instead of silently wrong numbers.
  device.addEventListener?.('uncapturederror', (event) => gpuErrors.push(event.error?.message ?? 'unknown WebGPU error'));
  const info = adapter.info;
  const description: WebgpuAdapter = {
    name: adapterName(info),
    route,
    software: isSoftwareAdapter(info),
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
  };
  opened = { adapter: description, device, makeBackend: () => constructBackend(WebGPUBackend, device, info) };
  return opened;
}

/** tfjs's constructor checks `navigator.gpu`, which Node lacks: show it one only while it looks. */
function constructBackend(WebGPUBackend: BackendModule['WebGPUBackend'], device: DeviceLike, info: AdapterInfoLike): tf.KernelBackend {
  const own = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const navigator = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (navigator?.gpu) return new WebGPUBackend(device, info);
  Object.defineProperty(globalThis, 'navigator', { value: { ...navigator, gpu: {} }, configurable: true, writable: true });
  try {
    return new WebGPUBackend(device, info);
  } finally {
    if (own) Object.defineProperty(globalThis, 'navigator', own);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
}

function noAdapterHelp(): string {
  const gles = process.platform === 'linux' ? ': no GPU, and no OpenGL ES through EGL (Debian: apt-get install libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri)' : '';
  return `found no WebGPU adapter${gles}`;
}

/** The adapter the tfjs 'webgpu' backend runs on, when pathlens opened it; null otherwise. */
export function webgpuAdapter(): WebgpuAdapter | null {
  return opened?.adapter ?? null;
}

/** Throws (once per error) the WebGPU errors reported since the last check, e.g. a buffer over a device limit. */
export function checkGpuErrors(): void {
  if (gpuErrors.length === 0) return;
  const errors = gpuErrors.splice(0);
  throw new Error(`webgpu: the GPU reported ${errors.length === 1 ? 'an error' : `${errors.length} errors`}: ${errors[0].split('\n')[0]}`);
}
