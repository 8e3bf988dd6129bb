/** Content checksums: SHA-256 of a canonical JSON form (object keys sorted), as `sync_state.postgres_checksum` stores them. */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function checksum(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

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
