/**
 * A widget model on the kernel side, speaking protocol 2.1 over the kernel hook's comms: `comm_open` with
 * the full state, `update` both ways (binary values as buffers), `echo_update` of accepted front-end
 * changes, `request_state`, `custom`. Front-end messages are checked trait by trait; a malformed one is
 * logged, rejected as a whole, and the front end is sent the kernel's values back, so both ends stay alive
 * and in agreement.
 */
import { display, JUPYTER_DISPLAY, type DisplayOptions, type MimeBundle } from '../display.js';
import type { CommMessage, KernelComm, KernelHook } from '../kernelHook.js';
import { FORBIDDEN_KEYS, putBuffers, removeBuffers } from './buffers.js';
import { PROTOCOL_VERSION, WIDGET_TARGET, WIDGET_VIEW_MIME } from './module.js';
import { addWidget, ensureTargets, removeWidget, widgetLog } from './registry.js';

/** Checks a value for a trait; returns it (possibly normalised) or throws an Error saying what is wrong. */
export type TraitCheck = (value: unknown, next: Readonly<Record<string, unknown>>) => unknown;

export interface TraitSpecs {
  /** Traits the front end may change, with their checks. Every other trait is read-only. */
  readonly [name: string]: TraitCheck;
}

export type ChangeHandler = (changed: Readonly<Record<string, unknown>>, from: 'frontend' | 'kernel') => void;

