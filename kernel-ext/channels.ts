/**
 * The five ZeroMQ sockets of a kernel, bound on the connection file's address (loopback only), and a
 * serialized sender per socket (zeromq 6 allows one send in flight per socket).
 */
import { readFileSync } from 'node:fs';
import * as zmq from 'zeromq';
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

class SerialSocket {
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

/** Sends and receives messages for one kernel session. */
export class Channels {
  readonly session = crypto.randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly heartbeat = new zmq.Reply();
  private readonly senders: Record<Channel | 'iopub', SerialSocket>;

  constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.senders = { shell: new SerialSocket(this.shell), control: new SerialSocket(this.control), iopub: new SerialSocket(this.iopub) };
  }

  async bind(): Promise<void> {
    const address = (port: number) => `${this.info.transport}://${this.info.ip}:${port}`;
    await Promise.all([
      this.shell.bind(address(this.info.shell_port)),
      this.control.bind(address(this.info.control_port)),
      this.stdin.bind(address(this.info.stdin_port)),
      this.iopub.bind(address(this.info.iopub_port)),
      this.heartbeat.bind(address(this.info.hb_port)),
    ]);
  }

  /** Starts the receive loops; `handle` gets every well-formed message, bad ones are logged. */
  listen(handle: Handler): void {
    const loop = async (channel: Channel, socket: zmq.Router) => {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = decode(frames, this.signer);
        } catch (e) {
          log(`dropped a malformed message on ${channel}:`, e instanceof Error ? e.message : e);
          continue;
        }
        try {
          handle(channel, message);
        } catch (e) {
          log(`handler for ${message.header.msg_type} threw:`, e);
        }
      }
    };
    void loop('shell', this.shell).catch((e) => log('shell loop ended:', e));
    void loop('control', this.control).catch((e) => log('control loop ended:', e));
    void (async () => {
      for await (const [ping] of this.heartbeat) await this.heartbeat.send(ping);
    })().catch((e) => log('heartbeat loop ended:', e));
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

  close(): void {
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) {
      socket.linger = 500;
      socket.close();
    }
  }
}
