import { createRequire } from 'node:module';
import { Chunker } from 'neo4j-driver-bolt-connection/lib/channel/chunking.js';
import { describe, expect, it } from 'vitest';
import { BOLT_CHUNK_BYTES, widenBoltChunks } from './boltChunks';

interface Written {
  length: number;
  getUInt8(position: number): number;
}

/** What a chunker hands the socket for `bytes` bytes of one message, as buffers. */
function send(bytes: number): Written[] {
  const written: Written[] = [];
  const chunker = new Chunker({ write: (buffer) => void written.push(buffer as Written) });
  for (let i = 0; i < bytes; i++) chunker.writeUInt8(i % 251);
  chunker.messageBoundary();
  chunker.flush();
  return written;
}

/** The message back from Bolt's framing: chunks of a 16-bit size and that many bytes, ended by a zero size. */
function reassemble(written: Written[]): { message: number[]; chunks: number[] } {
  const stream: number[] = [];
  for (const w of written) for (let i = 0; i < w.length; i++) stream.push(w.getUInt8(i));
  const message: number[] = [];
  const chunks: number[] = [];
  for (let at = 0; ; ) {
    const size = (stream[at] << 8) | stream[at + 1];
    at += 2;
    if (size === 0) {
      expect(at).toBe(stream.length);
      return { message, chunks };
    }
    chunks.push(size);
    message.push(...stream.slice(at, at + size));
    at += size;
  }
}

describe('Bolt chunks', () => {
  it('patch the chunker neo4j-driver itself loads', () => {
    const fromDriver = createRequire(createRequire(import.meta.url).resolve('neo4j-driver'));
    const fromHere = createRequire(import.meta.url);
    const path = 'neo4j-driver-bolt-connection/lib/channel/chunking.js';
    expect(fromDriver.resolve(path)).toBe(fromHere.resolve(path));
  });

  it('are up to 64 KB once widened, and the message arrives whole', () => {
    const bytes = 200_000;
    const narrow = send(bytes);
    widenBoltChunks();
    widenBoltChunks(); // idempotent
    const wide = send(bytes);
    expect(narrow.length).toBeGreaterThan(100); // the driver's 1,400-byte chunks, one socket write each
    expect(wide.length).toBe(Math.ceil(bytes / (BOLT_CHUNK_BYTES - 2)));
    const { message, chunks } = reassemble(wide);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(65_535);
    expect(message.length).toBe(bytes);
    expect(message.every((b, i) => b === i % 251)).toBe(true);
  });
});
