import { sha256 } from '../hash';

/**
 * A deterministic UUID (RFC 4122 layout, version 5 style) for the n-th block
 * of a document with a given content checksum: a fresh parse of unchanged
 * text gives the same ids, so `kos sync` run twice writes nothing new.
 */
export function blockId(uri: string, checksum: string, occurrence: number): string {
  return uuidFrom(`block\0${uri}\0${checksum}\0${occurrence}`);
}

/**
 * A UUID from the first 16 bytes of the key's SHA-256, with the version (5)
 * and RFC 4122 variant bits set. Joined (one flat string): a template
 * literal made a tree of six strings per id, and a document keeps ~80 ids.
 */
export function uuidFrom(key: string): string {
  const hex = sha256(key);
  return [hex.slice(0, 8), hex.slice(8, 12), `5${hex.slice(13, 16)}`, VARIANT[hex[16]] + hex.slice(17, 20), hex.slice(20, 32)].join('-');
}

/** A hex digit → the same digit with the variant bits set (`10xx`). */
const VARIANT: Record<string, string> = Object.fromEntries([...'0123456789abcdef'].map((d) => [d, ((parseInt(d, 16) & 0x3) | 0x8).toString(16)]));
