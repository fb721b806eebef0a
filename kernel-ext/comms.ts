/**
 * Jupyter comms: a registry of targets and of the open comms, in both directions.
 * Kernel→front end goes out on iopub (`comm_open`, `comm_msg`, `comm_close`); front end→kernel comes
 * in on shell. Malformed or unknown messages are logged, never thrown into user code.
 */
import { randomUUID } from 'node:crypto';
import type { BinaryData, CommMessage, CommTargetHandler, KernelComm } from '../src/kernelHook.js';
import { log } from './log.js';
import { toBuffer, type JsonObject, type Message } from './wire.js';

/** Sends one comm message on iopub, as a child of the request being served. */
export type CommPublisher = (msgType: 'comm_open' | 'comm_msg' | 'comm_close', content: JsonObject, metadata: JsonObject, buffers: Buffer[]) => void;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function optionalObject(value: unknown, what: string): JsonObject {
  if (value === undefined) return {};
  if (!isObject(value)) throw new TypeError(`${what}: expected a plain object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  return value;
}

function received(message: Message): CommMessage {
  return {
    data: isObject(message.content.data) ? message.content.data : {},
    metadata: message.metadata,
    buffers: message.buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
  };
}

class Comm implements KernelComm {
  private readonly msgHandlers: ((m: CommMessage) => void)[] = [];
  private readonly closeHandlers: ((m: CommMessage) => void)[] = [];
  closed = false;

  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly manager: CommManager,
  ) {}

  send(data: Record<string, unknown>, metadata?: Record<string, unknown>, buffers: readonly BinaryData[] = []): void {
    if (this.closed) throw new Error(`comm ${this.commId} (${this.targetName}) is closed`);
    this.manager.publish('comm_msg', { comm_id: this.commId, data: optionalObject(data, 'data') }, optionalObject(metadata, 'metadata'), buffers.map(toBuffer));
  }

  onMsg(handler: (m: CommMessage) => void): void {
    this.msgHandlers.push(handler);
  }

  onClose(handler: (m: CommMessage) => void): void {
    this.closeHandlers.push(handler);
  }

  close(data?: Record<string, unknown>, metadata?: Record<string, unknown>, buffers: readonly BinaryData[] = []): void {
    if (this.closed) return;
    this.manager.publish('comm_close', { comm_id: this.commId, data: optionalObject(data, 'data') }, optionalObject(metadata, 'metadata'), buffers.map(toBuffer));
    this.closedBy({ data: {}, metadata: {}, buffers: [] });
  }

  /** Marks the comm closed and tells the close handlers (once). */
  closedBy(message: CommMessage): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.forget(this.commId);
    for (const handler of this.closeHandlers) this.manager.runHandler(`onClose of comm ${this.commId}`, () => handler(message));
  }

  deliver(message: CommMessage): void {
    if (this.msgHandlers.length === 0) log(`comm ${this.commId} (${this.targetName}) got a message but has no onMsg handler`);
    for (const handler of this.msgHandlers) this.manager.runHandler(`onMsg of comm ${this.commId}`, () => handler(message));
  }
}

export class CommManager {
  private readonly comms = new Map<string, Comm>();
  private readonly targets = new Map<string, CommTargetHandler>();

  /**
   * @param publish sends on iopub
   * @param reportError shows an error thrown by a user's comm handler (in the output of the cell that
   *   registered it, like any asynchronous error of user code)
   */
  constructor(
    readonly publish: CommPublisher,
    private readonly reportError: (where: string, error: unknown) => void,
  ) {}

  registerTarget(name: string, handler: CommTargetHandler): () => void {
    if (typeof name !== 'string' || name === '') throw new TypeError('registerTarget: targetName must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError(`registerTarget('${name}'): handler must be a function`);
    this.targets.set(name, handler);
    return () => {
      if (this.targets.get(name) === handler) this.targets.delete(name);
    };
  }

  open(targetName: string, data?: Record<string, unknown>, metadata?: Record<string, unknown>, buffers: readonly BinaryData[] = []): KernelComm {
    if (typeof targetName !== 'string' || targetName === '') throw new TypeError('openComm: targetName must be a non-empty string');
    const comm = new Comm(randomUUID().replaceAll('-', ''), targetName, this);
    this.publish('comm_open', { comm_id: comm.commId, target_name: targetName, data: optionalObject(data, 'data') }, optionalObject(metadata, 'metadata'), buffers.map(toBuffer));
    this.comms.set(comm.commId, comm);
    return comm;
  }

  forget(commId: string): void {
    this.comms.delete(commId);
  }

  runHandler(where: string, run: () => void): void {
    try {
      run();
    } catch (e) {
      this.reportError(where, e);
    }
  }

  /** Handles `comm_open`, `comm_msg` or `comm_close` from a front end. Returns false if malformed. */
  receive(message: Message): boolean {
    const { msg_type: type } = message.header;
    const commId = message.content.comm_id;
    if (typeof commId !== 'string' || commId === '') {
      log(`${type} without a comm_id string: ignored`);
      return false;
    }
    if (type === 'comm_open') return this.receiveOpen(commId, message);
    const comm = this.comms.get(commId);
    if (!comm) {
      log(`${type} for unknown comm ${commId}: ignored`);
      return false;
    }
    if (type === 'comm_msg') comm.deliver(received(message));
    else comm.closedBy(received(message));
    return true;
  }

  private receiveOpen(commId: string, message: Message): boolean {
    const targetName = message.content.target_name;
    const handler = typeof targetName === 'string' ? this.targets.get(targetName) : undefined;
    if (typeof targetName !== 'string' || !handler || this.comms.has(commId)) {
      const why = typeof targetName !== 'string' ? 'no target_name' : this.comms.has(commId) ? 'comm_id already open' : `no target '${targetName}'`;
      log(`comm_open ${commId} refused (${why}); closing it`);
      this.publish('comm_close', { comm_id: commId, data: {} }, {}, []);
      return false;
    }
    const comm = new Comm(commId, targetName, this);
    this.comms.set(commId, comm);
    this.runHandler(`target '${targetName}'`, () => handler(comm, received(message)));
    return true;
  }

  /** `comm_info_reply` content: the open comms, optionally of one target. */
  info(targetName?: unknown): JsonObject {
    const comms: JsonObject = {};
    for (const comm of this.comms.values()) {
      if (typeof targetName !== 'string' || comm.targetName === targetName) comms[comm.commId] = { target_name: comm.targetName };
    }
    return { status: 'ok', comms };
  }
}

/**
 * Minimal defaults for the ipywidgets targets, until a widget library registers its own:
 * front-end-created models are accepted (and kept open), and the control comm answers
 * `request_states` with the (empty) state of kernel-side widgets.
 */
export function registerWidgetTargets(manager: CommManager): void {
  manager.registerTarget('jupyter.widget', (comm) => {
    comm.onMsg((m) => log(`jupyter.widget ${comm.commId}: no widget library loaded; ignored method '${String(m.data.method)}'`));
  });
  manager.registerTarget('jupyter.widget.control', (comm) => {
    comm.onMsg((m) => {
      if (m.data.method === 'request_states') comm.send({ method: 'update_states', states: {}, buffer_paths: {} });
      else log(`jupyter.widget.control: unknown method '${String(m.data.method)}'`);
    });
  });
}
