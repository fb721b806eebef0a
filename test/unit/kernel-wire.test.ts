import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { decode, encode, newHeader, REMEMBERED_SIGNATURES, Signer, WireError, type Message } from '../../kernel-ext/wire.js';

const signer = new Signer('secret-key');

function message(buffers: Buffer[] = []): Message {
  return { identities: [Buffer.from('client-1')], header: newHeader('comm_msg', 's1'), parent_header: {}, metadata: { m: 1 }, content: { comm_id: 'c', data: { x: 1 } }, buffers };
}

test('frames round-trip, and the HMAC covers the four JSON frames but not the buffers', () => {
  const sent = message([Buffer.from([1, 2, 3]), Buffer.from('tail')]);
  const frames = encode(sent, signer);
  assert.equal(frames[1].toString(), '<IDS|MSG>');
  const expected = createHmac('sha256', 'secret-key');
  for (const f of frames.slice(3, 7)) expected.update(f);
  assert.equal(frames[2].toString(), expected.digest('hex'));
  const got = decode(frames, signer);
  assert.deepEqual(got.content, sent.content);
  assert.deepEqual(got.buffers.map((b) => [...b]), [[1, 2, 3], [...Buffer.from('tail')]]);
  assert.deepEqual(got.identities.map(String), ['client-1']);
  // Changing a buffer keeps the signature valid; changing the content does not.
  frames[7] = Buffer.from([9]);
  const receiver = new Signer('secret-key'); // another receiver: the first has seen this signature
  assert.deepEqual([...decode(frames, receiver).buffers[0]], [9]);
  frames[6] = Buffer.from(JSON.stringify({ comm_id: 'c', data: { x: 2 } }));
  assert.throws(() => decode(frames, new Signer('secret-key')), (e: unknown) => e instanceof WireError && /invalid signature/.test(e.message));
});

test('a replayed message (a signature seen before) is refused; the memory of signatures is bounded', () => {
  const receiver = new Signer('secret-key');
  const frames = encode(message(), signer);
  decode(frames, receiver);
  assert.throws(() => decode(frames, receiver), (e: unknown) => e instanceof WireError && /duplicate signature/.test(e.message));
  assert.doesNotThrow(() => decode(encode(message(), signer), receiver), 'a new message (new msg_id) is fresh');
  const bounded = new Signer('k');
  for (let i = 0; i <= REMEMBERED_SIGNATURES; i++) bounded.fresh(`sig-${i}`);
  assert.equal(bounded.fresh('sig-0'), true, 'the oldest signature was forgotten');
  assert.equal(bounded.fresh(`sig-${REMEMBERED_SIGNATURES}`), false);
});

test('malformed frames are WireErrors with a reason', () => {
  assert.throws(() => decode([Buffer.from('junk')], signer), /no <IDS\|MSG> delimiter/);
  assert.throws(() => decode([Buffer.from('<IDS|MSG>'), Buffer.from('sig')], signer), /expected 5 frames/);
  const unsigned = new Signer('');
  const frames = encode(message(), unsigned);
  frames[3] = Buffer.from('[1, 2]');
  assert.throws(() => decode(frames, unsigned), /header: expected a JSON object/);
  frames[3] = Buffer.from('{not json');
  assert.throws(() => decode(frames, unsigned), /header: not JSON/);
  assert.throws(() => new Signer('k', 'md5'), /unsupported signature_scheme/);
});
