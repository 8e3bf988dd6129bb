/**
 * The text of a document at rest (no snapshot), kept deflated. A workspace's
 * text was the largest part of what the server holds of its resting
 * documents (52 MB of a 10,000-file workspace, for a few hundred bytes of
 * names each), and it is read again only to parse such a document (a
 * question about it, a check of its domain, a range in it): inflating costs
 * ~20 µs of the parse's milliseconds. Deflating costs ~35 µs per 5 KB file;
 * the index workers deflate what they parse.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** A text as it is, or deflated (`deflateText`). */
export type StoredText = string | Uint8Array;

export function deflateText(text: string): Uint8Array {
  // Copied: zlib's result is a view of its (16 KB) output chunk.
  return new Uint8Array(deflateRawSync(text, { level: 1 }));
}

export function textOf(stored: StoredText): string {
  return typeof stored === 'string' ? stored : inflateRawSync(stored).toString('utf8');
}
