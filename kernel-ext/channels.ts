/**
 * The five ZeroMQ sockets of a kernel, bound on the connection file's address (loopback only), and a
 * serialized sender per socket (zeromq 6 allows one send in flight per socket). Control and heartbeat
 * live on a worker thread (controlThread.ts), so that they answer while a cell keeps this thread busy.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { cellState } from './cells.js';
import type { ControlThreadData, FromControl, ToControl } from './controlThread.js';
import { decode, encode, newHeader, Signer, type Header, type JsonObject, type Message } from './wire.js';
import { log } from './log.js';

export interface ConnectionInfo {
  ip: string;
  transport: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function readConnectionFile(path: string): ConnectionInfo {
  const info = JSON.parse(readFileSync(path, 'utf8')) as ConnectionInfo;
  for (const port of ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const) {
    if (!Number.isInteger(info[port])) throw new Error(`connection file ${path}: ${port} must be an integer, got ${JSON.stringify(info[port])}`);
  }
  if (info.transport !== 'tcp') throw new Error(`connection file ${path}: transport must be 'tcp', got '${info.transport}'`);
  if (!LOOPBACK.has(info.ip)) throw new Error(`connection file ${path}: the pathlens kernel binds to loopback only, got ip '${info.ip}'`);
  return info;
}

interface Sender {
  send(frames: Buffer[]): Promise<void>;
}

class SerialSocket implements Sender {
  private tail: Promise<void> = Promise.resolve();
  constructor(readonly socket: zmq.Router | zmq.Publisher) {}

  send(frames: Buffer[]): Promise<void> {
    this.tail = this.tail.then(
      () => this.socket.send(frames),
      () => this.socket.send(frames),
    );
    this.tail.catch((e: unknown) => log('send failed:', e));
    return this.tail;
  }
}

export type Channel = 'shell' | 'control';
export type Handler = (channel: Channel, message: Message) => void;

/** The control thread, as a sender of control replies. */
class ControlThread implements Sender {
  readonly worker: Worker;
  constructor(data: ControlThreadData) {
    this.worker = new Worker(new URL('./controlThread.js', import.meta.url), { workerData: data });
    this.worker.unref();
  }

  post(message: ToControl): void {
    this.worker.postMessage(message);
  }

  send(frames: Buffer[]): Promise<void> {
    this.post({ kind: 'send', frames });
    return Promise.resolve();
  }

  bound(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromControl) => {
        if (m.kind === 'bound' || m.kind === 'bindFailed') this.worker.off('message', onMessage);
        if (m.kind === 'bound') resolve();
        else if (m.kind === 'bindFailed') reject(new Error(`control/heartbeat: ${m.error}`));
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
    });
  }
}

/** Sends and receives messages for one kernel session. */
export class Channels {
  readonly session = crypto.randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Router();
  private readonly control: ControlThread;
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly senders: Record<Channel | 'iopub', Sender>;

  constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.control = new ControlThread({ info, session: this.session, cellState, kernelPid: process.pid });
    this.senders = { shell: new SerialSocket(this.shell), control: this.control, iopub: new SerialSocket(this.iopub) };
  }

  async bind(): Promise<void> {
    const address = (port: number) => `${this.info.transport}://${this.info.ip}:${port}`;
    await Promise.all([
      this.shell.bind(address(this.info.shell_port)),
      this.control.bound(),
      this.stdin.bind(address(this.info.stdin_port)),
      this.iopub.bind(address(this.info.iopub_port)),
    ]);
  }

  /** What the control thread answers by itself: `kernel_info_request` (its reply content). */
  answerOnControl(kernelInfo: JsonObject): void {
    this.control.post({ kind: 'kernelInfo', content: kernelInfo });
  }

  /**
   * Starts the receive loops; `handle` gets every well-formed message, bad ones are logged. `interrupt`
   * is called with the cell that was running when an `interrupt_request` came on control (the control
   * thread has answered it) or a SIGINT reached the kernel's process group.
   */
  listen(handle: Handler, interrupt: (cellId: number) => void): void {
    const receive = (channel: Channel, frames: Buffer[]) => {
      let message: Message;
      try {
        message = decode(frames, this.signer);
      } catch (e) {
        log(`dropped a malformed message on ${channel}:`, e instanceof Error ? e.message : e);
        return;
      }
      try {
        handle(channel, message);
      } catch (e) {
        log(`handler for ${message.header.msg_type} threw:`, e);
      }
    };
    void (async () => {
      for await (const frames of this.shell) receive('shell', frames);
    })().catch((e) => log('shell loop ended:', e));
    this.control.worker.on('message', (m: FromControl) => {
      if (m.kind === 'request') receive('control', m.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
      else if (m.kind === 'interrupt') interrupt(m.cellId);
      else if (m.kind === 'log') log(m.text);
    });
    this.control.worker.on('error', (e) => log('control thread failed:', e));
  }

  /** Answers `request` on the channel it came from. */
  reply(channel: Channel, request: Message, msgType: string, content: JsonObject, metadata: JsonObject = {}): Promise<void> {
    return this.send(channel, {
      identities: request.identities,
      header: newHeader(msgType, this.session),
      parent_header: request.header,
      metadata,
      content,
      buffers: [],
    });
  }

  /** Broadcasts on iopub, as a child of `parent` (the request being served, if any). */
  publish(msgType: string, content: JsonObject, parent?: Header, buffers: Buffer[] = [], metadata: JsonObject = {}): Promise<void> {
    return this.send('iopub', {
      identities: [Buffer.from(msgType)],
      header: newHeader(msgType, this.session),
      parent_header: parent ?? {},
      metadata,
      content,
      buffers,
    });
  }

  private send(channel: Channel | 'iopub', message: Message): Promise<void> {
    return this.senders[channel].send(encode(message, this.signer));
  }

  /**
   * Closes every socket. Resolves once the control thread has closed its own (it says `closed`), has
   * ended, or after `timeoutMs`: only then may the process exit (see controlThread.ts's closeSockets).
   */
  close(timeoutMs = 2000): Promise<void> {
    const worker = this.control.worker;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      function onMessage(m: FromControl): void {
        if (m.kind === 'closed') finish();
      }
      function finish(): void {
        clearTimeout(timer);
        worker.off('message', onMessage).off('exit', finish);
        resolve();
      }
      worker.on('message', onMessage).once('exit', finish);
    });
    this.control.post({ kind: 'close' });
    for (const socket of [this.shell, this.stdin, this.iopub]) {
      socket.linger = 500;
      socket.close();
    }
    return done;
  }
}
