/**
 * tslab 1.0.22's compiler and executor, used as a library: cells are type-checked by tslab's
 * TypeScript 5.0 fork, transpiled to CommonJS and run in this process. Internal, unexported APIs:
 * tslab is pinned to an exact version in package.json, and this file is the only place that knows them.
 */
import { createRequire } from 'node:module';
import { format } from 'node:util';
import type * as Converter from 'tslab/dist/converter.js';
import type * as Executor from 'tslab/dist/executor.js';
import type * as Inspect from 'tslab/dist/inspect.js';
import { ModuleFallback, type FileSystemHost } from './resolve.js';
import { expandShorthandProperties } from './shorthand.js';

const require = createRequire(import.meta.url);
const converter = require('tslab/dist/converter.js') as typeof Converter;
const executor = require('tslab/dist/executor.js') as typeof Executor;
const inspector = require('tslab/dist/inspect.js') as typeof Inspect;
/** tslab's display API (`import * as tslab from 'tslab'` in a cell) writes through this module's global. */
const jupyter = require('tslab/dist/jupyter.js') as { lastWriteDisplayData: unknown };

/** The TypeScript version that checks the cells. */
export const typescriptVersion: string = (require('@tslab/typescript-for-tslab/package.json') as { version: string }).version;
export const tslabVersion: string = (require('tslab/package.json') as { version: string }).version;

/** How tslab's executor prints a compile diagnostic (executor.js printDiagnostics). */
const DIAGNOSTIC_FORMAT = '%s%d:%d - %s';

export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type CellOutcome =
  | { ok: true; hasValue: boolean; value: unknown; warnings: string[] }
  | { ok: false; error: CellError };

function fromThrown(thrown: unknown): CellError {
  if (thrown instanceof Error || (thrown !== null && typeof thrown === 'object' && 'stack' in thrown && 'message' in thrown)) {
    const e = thrown as Error;
    let stack = typeof e.stack === 'string' ? e.stack.split('\n') : [`${e.name}: ${e.message}`];
    // Node prefixes the stack of an error thrown in a vm script with the source line and a caret.
    const head = stack.findIndex((line) => line.startsWith(`${e.name}`));
    if (head > 0) stack = stack.slice(head);
    stack = stack.map((line) => line.replaceAll('evalmachine.<anonymous>', '<cell>'));
    // Drop the frames of the kernel itself (tslab's executor, node's vm, this kernel).
    const end = stack.findIndex((line, i) => i > 0 && /tslab[\\/]dist[\\/]|node:vm|kernel-ext[\\/]/.test(line));
    return { ename: e.name || 'Error', evalue: String(e.message ?? ''), traceback: end > 0 ? stack.slice(0, end) : stack };
  }
  const text = format(thrown);
  return { ename: 'Thrown', evalue: text, traceback: [`Uncaught ${text}`] };
}

class CellConsole {
  value: unknown = undefined;
  hasValue = false;
  thrown: unknown[] = [];
  diagnostics: string[] = [];

  reset(): void {
    this.value = undefined;
    this.hasValue = false;
    this.thrown = [];
    this.diagnostics = [];
  }

  // tslab's executor hands the cell's last value to console.log, and errors to console.error.
  log = (value?: unknown): void => {
    this.value = value;
    this.hasValue = true;
  };

  error = (...args: unknown[]): void => {
    if (args[0] === DIAGNOSTIC_FORMAT) this.diagnostics.push(format(...args));
    else this.thrown.push(args[0]);
  };
}

export class TslabEngine {
  private readonly console = new CellConsole();
  private readonly executor: Executor.Executor;
  private nodeConverter: Converter.Converter | undefined;
  private browserConverter: Converter.Converter | undefined;

  constructor(cwd: string) {
    // Imports the notebook's folder lacks come from this kernel's installation (resolve.ts); tslab's
    // converter reads files through this TypeScript's sys.
    ModuleFallback.install(cwd, (createRequire(require.resolve('tslab/dist/converter.js'))('@tslab/typescript-for-tslab') as { sys: FileSystemHost }).sys);
    const self = this;
    const converters = {
      get node() {
        return (self.nodeConverter ??= converter.createConverter({ isJS: false, isBrowser: false }));
      },
      get browser() {
        return (self.browserConverter ??= converter.createConverter({ isJS: false, isBrowser: true }));
      },
      close() {
        self.nodeConverter?.close();
        self.browserConverter?.close();
      },
    };
    void converters.node; // warm the compiler before the first cell
    this.executor = executor.createExecutor(cwd, converters, this.console);
  }

  /** Lets `tslab.display` in cells write through the kernel (`update` = an update_display_data). */
  setTslabDisplayWriter(write: (data: { data: Record<string, unknown>; metadata?: Record<string, unknown>; transient?: Record<string, unknown> }, update: boolean) => void): void {
    jupyter.lastWriteDisplayData = write;
  }

  async run(code: string): Promise<CellOutcome> {
    const c = this.console;
    c.reset();
    let ok: boolean;
    try {
      ok = await this.executor.execute(expandShorthandProperties(code));
    } catch (e) {
      return { ok: false, error: fromThrown(e) };
    }
    if (ok) return { ok: true, hasValue: c.hasValue, value: c.value, warnings: [...c.diagnostics, ...c.thrown.map((t) => format(t))] };
    if (c.diagnostics.length > 0) {
      return { ok: false, error: { ename: 'CompileError', evalue: c.diagnostics[0], traceback: c.diagnostics } };
    }
    return { ok: false, error: c.thrown.length > 0 ? fromThrown(c.thrown[0]) : { ename: 'Error', evalue: 'the cell failed', traceback: [] } };
  }

  /** Hover text at `position`, or undefined. */
  inspect(code: string, position: number): string | undefined {
    const info = this.executor.inspect(code, position);
    return info ? inspector.printQuickInfo(info) : undefined;
  }

  complete(code: string, position: number): { start: number; end: number; candidates: string[] } {
    const { start, end, candidates } = this.executor.complete(code, position);
    return { start, end, candidates };
  }

  isComplete(code: string): { status: 'complete' } | { status: 'incomplete'; indent: string } {
    const result = converter.isCompleteCode(code);
    return result.completed ? { status: 'complete' } : { status: 'incomplete', indent: result.indent ?? '' };
  }

  interrupt(): void {
    this.executor.interrupt();
  }

  close(): void {
    this.executor.close();
  }
}
