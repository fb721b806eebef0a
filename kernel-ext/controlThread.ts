/**
 * The control and heartbeat sockets, served from a worker thread so that they answer while a cell keeps
 * the main thread busy (as ipykernel's control thread does): heartbeats are echoed here, `kernel_info_request`
 * and `interrupt_request` are answered here. An interrupt names the cell running when it arrived and goes to
 * the main thread as a message (seen as soon as it is free: async work); while the cell's synchronous start
 * runs under `breakOnSigint` it also goes as SIGINT to this process, which stops a synchronous loop there.
 * Every other control request goes to the main thread, whose replies this thread sends.
 *
 * This thread also relays SIGINTs sent to the kernel's process group (what Jupyter does in signal mode):
 * a SIGINT that reaches the main thread while it is busy before a `breakOnSigint` run (tslab type-checking
 * the cell) is swallowed by Node's watchdog; the relay, a shell in the same group, still reports it.
 */
import { spawn } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import type { ConnectionInfo } from './channels.js';
import { decode, encode, newHeader, Signer, type JsonObject, type Message } from './wire.js';

/** main → thread */
export type ToControl = { kind: 'send'; frames: Uint8Array[] } | { kind: 'kernelInfo'; content: JsonObject } | { kind: 'close' };
/** thread → main */
export type FromControl =
  | { kind: 'bound' }
  | { kind: 'bindFailed'; error: string }
  | { kind: 'request'; frames: Uint8Array[] }
  | { kind: 'interrupt'; cellId: number }
  | { kind: 'log'; text: string }
  /** Answers `close`: both sockets are closed and their loops have ended; this thread runs no more JS. */
  | { kind: 'closed' };

export interface ControlThreadData {
  readonly info: ConnectionInfo;
  readonly session: string;
  /** cells.ts's cellState, shared with the main thread. */
  readonly cellState: Int32Array;
  readonly kernelPid: number;
}

const port = parentPort!;
const { info, session, cellState, kernelPid } = workerData as ControlThreadData;
// Indices into cellState (cells.ts's RUNNING_CELL and IN_VM; not imported: cells.ts is main-thread code).
const RUNNING_CELL = 0;
const IN_VM = 1;
const signer = new Signer(info.key, info.signature_scheme);
const control = new zmq.Router();
const heartbeat = new zmq.Reply();
let kernelInfo: JsonObject | undefined;
let sending: Promise<void> = Promise.resolve();

const post = (message: FromControl) => port.postMessage(message);
const log = (text: string) => post({ kind: 'log', text });

function send(frames: Buffer[]): void {
  sending = sending.then(() => control.send(frames)).catch((e: unknown) => log(`control send failed: ${String(e)}`));
}

function reply(request: Message, msgType: string, content: JsonObject): void {
  send(encode({ identities: request.identities, header: newHeader(msgType, session), parent_header: request.header, metadata: {}, content, buffers: [] }, signer));
}

async function serveControl(): Promise<void> {
  for await (const frames of control) {
    let message: Message;
    try {
      message = decode(frames, signer);
    } catch (e) {
      log(`dropped a malformed message on control: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const type = message.header.msg_type;
    if (type === 'interrupt_request') {
      reply(message, 'interrupt_reply', { status: 'ok' });
      interruptRunningCell();
      if (Atomics.load(cellState, IN_VM) === 1) process.kill(kernelPid, 'SIGINT');
    } else if (type === 'kernel_info_request' && kernelInfo) {
      reply(message, 'kernel_info_reply', kernelInfo);
    } else {
      post({ kind: 'request', frames });
    }
  }
}

function interruptRunningCell(): void {
  const cellId = Atomics.load(cellState, RUNNING_CELL);
  if (cellId > 0) post({ kind: 'interrupt', cellId });
}

/** A shell in the kernel's process group that prints a line for each SIGINT, and ends with the kernel. */
function relayGroupInterrupts(): void {
  const script = `trap 'echo INT' INT; while kill -0 ${kernelPid} 2>/dev/null; do sleep 5 & wait $!; done`;
  const relay = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  relay.on('error', (e) => log(`SIGINT relay: ${e.message}`));
  relay.stdout.setEncoding('utf8');
  relay.stdout.on('data', (text: string) => {
    for (let i = 0; i < text.split('INT').length - 1; i++) interruptRunningCell();
  });
}

async function serveHeartbeat(): Promise<void> {
  for await (const [ping] of heartbeat) await heartbeat.send(ping);
}

let loops: Promise<unknown> = Promise.resolve();

/**
 * Closes both sockets here, at a time of this thread's choosing, and says so. The main thread waits for
 * `closed` before process.exit(): closing a zeromq socket settles its pending receive (a JS error made in
 * native code), and if process.exit were already terminating this thread, that error could not be made or
 * thrown, and zeromq's binding (node-addon-api with C++ exceptions) would end the whole process with
 * `terminate called after throwing an instance of 'Napi::Error'` (SIGABRT) instead of exit code 0.
 */
async function closeSockets(): Promise<void> {
  await sending; // the shutdown_reply, posted before `close`, goes first
  for (const socket of [control, heartbeat]) {
    socket.linger = 500;
    socket.close();
  }
  await loops;
  post({ kind: 'closed' });
  port.close();
}

port.on('message', (message: ToControl) => {
  if (message.kind === 'send') send(message.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
  else if (message.kind === 'kernelInfo') kernelInfo = message.content;
  else void closeSockets();
});

const address = (p: number) => `${info.transport}://${info.ip}:${p}`;
Promise.all([control.bind(address(info.control_port)), heartbeat.bind(address(info.hb_port))]).then(
  () => {
    post({ kind: 'bound' });
    relayGroupInterrupts();
    loops = Promise.all([
      serveControl().catch((e: unknown) => log(`control loop ended: ${String(e)}`)),
      serveHeartbeat().catch((e: unknown) => log(`heartbeat loop ended: ${String(e)}`)),
    ]);
  },
  (e: unknown) => post({ kind: 'bindFailed', error: e instanceof Error ? e.message : String(e) }),
);
