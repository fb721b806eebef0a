/**
 * The running cell: its id, its AbortController, and the async context that follows its code through
 * awaits, timers and promises (so that `KernelHook.signal()` answers for the cell that is calling).
 * An interrupt aborts the signal, and the cell's top-level awaits (rewritten by compiled.ts to go
 * through `resume`) reject at once: the statements after them never run.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Where compiled cells find {@link CellAwaits} (compiled.ts writes calls to it). */
export const CELL_AWAITS = Symbol.for('pathlens.kernel.cellAwaits');

export interface CellAwaits {
  /** `await v` at a cell's top level becomes `await resume(v, cellId)`. */
  resume(value: unknown, cellId: number): Promise<unknown>;
  /** Called at the top of each `for await` iteration of a cell's top level. */
  check(cellId: number): void;
}

interface Cell {
  readonly id: number;
  readonly controller: AbortController;
}

/**
 * What the control thread reads while the main thread may be busy: `[RUNNING_CELL]` is the running cell's id
 * (0: none), `[IN_VM]` is 1 while a cell's synchronous start runs under `breakOnSigint` (tslab.ts), where
 * only SIGINT can stop it. An interrupt names the cell that was running when it arrived.
 */
export const cellState = new Int32Array(new SharedArrayBuffer(8));
export const RUNNING_CELL = 0;
export const IN_VM = 1;

export function interruptedError(): Error {
  return new DOMException('the cell was interrupted', 'AbortError');
}

export class Cells implements CellAwaits {
  private readonly context = new AsyncLocalStorage<Cell>();
  private running: Cell | undefined;
  private lastId = 0;

  constructor() {
    Object.defineProperty(globalThis, CELL_AWAITS, { value: this, configurable: true, enumerable: false, writable: false });
  }

  /** Runs `fn` as a new cell (its id given to `fn`, for compiled.ts); the cell ends when `fn`'s promise settles. */
  async run<T>(fn: (cellId: number) => Promise<T>): Promise<T> {
    const cell: Cell = { id: ++this.lastId, controller: new AbortController() };
    this.running = cell;
    Atomics.store(cellState, RUNNING_CELL, cell.id);
    try {
      return await this.context.run(cell, () => fn(cell.id));
    } finally {
      if (this.running === cell) this.running = undefined;
      Atomics.compareExchange(cellState, RUNNING_CELL, cell.id, 0);
    }
  }

  /** The signal of the cell whose code is calling, if any. */
  signal(): AbortSignal | undefined {
    return this.context.getStore()?.controller.signal;
  }

  /**
   * Aborts the running cell's signal (its reason: an AbortError), if it is `cellId` when given (the cell an
   * interrupt arrived for: a later cell is not hit by a late notice). True if this aborted it, false if there
   * was nothing (more) to interrupt.
   */
  interrupt(cellId?: number): boolean {
    const cell = this.running;
    if (!cell || cell.controller.signal.aborted || (cellId !== undefined && cell.id !== cellId)) return false;
    cell.controller.abort(interruptedError());
    return true;
  }

  /** Whether the cell `cellId` is running and not interrupted. */
  private live(cellId: number): Cell | undefined {
    const cell = this.running;
    return cell && cell.id === cellId && !cell.controller.signal.aborted ? cell : undefined;
  }

  check(cellId: number): void {
    if (!this.live(cellId)) throw interruptedError();
  }

  resume(value: unknown, cellId: number): Promise<unknown> {
    const cell = this.live(cellId);
    if (!cell) return Promise.reject(interruptedError());
    const signal = cell.controller.signal;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(interruptedError());
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve(value).then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          if (this.live(cellId)) resolve(v);
          else reject(interruptedError());
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(this.live(cellId) ? e : interruptedError());
        },
      );
    });
  }
}
