/**
 * SHA-256 of a text, as hex: block checksums, deterministic ids. Node's
 * one-shot `crypto.hash` (20.12+) hashes a short text several times faster
 * than a `createHash` object, and parsing hashes every block twice; older
 * runtimes (an editor's embedded Node) fall back to `createHash`.
 */
import crypto, { createHash } from 'node:crypto';

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}
