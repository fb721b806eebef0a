/**
 * The runtime hook libraries use to reach this kernel: `globalThis[Symbol.for('pathlens.kernel')]`.
 * Its shape is `KernelHook` in src/kernelHook.ts (a type-only import: the kernel knows no attribution).
 */
import type { KernelHook, MimeBundle } from '../src/kernelHook.js';
import type { CommManager } from './comms.js';
import { wireBundle } from './mime.js';
import type { JsonObject } from './wire.js';

export interface DisplaySink {
  /** Sends `display_data` (or `update_display_data`) as a child of the current request. */
  sendDisplay(update: boolean, content: JsonObject): void;
  clearOutput(wait: boolean): void;
  /** Work the current execute request waits for before it replies. */
  keepBusy(work: Promise<unknown>): void;
}

function metadataOf(options: { metadata?: Record<string, unknown> } | undefined): JsonObject {
  const metadata = options?.metadata ?? {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError('display: options.metadata must be an object');
  return metadata;
}

/** `signal` answers `KernelHook.signal()`: the calling cell's AbortSignal (cells.ts). */
export function createHook(sink: DisplaySink, comms: CommManager, signal: () => AbortSignal | undefined): KernelHook {
  return Object.freeze({
    version: 1 as const,
    display(bundle: MimeBundle, options?: { displayId?: string; metadata?: Record<string, unknown> }) {
      const displayId = options?.displayId;
      if (displayId !== undefined && (typeof displayId !== 'string' || displayId === '')) throw new TypeError('display: options.displayId must be a non-empty string');
      sink.sendDisplay(false, { data: wireBundle(bundle), metadata: metadataOf(options), transient: displayId ? { display_id: displayId } : {} });
    },
    updateDisplay(bundle: MimeBundle, displayId: string, options?: { metadata?: Record<string, unknown> }) {
      if (typeof displayId !== 'string' || displayId === '') throw new TypeError('updateDisplay: displayId must be a non-empty string');
      sink.sendDisplay(true, { data: wireBundle(bundle), metadata: metadataOf(options), transient: { display_id: displayId } });
    },
    clearOutput(wait = false) {
      sink.clearOutput(wait === true);
    },
    openComm: (targetName, data, metadata, buffers) => comms.open(targetName, data, metadata, buffers),
    registerTarget: (targetName, handler) => comms.registerTarget(targetName, handler),
    signal,
    keepBusy(work: Promise<unknown>) {
      sink.keepBusy(work);
    },
  } satisfies KernelHook);
}

export function installHook(hook: KernelHook): void {
  Object.defineProperty(globalThis, Symbol.for('pathlens.kernel'), { value: hook, configurable: true, enumerable: false, writable: false });
}
