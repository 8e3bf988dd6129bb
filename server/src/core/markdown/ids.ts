import { createHash } from 'node:crypto';

/**
 * A deterministic UUID (RFC 4122 layout, version 5 style) for the n-th block
 * of a document with a given content checksum: a fresh parse of unchanged
 * text gives the same ids, so `kos sync` run twice writes nothing new.
 */
export function blockId(uri: string, checksum: string, occurrence: number): string {
  return uuidFrom(`block\0${uri}\0${checksum}\0${occurrence}`);
}

export function uuidFrom(key: string): string {
  const h = createHash('sha256').update(key).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
