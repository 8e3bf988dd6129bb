/** Canonical JSON (object keys sorted) and checksums of it; the writer's row lines write JSON values this way (writer.ts, `rowLine`). */
import { sha256 } from '../core/hash';

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
  if (value !== null && typeof value === 'object' && canonicalTrees.has(value)) return JSON.stringify(value);
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
  if (indices === 0) return sortStrings(keys);
  return keys.slice(0, indices).concat(sortStrings(keys.slice(indices)));
}

/**
 * `keys.sort()`, in place. Objects have a few keys, and `Array.prototype.sort`
 * allocates its work space at every call: sorting the keys of a sync's
 * records and rule configurations was a quarter of the writer's allocation.
 * Insertion sort compares as `sort` does (by UTF-16 code units).
 */
function sortStrings(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
}

/** Values made by `canonicalCopy`: their `JSON.stringify` is their canonical JSON. */
const canonicalTrees = new WeakSet<object>();

/**
 * A deep copy of `value` whose objects have their keys in canonical order
 * (as `canonicalJson` sorts them), so that `canonicalJson` of it, and of any
 * record holding it, is `JSON.stringify`'s, several times faster. Members
 * named in `omit` are left out, at every depth. `toJSON` is applied as
 * `canonicalJson` applies it. A value holding anything but plain objects,
 * arrays and JSON scalars is copied as it is (and checksummed the slow way).
 * The copy must not be mutated.
 */
export function canonicalCopy<T>(value: T, omit?: ReadonlySet<string>): T {
  const copy = copyTree(value, '', omit);
  if (copy === NOT_PLAIN) return omit ? (stripKeys(value, omit) as T) : value;
  if (copy !== null && typeof copy === 'object') canonicalTrees.add(copy);
  return copy as T;
}

/**
 * `record` with its keys in canonical order; when each member is a scalar,
 * a `canonicalCopy` or an array of scalars, `canonicalJson` of it is its
 * `JSON.stringify` (otherwise it is computed the slow way). A row record: it
 * must not be mutated.
 */
export function canonicalRecord<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  let plain = true;
  for (const k of sortedKeys(record)) {
    const v = (record as Record<string, unknown>)[k];
    if (plain && !isCanonicalMember(v)) plain = false;
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  if (plain) canonicalTrees.add(out);
  return out as T;
}

function isCanonicalMember(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'bigint';
  if (canonicalTrees.has(v)) return true;
  return Array.isArray(v) && v.every((x) => x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean');
}

const NOT_PLAIN = Symbol('not plain');

function copyTree(value: unknown, key: string, omit: ReadonlySet<string> | undefined): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? NOT_PLAIN : value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') value = (value as { toJSON(key: string): unknown }).toJSON(key);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? NOT_PLAIN : value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = copyTree(value[i], String(i), omit);
      if (v === NOT_PLAIN) return NOT_PLAIN;
      out[i] = v;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(value)) {
    if (omit?.has(k)) continue;
    const v = copyTree((value as Record<string, unknown>)[k], k, omit);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    // A "__proto__" member is an own property, as JSON.parse makes it.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** `value` without the members named in `omit`, at every depth (the copy of a value `canonicalCopy` cannot order). */
function stripKeys(value: unknown, omit: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => stripKeys(v, omit));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (omit.has(k)) continue;
      if (k === '__proto__') Object.defineProperty(copy, k, { value: stripKeys(v, omit), enumerable: true, writable: true, configurable: true });
      else copy[k] = stripKeys(v, omit);
    }
    return copy;
  }
  return value;
}

export function checksum(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** `checksum` of a value whose canonical JSON is already at hand. */
export { sha256 };

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
