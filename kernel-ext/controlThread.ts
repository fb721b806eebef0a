/**
 * The control and heartbeat sockets, served from a worker thread so that they answer while a cell keeps
 * the main thread busy (as ipykernel's control thread does): heartbeats are echoed here, `kernel_info_request`
 * and `interrupt_request` are answered here, and an interrupt is passed on twice: as a message to the main
 * thread (seen as soon as it is free: async work) and as SIGINT to this process (which also stops a
 * synchronous loop in the part of a cell that runs before its first await: tslab's breakOnSigint).
 * Every other control request goes to the main thread, whose replies this thread sends.
 */
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
  | { kind: 'interrupt' }
  | { kind: 'log'; text: string };

export interface ControlThreadData {
  readonly info: ConnectionInfo;
  readonly session: string;
}

const port = parentPort!;
const { info, session } = workerData as ControlThreadData;
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
      post({ kind: 'interrupt' });
      process.kill(process.pid, 'SIGINT');
    } else if (type === 'kernel_info_request' && kernelInfo) {
      reply(message, 'kernel_info_reply', kernelInfo);
    } else {
      post({ kind: 'request', frames });
    }
  }
}

async function serveHeartbeat(): Promise<void> {
  for await (const [ping] of heartbeat) await heartbeat.send(ping);
}

port.on('message', (message: ToControl) => {
  if (message.kind === 'send') send(message.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
  else if (message.kind === 'kernelInfo') kernelInfo = message.content;
  else {
    for (const socket of [control, heartbeat]) {
      socket.linger = 500;
      socket.close();
    }
    port.close();
  }
});

const address = (p: number) => `${info.transport}://${info.ip}:${p}`;
Promise.all([control.bind(address(info.control_port)), heartbeat.bind(address(info.hb_port))]).then(
  () => {
    post({ kind: 'bound' });
    serveControl().catch((e: unknown) => log(`control loop ended: ${String(e)}`));
    serveHeartbeat().catch((e: unknown) => log(`heartbeat loop ended: ${String(e)}`));
  },
  (e: unknown) => post({ kind: 'bindFailed', error: e instanceof Error ? e.message : String(e) }),
);
