/**
 * The contract between pathlens (or any library) and the `pathlens` Jupyter kernel (kernel-ext/).
 * The kernel installs an object of this shape at `globalThis[Symbol.for('pathlens.kernel')]` before
 * the first cell runs; outside that kernel there is none. Libraries look it up at call time through
 * {@link getKernelHook} and never import kernel code.
 */

/** Symbol under which the kernel installs its {@link KernelHook}. */
export const KERNEL_HOOK = Symbol.for('pathlens.kernel');

/** A mime bundle: mime type → data. Strings and JSON go as they are; `Uint8Array` data is sent base64. */
export type MimeBundle = Record<string, unknown>;

/** Binary payloads travel as extra frames next to a comm message. */
export type BinaryData = ArrayBuffer | ArrayBufferView;

export interface DisplayOptions {
  /** Names the output so that {@link KernelHook.updateDisplay} can replace it later. */
  readonly displayId?: string;
  /** Per-mime metadata, e.g. `{ 'image/png': { width: 280 } }`. */
  readonly metadata?: Record<string, unknown>;
}

/** A message received on a comm. Buffers arrive as `Uint8Array`s. */
export interface CommMessage {
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly buffers: readonly Uint8Array[];
}

/** One end of a Jupyter comm (a channel between kernel-side code and a front-end view). */
export interface KernelComm {
  readonly commId: string;
  readonly targetName: string;
  readonly closed: boolean;
  /** Sends `comm_msg` to the front end. Throws once the comm is closed. */
  send(data: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: readonly BinaryData[]): void;
  /** Called for each `comm_msg` from the front end. */
  onMsg(handler: (message: CommMessage) => void): void;
  /** Called once when either side closes the comm. */
  onClose(handler: (message: CommMessage) => void): void;
  /** Sends `comm_close` and forgets the comm; closing twice is a no-op. */
  close(data?: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: readonly BinaryData[]): void;
}

/** Called when a front end opens a comm for a registered target. */
export type CommTargetHandler = (comm: KernelComm, open: CommMessage) => void;

export interface KernelHook {
  /** Version of this interface (1). */
  readonly version: 1;
  /** Shows a mime bundle in the output of the cell being run (a `display_data` message). */
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  /** Replaces every output shown with `displayId` (an `update_display_data` message). */
  updateDisplay(bundle: MimeBundle, displayId: string, options?: Omit<DisplayOptions, 'displayId'>): void;
  /** Clears the current cell's output, now or (`wait`) when the next output arrives. */
  clearOutput(wait?: boolean): void;
  /** Opens a comm from the kernel side (`comm_open` to the front end's `targetName`). */
  openComm(targetName: string, data?: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: readonly BinaryData[]): KernelComm;
  /**
   * Handles front-end `comm_open`s for `targetName`, replacing any earlier handler (the kernel
   * registers `jupyter.widget` and `jupyter.widget.control` with minimal defaults). Returns an
   * unregister function.
   */
  registerTarget(targetName: string, handler: CommTargetHandler): () => void;
  /**
   * The signal of the cell whose code is calling (followed through its awaits, timers and promises), or
   * `undefined` outside a cell (a comm handler, a timer set by a cell that has finished). The kernel
   * aborts it when the cell is interrupted (SIGINT or `interrupt_request`), with an `AbortError` reason.
   * Long-running library work should stop when it is aborted, e.g. by passing it on as `{ signal }`.
   * Optional: kernels older than this member lack it.
   */
  signal?(): AbortSignal | undefined;
  /**
   * Keeps the cell being run busy until `work` settles: the kernel sends the cell's result and reply after
   * it (e.g. a widget's state that is read from the GPU asynchronously, so that saved notebooks hold it).
   */
  keepBusy?(work: Promise<unknown>): void;
}

/** The running kernel's hook, or `undefined` outside the `pathlens` kernel. */
export function getKernelHook(): KernelHook | undefined {
  const hook = (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] as KernelHook | undefined;
  return hook && hook.version === 1 ? hook : undefined;
}
