import * as tf from '@tensorflow/tfjs';
import { ensureBackendKernels } from './kernels.js';
import { registerWebgpu, useWebgpu, webgpuDescription } from './webgpu/register.js';

/** What runs, and why: the answer to "which backend did pathlens pick?". */
export interface BackendInfo {
  /** The active tfjs backend name: 'tensorflow', 'wasm', 'cpu', ... */
  readonly name: string;
  /** One line: why this backend runs, naming what was skipped. */
  readonly reason: string;
  /** The device, where the backend names one: 'NVIDIA H200 (vulkan)' on webgpu. */
  readonly device?: string;
  /** Every candidate looked at, in order, with why it was not used. */
  readonly tried: ReadonlyArray<{ readonly candidate: string; readonly ok: boolean; readonly why: string }>;
}

interface Candidate {
  /** The package users install, or the backend name for built-in ones. */
  readonly label: string;
  /** The tfjs backend name it registers. */
  readonly backend: string;
  /** Loads the package so that it registers its backend; throws when not installed or unusable. `forced`: named by PATHLENS_BACKEND. */
  readonly load?: (forced: boolean) => Promise<unknown>;
}

// Variable specifiers keep TypeScript from demanding the optional peers' types.
const importOptional = (specifier: string): Promise<unknown> => import(specifier);

const CANDIDATES: readonly Candidate[] = [
  { label: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow', load: () => importOptional('@tensorflow/tfjs-node-gpu') },
  { label: '@tensorflow/tfjs-node', backend: 'tensorflow', load: () => importOptional('@tensorflow/tfjs-node') },
  // A hardware adapter only, unless forced: then a software one (llvmpipe) too.
  { label: 'webgpu', backend: 'webgpu', load: (forced) => registerWebgpu(forced) },
  { label: 'wasm', backend: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') },
  { label: 'cpu', backend: 'cpu' },
];

type EngineInternals = {
  backendName: string | null;
  setBackend(name: string): Promise<boolean>;
  initializeBackendsAndReturnBest?: () => unknown;
  ready?: () => Promise<void>;
};

// tfjs gives no way to tell a user's tf.setBackend() from its own lazy default (cpu, picked when the
// first tensor is made). We watch the engine: a setBackend that follows the lazy default or tf.ready()
// is automatic; any other one not made by pathlens is the user's choice, and pathlens keeps it.
let userChoice: string | null = null;
let automatic = 0;
let ours = 0;
let chosen: BackendInfo | null = null;

function watchEngine(): void {
  const engine = tf.engine() as unknown as EngineInternals & { __pathlensWatched?: boolean };
  if (engine.__pathlensWatched) return;
  engine.__pathlensWatched = true;
  if (engine.backendName != null) userChoice = engine.backendName; // set before pathlens loaded
  const setBackend = engine.setBackend.bind(engine);
  engine.setBackend = (name: string) => {
    if (automatic > 0) automatic--;
    else if (ours === 0) userChoice = name;
    return setBackend(name);
  };
  const best = engine.initializeBackendsAndReturnBest?.bind(engine);
  if (best) {
    engine.initializeBackendsAndReturnBest = () => {
      const result = best();
      automatic++; // the getter calls setBackend(name) next
      return result;
    };
  }
  const ready = engine.ready?.bind(engine);
  if (ready) {
    engine.ready = async () => {
      automatic++;
      try {
        await ready();
      } finally {
        automatic = Math.max(0, automatic - 1);
      }
    };
  }
}
watchEngine();

async function switchTo(name: string): Promise<boolean> {
  ours++;
  try {
    return await tf.setBackend(name);
  } finally {
    ours--;
  }
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(message)) return 'not installed';
  return message.split('\n')[0] ?? message;
}

/** The BackendInfo of the active backend, which it also prepares: on webgpu the reason names the adapter. */
function described(name: string, why: string, tried: BackendInfo['tried']): BackendInfo {
  ensureBackendKernels(name);
  if (name !== 'webgpu') return { name, reason: `${name}: ${why}`, tried };
  useWebgpu();
  const device = webgpuDescription();
  return { name, reason: `webgpu: ${device}; ${why}`, device, tried };
}

/**
 * Makes sure a backend runs, choosing one the first time: `PATHLENS_BACKEND` if set, else the user's
 * own `tf.setBackend()` choice, else the first of tfjs-node-gpu, tfjs-node, webgpu on a GPU, wasm, cpu
 * that loads.
 */
export async function ensureBackend(): Promise<BackendInfo> {
  const forced = process.env.PATHLENS_BACKEND;
  if (forced) {
    if (chosen?.name === forced && tf.getBackend() === forced) return chosen;
    const tried: Array<{ candidate: string; ok: boolean; why: string }> = [];
    const matching = CANDIDATES.filter((c) => c.backend === forced || c.label === forced);
    for (const candidate of matching) {
      try {
        await candidate.load?.(true);
        break;
      } catch (error) {
        tried.push({ candidate: candidate.label, ok: false, why: describeFailure(error) });
      }
    }
    const backend = matching[0]?.backend ?? forced;
    if (!(await switchTo(backend).catch(() => false))) {
      const why = tried.map((t) => `${t.candidate} ${t.why}`).join('; ') || 'initialisation failed';
      throw new Error(`PATHLENS_BACKEND: backend '${forced}' could not be started (${why})`);
    }
    chosen = described(backend, `PATHLENS_BACKEND=${forced}`, tried);
    return chosen;
  }
  if (userChoice != null) {
    const active = tf.getBackend();
    if (chosen?.name !== active || !chosen.reason.includes('set by the user')) {
      chosen = described(active, `set by the user (tf.setBackend('${userChoice}'))`, []);
    }
    return chosen;
  }
  if (chosen && tf.getBackend() === chosen.name) return chosen;

  const tried: Array<{ candidate: string; ok: boolean; why: string }> = [];
  for (const candidate of CANDIDATES) {
    try {
      await candidate.load?.(false);
    } catch (error) {
      tried.push({ candidate: candidate.label, ok: false, why: describeFailure(error) });
      continue;
    }
    if (tf.findBackendFactory(candidate.backend) == null) {
      tried.push({ candidate: candidate.label, ok: false, why: 'loaded, but registered with another copy of tfjs-core' });
      continue;
    }
    const ok = await switchTo(candidate.backend).catch(() => false);
    if (!ok) {
      tried.push({ candidate: candidate.label, ok: false, why: 'failed to initialise' });
      continue;
    }
    tried.push({ candidate: candidate.label, ok: true, why: 'loaded' });
    const skipped = tried.filter((t) => !t.ok).map((t) => `${t.candidate} ${t.why}`);
    chosen = described(candidate.backend, skipped.length ? skipped.join('; ') : 'first choice', tried);
    return chosen;
  }
  throw new Error('backend: no tfjs backend could be started (tried ' + tried.map((t) => `${t.candidate}: ${t.why}`).join('; ') + ')');
}

/**
 * The backend pathlens runs on and why, e.g. "wasm: @tensorflow/tfjs-node-gpu not installed; ...".
 * Before the first explanation it reports what is active now; `await ensureBackend()` chooses.
 */
export function backendInfo(): BackendInfo {
  if (chosen && tf.getBackend() === chosen.name) return chosen;
  const active = (tf.engine() as unknown as EngineInternals).backendName;
  return {
    name: active ?? 'none',
    reason: active ? `${active}: active, not yet chosen by pathlens` : 'none: pathlens chooses on the first explanation',
    tried: [],
  };
}
