/**
 * The kernel's live widgets, and the `jupyter.widget.control` target that a reloading front end asks for
 * them all at once (`request_states` → `update_states`, in the wrapped form ManagerBase reads:
 * `states[id] = { model_name, model_module, model_module_version, state }`, buffer paths `[id, 'state', ...]`).
 */
import type { KernelHook } from '../kernelHook.js';
import { CONTROL_TARGET, WIDGET_TARGET } from './module.js';
import { removeBuffers, type BufferPath } from './buffers.js';

export interface RegisteredWidget {
  readonly modelId: string;
  /** The full state, binary values as typed arrays. */
  fullState(): Record<string, unknown>;
}

const REGISTRY = Symbol.for('pathlens.widgets');
type Registry = { widgets: Map<string, RegisteredWidget>; hooks: WeakSet<KernelHook> };

function registry(): Registry {
  const g = globalThis as Record<symbol, unknown>;
  g[REGISTRY] ??= { widgets: new Map(), hooks: new WeakSet() } satisfies Registry;
  return g[REGISTRY] as Registry;
}

export function widgetLog(message: string): void {
  // During a comm message the kernel routes stderr to iopub as a child of that message (the front end's log).
  console.error(`pathlens widget: ${message}`);
}

/** The wrapped `update_states` message for every live widget. */
export function allStates(): { data: Record<string, unknown>; buffers: (ArrayBufferView | ArrayBuffer)[] } {
  const states: Record<string, unknown> = {};
  const bufferPaths: BufferPath[] = [];
  const buffers: (ArrayBufferView | ArrayBuffer)[] = [];
  for (const [id, widget] of registry().widgets) {
    const split = removeBuffers(widget.fullState());
    const s = split.state;
    states[id] = { model_name: s._model_name, model_module: s._model_module, model_module_version: s._model_module_version, state: s };
    split.bufferPaths.forEach((p, i) => {
      bufferPaths.push([id, 'state', ...p]);
      buffers.push(split.buffers[i]);
    });
  }
  return { data: { method: 'update_states', states, buffer_paths: bufferPaths }, buffers };
}

/** Registers the control target (once per kernel hook) so that reloaded pages get every widget back. */
export function ensureTargets(hook: KernelHook): void {
  const { hooks } = registry();
  if (hooks.has(hook)) return;
  hooks.add(hook);
  hook.registerTarget(CONTROL_TARGET, (comm) => {
    comm.onMsg((m) => {
      if (m.data.method !== 'request_states') return widgetLog(`control comm: unknown method ${JSON.stringify(m.data.method)} ignored`);
      const { data, buffers } = allStates();
      comm.send(data, {}, buffers);
    });
  });
  // Models created by a front end (e.g. a core widget inside another page) are not ours: refuse politely.
  hook.registerTarget(WIDGET_TARGET, (comm, open) => {
    const state = (open.data.state ?? {}) as Record<string, unknown>;
    widgetLog(`front-end-created model ${String(state._model_name)} from ${String(state._model_module)} is not supported; comm closed`);
    comm.close();
  });
}

export function addWidget(widget: RegisteredWidget): void {
  registry().widgets.set(widget.modelId, widget);
}

export function removeWidget(modelId: string): void {
  registry().widgets.delete(modelId);
}

export function liveWidgets(): number {
  return registry().widgets.size;
}
