/** Content checksums: SHA-256 of a canonical JSON form (object keys sorted), as `sync_state.postgres_checksum` stores them. */
import crypto, { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return canonical(value, '') as string;
}

/**
 * `JSON.stringify(value, sortKeys)` in one pass, without building a sorted
 * copy of every object (the writer checksums every row). Exactly the same
 * text: `toJSON` is honoured, undefined members are left out (null in
 * arrays), and keys come in the order such a sorted copy would have, array
 * indices ("0", "12") first in numeric order, then the rest sorted.
 */
function canonical(value: unknown, key: string): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify does
    default:
      return undefined; // undefined, functions, symbols
  }
}

function canonicalArray(array: unknown[]): string {
  let out = '[';
  for (let i = 0; i < array.length; i++) out += (i > 0 ? ',' : '') + (canonical(array[i], String(i)) ?? 'null');
  return out + ']';
}

function canonicalObject(object: Record<string, unknown>): string {
  let out = '{';
  for (const k of sortedKeys(object)) {
    const v = canonical(object[k], k);
    if (v !== undefined) out += (out.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + v;
  }
  return out + '}';
}

/** Own keys list array indices first (ascending) then the others: only the others need sorting. */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  let indices = 0;
  while (indices < keys.length && isArrayIndex(keys[indices])) indices++;
  if (indices === 0) return keys.sort();
  return keys.slice(0, indices).concat(keys.slice(indices).sort());
}

function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
}

export function checksum(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** `checksum` of a value whose canonical JSON is already at hand. */
export function sha256(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}

/**
 * `crypto.hash` (Node 20.12+) hashes a short text several times faster than
 * a `createHash` object; older runtimes (VS Code's Electron) lack it.
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * PostgreSQL text cannot hold U+0000, and JSONB rejects lone UTF-16
 * surrogates: both become U+FFFD (in strings and object keys, deeply).
 * Everything else is kept verbatim.
 */
export function pgSafe<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(pgSafe) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgSafe(k), pgSafe(v)])) as T;
  }
  return value;
}