export class KernelWidget {
  private readonly comm: KernelComm;
  private readonly state: Record<string, unknown>;
  private readonly handlers: ChangeHandler[] = [];
  /** Errors met in front-end messages, newest last (also logged). */
  readonly errors: string[] = [];
  /** Settles when every part of the state computed after opening (e.g. path frames) has been sent. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    hook: KernelHook,
    state: Record<string, unknown>,
    private readonly writable: TraitSpecs,
    /** The bundle's fallbacks for front ends without widgets: `text/plain` and an image. */
    private readonly fallback: () => MimeBundle,
  ) {
    ensureTargets(hook);
    this.state = { ...state };
    const split = removeBuffers(this.state);
    this.comm = hook.openComm(WIDGET_TARGET, { state: split.state, buffer_paths: split.bufferPaths }, { version: PROTOCOL_VERSION }, split.buffers);
    addWidget(this);
    this.comm.onMsg((m) => this.receive(m));
    this.comm.onClose(() => removeWidget(this.modelId));
  }

  get modelId(): string {
    return this.comm.commId;
  }

  get closed(): boolean {
    return this.comm.closed;
  }

  get(name: string): unknown {
    return this.state[name];
  }

  fullState(): Record<string, unknown> {
    return { ...this.state };
  }

  /** Changes traits from the kernel (checked like front-end changes) and sends them to the front ends. */
  set(patch: Record<string, unknown>): void {
    const checked = this.check(patch, false);
    Object.assign(this.state, checked);
    this.sendUpdate(checked, 'update');
    this.emit(checked, 'kernel');
  }

  /** Kernel-computed values (read-only traits too) that became known after opening: stored and sent as an update. */
  refresh(values: Record<string, unknown>): void {
    Object.assign(this.state, values);
    this.sendUpdate(values, 'update');
    this.emit(values, 'kernel');
  }

  /** Called after every accepted change, from either side. */
  onChange(handler: ChangeHandler): void {
    this.handlers.push(handler);
  }

  /** Sends a `custom` message to the views. */
  sendCustom(content: Record<string, unknown>, buffers: (ArrayBufferView | ArrayBuffer)[] = []): void {
    this.comm.send({ method: 'custom', content }, {}, buffers);
  }

  close(): void {
    this.comm.close();
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { ...this.fallback(), [WIDGET_VIEW_MIME]: { model_id: this.modelId, version_major: 2, version_minor: 1 } };
  }

  show(options?: DisplayOptions): MimeBundle | undefined {
    return display(this, options);
  }

  private sendUpdate(values: Record<string, unknown>, method: 'update' | 'echo_update'): void {
    if (this.comm.closed) return;
    const split = removeBuffers(values);
    this.comm.send({ method, state: split.state, buffer_paths: split.bufferPaths }, {}, split.buffers);
  }

  private emit(changed: Record<string, unknown>, from: 'frontend' | 'kernel'): void {
    for (const handler of this.handlers) {
      try {
        handler(changed, from);
      } catch (e) {
        widgetLog(`${this.modelId}: a change handler threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Checks every key of a patch; all or nothing. */
  private check(patch: unknown, fromFrontend: boolean): Record<string, unknown> {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new Error(`state: expected an object of trait values, got ${JSON.stringify(patch)}`);
    const out: Record<string, unknown> = {};
    const next = { ...this.state, ...patch };
    for (const [name, value] of Object.entries(patch)) {
      // Own, declared traits only: 'constructor' or 'toString' must not find Object.prototype's members.
      if (FORBIDDEN_KEYS.has(name)) throw new Error(`trait name '${name}' is not allowed`);
      const check = Object.hasOwn(this.writable, name) ? this.writable[name] : undefined;
      if (!check) {
        const known = Object.keys(this.writable).join(', ');
        throw new Error(Object.hasOwn(this.state, name) ? `trait '${name}' is read-only${fromFrontend ? ' for the front end' : ''}` : `unknown trait '${name}' (writable: ${known})`);
      }
      try {
        out[name] = check(value, next);
      } catch (e) {
        throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return out;
  }

  private reject(why: string, keys: readonly string[]): void {
    const message = `${this.modelId}: ${why}; message ignored`;
    this.errors.push(message);
    widgetLog(message);
    // Put the front end back on the kernel's values, and tell the view.
    const current = Object.fromEntries(keys.filter((k) => Object.hasOwn(this.state, k) && Object.hasOwn(this.writable, k)).map((k) => [k, this.state[k]]));
    if (Object.keys(current).length > 0) this.sendUpdate(current, 'update');
    if (!this.comm.closed) this.sendCustom({ type: 'error', message: why });
  }

  private receive(message: CommMessage): void {
    const { data } = message;
    const method = data.method;
    if (method === 'update') {
      const state = data.state;
      const keys = state !== null && typeof state === 'object' ? Object.keys(state) : [];
      let checked: Record<string, unknown>;
      try {
        if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new Error(`update: expected 'state' to be an object, got ${JSON.stringify(state)}`);
        const copy = { ...(state as Record<string, unknown>) };
        putBuffers(copy, data.buffer_paths, message.buffers);
        checked = this.check(copy, true);
      } catch (e) {
        return this.reject(e instanceof Error ? e.message : String(e), keys);
      }
      Object.assign(this.state, checked);
      this.sendUpdate(checked, 'echo_update');
      this.emit(checked, 'frontend');
    } else if (method === 'request_state') {
      this.sendUpdate(this.fullState(), 'update');
    } else if (method === 'custom') {
      this.reject(`custom message ${JSON.stringify(data.content)} not understood`, []);
    } else {
      this.reject(`unknown method ${JSON.stringify(method)}`, []);
    }
  }
}

/** Checks for common trait types. */
export const traits = {
  oneOf:
    <T extends string>(allowed: readonly T[]): TraitCheck =>
    (v) => {
      if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v;
      throw new Error(`expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`);
    },
  number:
    (lo: number, hi: number): TraitCheck =>
    (v) => {
      if (typeof v === 'number' && v >= lo && v <= hi) return v;
      throw new Error(`expected a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
    },
  integer:
    (lo: number, hi: number): TraitCheck =>
    (v) => {
      if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
      throw new Error(`expected an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
    },
  boolean: (): TraitCheck => (v) => {
    if (typeof v === 'boolean') return v;
    throw new Error(`expected true or false, got ${JSON.stringify(v)}`);
  },
};
