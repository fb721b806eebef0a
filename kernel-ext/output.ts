/**
 * Routes the process's stdout and stderr to iopub `stream` messages, as children of the request
 * being served (the running cell, or the comm message being handled). Output that arrives after a
 * cell finished goes to that cell, as in IPython. The kernel's own log keeps the real stderr (log.ts).
 */
import type { Header, JsonObject } from './wire.js';
import { log } from './log.js';

/** tfjs-backend-cpu's advice on first use in Node (install tfjs-node): for the kernel's log, not the user's cell. */
const TFJS_NODE_BANNER = /^\n?=+\nHi, looks like you are running TensorFlow\.js in Node\.js\.[^\n]*\n=+\n?$/;

type Publish = (msgType: string, content: JsonObject, parent?: Header) => void;

export class OutputRouter {
  /** The request whose cell receives output. */
  parent: Header | undefined;
  private readonly decoder = new TextDecoder();

  constructor(private readonly publish: Publish) {}

  install(): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
        const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk);
        if (TFJS_NODE_BANNER.test(text)) log('tfjs:', text.trim().split('\n')[1]);
        else if (this.parent) this.publish('stream', { name, text }, this.parent);
        else log(`${name} outside any request:`, text.trimEnd());
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
    }
  }

  /** Runs `fn` with output going to `parent`'s cell, then restores the previous parent. */
  during<T>(parent: Header, fn: () => T): T {
    const previous = this.parent;
    this.parent = parent;
    try {
      return fn();
    } finally {
      this.parent = previous;
    }
  }
}
