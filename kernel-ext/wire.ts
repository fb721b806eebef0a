/**
 * The Jupyter wire protocol (messaging spec 5.3): frames ⇄ messages and their HMAC signatures.
 * A message on a ROUTER socket is `[...identities, '<IDS|MSG>', signature, header, parent_header,
 * metadata, content, ...buffers]`. The signature covers the four JSON frames only, never the buffers.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = '<IDS|MSG>';

export type JsonObject = Record<string, unknown>;

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message {
  /** Routing frames before the delimiter (ROUTER identities, or the iopub topic). */
  identities: Buffer[];
  header: Header;
  /** The header of the request this message answers, `{}` for none. */
  parent_header: Header | Record<string, never>;
  metadata: JsonObject;
  content: JsonObject;
  buffers: Buffer[];
}

/** A message that could not be read; the kernel logs it and goes on. */
export class WireError extends Error {
  override name = 'WireError';
}

export class Signer {
  constructor(
    private readonly key: string,
    private readonly scheme: string = 'hmac-sha256',
  ) {
    if (key && !scheme.startsWith('hmac-')) throw new WireError(`unsupported signature_scheme '${scheme}' (expected hmac-<digest>)`);
  }

  sign(frames: readonly (Buffer | string)[]): string {
    if (!this.key) return '';
    const hmac = createHmac(this.scheme.slice('hmac-'.length), this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  verify(signature: string, frames: readonly Buffer[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(frames));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** Signatures of the messages received lately, oldest first (a Set iterates in insertion order). */
  private readonly seen = new Set<string>();

  /**
   * Remembers a verified signature; false if it was seen before (a replayed message), as jupyter_client
   * does. The last {@link REMEMBERED_SIGNATURES} are kept. Without a key there are no signatures to compare.
   */
  fresh(signature: string): boolean {
    if (!this.key) return true;
    if (this.seen.has(signature)) return false;
    this.seen.add(signature);
    if (this.seen.size > REMEMBERED_SIGNATURES) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}

/** How many recent signatures are remembered to refuse replays (jupyter_client keeps 2^16). */
export const REMEMBERED_SIGNATURES = 2 ** 16;

function parseObject(frame: Buffer, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new WireError(`${what}: not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WireError(`${what}: expected a JSON object`);
  return value as JsonObject;
}

/** Frames → message; throws {@link WireError} for a missing delimiter, a bad signature or bad JSON. */
export function decode(frames: readonly Buffer[], signer: Signer): Message {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (at < 0) throw new WireError('no <IDS|MSG> delimiter');
  if (frames.length < at + 6) throw new WireError(`expected 5 frames after the delimiter, got ${frames.length - at - 1}`);
  const [signature, ...rest] = frames.slice(at + 1);
  const signed = rest.slice(0, 4);
  if (!signer.verify(signature.toString(), signed)) throw new WireError('invalid signature');
  if (!signer.fresh(signature.toString())) throw new WireError('duplicate signature (a replayed message)');
  const header = parseObject(signed[0], 'header');
  if (typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') throw new WireError('header: msg_type and msg_id must be strings');
  return {
    identities: frames.slice(0, at),
    header: header as unknown as Header,
    parent_header: parseObject(signed[1], 'parent_header') as Message['parent_header'],
    metadata: parseObject(signed[2], 'metadata'),
    content: parseObject(signed[3], 'content'),
    buffers: rest.slice(4),
  };
}

/** Message → frames, signed. */
export function encode(message: Message, signer: Signer): Buffer[] {
  const json = [message.header, message.parent_header, message.metadata, message.content].map((part) => Buffer.from(JSON.stringify(part)));
  return [...message.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(json)), ...json, ...message.buffers];
}

export function newHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: 'pathlens', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

/** Binary payloads from user code (any view or ArrayBuffer) as Buffers, without copying. */
export function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  throw new TypeError(`buffers: expected ArrayBuffer or a typed array, got ${typeof data}`);
}
