/**
 * neo4j-driver sends a Bolt message in chunks of at most 1,400 bytes, each
 * handed to the socket on its own: a constant of its `Chunker`, chosen in
 * 2015 to fit one TCP packet; the protocol allows 65,535. A sync sends
 * megabytes of parameters (~60 KB per generated document), so that was
 * ~45,000 socket writes per 1,000 documents and as many chunks for Neo4j to
 * take apart. With 64 KB chunks the same 1,000-document write took 2.2–2.6 s
 * of Node's CPU instead of 3.1–3.6 s and ~1 s less of Neo4j's
 * (docs/benchmarks.md, ninth session).
 *
 * The driver has no option for it. The `Chunker` constructor assigns its
 * buffer size to `this._bufferSize` and allocates that much right after; an
 * accessor on its prototype receives the assignment and raises the size.
 * `boltChunks.test.ts` checks that the driver's own copy of the class is
 * the one changed, so that an upgrade that moves or renames it fails there.
 */
import * as chunking from 'neo4j-driver-bolt-connection/lib/channel/chunking.js';

/** The largest chunk Bolt allows (its size is an unsigned 16-bit number), header included in the buffer. */
export const BOLT_CHUNK_BYTES = 65_535;

const size = Symbol('bufferSize');

/** Makes every Bolt chunker made from now on use `BOLT_CHUNK_BYTES`; idempotent. */
export function widenBoltChunks(): void {
  const proto = (chunking as { Chunker?: { prototype: object } }).Chunker?.prototype;
  if (!proto || Object.getOwnPropertyDescriptor(proto, '_bufferSize')) return;
  Object.defineProperty(proto, '_bufferSize', {
    configurable: true,
    get(this: { [size]?: number }) {
      return this[size];
    },
    set(this: { [size]?: number }, requested: number) {
      this[size] = Math.max(requested || 0, BOLT_CHUNK_BYTES);
    },
  });
}
