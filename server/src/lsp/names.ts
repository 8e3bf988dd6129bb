/**
 * The names a document at rest writes (its occurrences), kept compact: a
 * table of its strings and one run of numbers per place, instead of two
 * objects per place (an occurrence and its span). A 10,000-file workspace
 * writes ~570,000 names; as objects they were ~80 MB of the server's heap.
 * Its block and molecule ids (UUIDs, ~80 per document) are one string, each
 * UUID as its 16 bytes (`packIds`), as are the strings read only to make an
 * answer (names as written, `packMore`), and its numbers a run of bytes,
 * each number in as few as it needs (`packPlaces`). Occurrences are made
 * again, for one key or all, when a question needs them.
 */
import type { Occurrence, OccurrenceKind } from './knowledge';

/**
 * Strings numbered from 0: those in `list` first (what is looked up or
 * searched: keys, lower-case forms), then those in `more`, joined with NUL
 * characters (which no name, title or path holds), read with `stringAt`.
 * One string instead of ~60 saves ~1.8 KB per document at rest. A string
 * of `more` that is one of `list` with some letters in capitals (a name
 * as written, `Effective Date 12`, and its key, `effective date 12`) may
 * be kept as which one and where (`packMore`).
 */
export interface PackedStrings {
  readonly list: readonly string[];
  readonly more: string;
}

export const SEPARATOR = '\0';

/** String `i` of a table; `more` split once per reader when given (several reads). */
export function stringAt(strings: PackedStrings, i: number, more?: { split?: string[] }): string {
  if (i < strings.list.length) return strings.list[i];
  const entry = more
    ? (more.split ??= strings.more.split(SEPARATOR))[i - strings.list.length]
    : strings.more.split(SEPARATOR, i - strings.list.length + 1)[i - strings.list.length];
  return entry.charCodeAt(0) === CASED ? uncased(entry, strings.list) : entry;
}

/** A table of `list`, and of `more` joined. */
export function packStrings(list: readonly string[], more: readonly string[] = []): PackedStrings {
  return { list, more: more.join(SEPARATOR) };
}

/**
 * `more` (strings joined with NULs) with each string that is one of `list`
 * with some of its letters in capitals kept as a mark, the number of that
 * string and the places of the capitals, as one-byte characters (a
 * 10,000-file workspace's names as written and containers: 17.7 MB of the
 * server's heap, ~6 MB so). Strings that do not fit that, or would not be
 * shorter, stay as they are; one that begins with the mark is escaped.
 */
export function packMore(list: readonly string[], more: string): string {
  if (more === '') return more;
  const parts = more.split(SEPARATOR);
  let numbers: Map<string, number> | null = null;
  let changed = false;
  for (let j = 0; j < parts.length; j++) {
    const written = parts[j];
    if (written.charCodeAt(0) === CASED) {
      parts[j] = ESCAPED + written;
      changed = true;
      continue;
    }
    const lower = written.toLowerCase();
    if (lower === written || lower.length !== written.length) continue;
    numbers ??= new Map(list.map((s, i) => [s, i]));
    const n = numbers.get(lower);
    if (n === undefined || n + 1 > BYTE) continue;
    const codes = [CASED, n + 1];
    for (let c = 0; c < written.length && codes.length < written.length; c++) if (written.charCodeAt(c) !== lower.charCodeAt(c)) codes.push(c + 1);
    if (codes.length >= written.length || codes[codes.length - 1] > BYTE) continue;
    const encoded = String.fromCharCode(...codes);
    if (uncased(encoded, list) !== written) continue;
    parts[j] = encoded;
    changed = true;
  }
  return changed ? parts.join(SEPARATOR) : more;
}

/** The mark of a string kept by `packMore`; followed by `ESCAPE`: a string that began with the mark, kept as it is. */
const CASED = 0x01;
const ESCAPE = 0xff;
const ESCAPED = String.fromCharCode(CASED, ESCAPE);
/** Numbers and places above a byte would make the whole joined string two bytes a character. */
const BYTE = 0xfe;

function uncased(entry: string, list: readonly string[]): string {
  if (entry.charCodeAt(1) === ESCAPE) return entry.slice(2);
  const base = list[entry.charCodeAt(1) - 1];
  const parts: string[] = [];
  let from = 0;
  for (let k = 2; k < entry.length; k++) {
    const at = entry.charCodeAt(k) - 1;
    parts.push(base.slice(from, at), base[at].toUpperCase());
    from = at + 1;
  }
  parts.push(base.slice(from));
  return parts.join('');
}

export interface PackedNames {
  /** Keys (in `list`) and names as written, each once. */
  readonly strings: PackedStrings;
  /** Block and molecule ids, each once (`packIds`). */
  readonly ids: string;
  /**
   * Per place (`STRIDE` numbers): key, name (into `strings`), kind, block id (into `ids`), span start and end,
   * offset, molecule id (into `ids`, plus one; 0: none); as `packPlaces` keeps them.
   */
  readonly places: Uint8Array;
}

const STRIDE = 8;

const KINDS: readonly OccurrenceKind[] = ['definition', 'reference', 'operand', 'table-header'];

/** A table that numbers its strings in the order first seen. */
export function stringTable(): { list: string[]; id: (value: string) => number } {
  const list: string[] = [];
  const at = new Map<string, number>();
  return {
    list,
    id(value) {
      let i = at.get(value);
      if (i === undefined) at.set(value, (i = list.push(value) - 1));
      return i;
    },
  };
}

/** The numbers of `occurrences`, with their strings and ids numbered in `strings` and `ids`. */
export function placesOf(occurrences: readonly Occurrence[], strings: (s: string) => number, ids: (s: string) => number): number[] {
  const out = new Array<number>(occurrences.length * 8);
  let i = 0;
  for (const x of occurrences) {
    out[i++] = strings(x.key);
    out[i++] = strings(x.name);
    out[i++] = KINDS.indexOf(x.kind);
    out[i++] = ids(x.blockId);
    out[i++] = x.span.start;
    out[i++] = x.span.end;
    out[i++] = x.offset;
    out[i++] = x.moleculeId === undefined ? 0 : ids(x.moleculeId) + 1;
  }
  return out;
}

/** Numbers none of which is negative, in 16 bits each when they all fit. */
export function compactInts(values: readonly number[]): Uint16Array | Int32Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max <= 0xffff ? Uint16Array.from(values) : Int32Array.from(values);
}

/** Ids, one per line (a block or molecule id holds no line break). */
export function joinIds(ids: readonly string[]): string {
  return ids.join('\n');
}

/**
 * Ids joined one per line (`joinIds`), kept in half the memory when each is
 * a UUID in lower-case hex (a block's: `blockId`), perhaps with a suffix
 * (a molecule's, `…#unless1`): a mark, then per id its 16 bytes as one-byte
 * characters, its suffix and a line break. 780,000 ids of a 10,000-file
 * workspace took 25 MB of the server's heap at 37 bytes each, ~12 MB so.
 * Others stay as they are.
 */
export function packIds(joined: string): string {
  if (joined === '') return joined;
  const out: string[] = [PACKED];
  let at = 0;
  while (at <= joined.length) {
    let end = joined.indexOf('\n', at);
    if (end === -1) end = joined.length;
    const bytes = uuidBytes(joined, at);
    if (bytes === null) return joined;
    const suffix = joined.slice(at + UUID_LENGTH, end);
    if (suffix !== '' && suffix[0] !== '#') return joined;
    out.push(bytes, suffix, '\n');
    at = end + 1;
  }
  return out.join('');
}

/** The ids of `packIds`' string, in order. */
export function idsOf(ids: string): string[] {
  if (ids === '') return [];
  if (ids[0] !== PACKED) return ids.split('\n');
  const out: string[] = [];
  const parts: string[] = [];
  for (let at = 1; at < ids.length; ) {
    // The 16 bytes may be line breaks: the id's line break is the first after them.
    const end = ids.indexOf('\n', at + 16);
    parts.length = 0;
    for (let i = 0; i < 16; i++) {
      parts.push(HEX[ids.charCodeAt(at + i)]);
      if (i === 3 || i === 5 || i === 7 || i === 9) parts.push('-');
    }
    parts.push(ids.slice(at + 16, end));
    // Joined: one flat string (concatenation would make a tree of them).
    out.push(parts.join(''));
    at = end + 1;
  }
  return out;
}

/** Marks a packed string of ids: no id begins with it. */
const PACKED = '\u0001';
const UUID_LENGTH = 36;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The 16 bytes, as one-byte characters, of the lower-case UUID at `at`, or null. */
function uuidBytes(s: string, at: number): string | null {
  if (s.length < at + UUID_LENGTH) return null;
  let out = '';
  let i = at;
  for (let b = 0; b < 16; b++) {
    if (b === 4 || b === 6 || b === 8 || b === 10) {
      if (s.charCodeAt(i) !== 0x2d) return null;
      i++;
    }
    const high = hexDigit(s.charCodeAt(i));
    const low = hexDigit(s.charCodeAt(i + 1));
    if (high < 0 || low < 0) return null;
    out += String.fromCharCode((high << 4) | low);
    i += 2;
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * The numbers of places (`placesOf`) as a run of bytes: each number in as
 * few bytes as it needs (seven bits each, LEB128), a span's end as its
 * length and an offset as the distance from the last place's (zigzag: it
 * may be negative). Most numbers of a place are below 128: ~8 bytes a
 * place instead of 16 as 16-bit numbers (21 MB of the server's memory for
 * the names of a 10,000-file workspace, ~11 MB so).
 */
export function packPlaces(values: ArrayLike<number>): Uint8Array {
  const out: number[] = [];
  const put = (n: number) => {
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
  };
  let offset = 0;
  for (let i = 0; i + STRIDE <= values.length; i += STRIDE) {
    put(values[i]);
    put(values[i + 1]);
    put(values[i + 2]);
    put(values[i + 3]);
    put(values[i + 4]);
    put(zigzag(values[i + 5] - values[i + 4]));
    put(zigzag(values[i + 6] - offset));
    offset = values[i + 6];
    put(values[i + 7]);
  }
  return Uint8Array.from(out);
}

/** The numbers `packPlaces` was given, place by place: `each` is called with a reused array of `STRIDE`. */
function eachPlace(bytes: Uint8Array, each: (place: readonly number[]) => void): void {
  const place = new Array<number>(STRIDE).fill(0);
  let at = 0;
  const get = () => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  };
  let offset = 0;
  while (at < bytes.length) {
    for (let j = 0; j < 5; j++) place[j] = get();
    place[5] = place[4] + unzigzag(get());
    place[6] = offset = offset + unzigzag(get());
    place[7] = get();
    each(place);
  }
}

const zigzag = (n: number) => (n < 0 ? -2 * n - 1 : 2 * n);
const unzigzag = (n: number) => (n % 2 === 1 ? -(n + 1) / 2 : n / 2);

export function pack(occurrences: readonly Occurrence[]): PackedNames {
  const strings = stringTable();
  const ids = stringTable();
  const places = packPlaces(placesOf(occurrences, strings.id, ids.id));
  return { strings: packStrings(strings.list), ids: packIds(joinIds(ids.list)), places };
}

/** The document's occurrences (of `key` only, if given), in document order. */
export function unpack(names: PackedNames, uri: string, key?: string): Occurrence[] {
  const { strings, places } = names;
  const k = key === undefined ? -1 : strings.list.indexOf(key);
  if (key !== undefined && k === -1) return [];
  const out: Occurrence[] = [];
  let ids: string[] | null = null;
  const more: { split?: string[] } = {};
  eachPlace(places, (p) => {
    if (k !== -1 && p[0] !== k) return;
    ids ??= idsOf(names.ids);
    const m = p[7] - 1;
    const occurrence: Occurrence = {
      uri,
      key: strings.list[p[0]],
      name: stringAt(strings, p[1], more),
      kind: KINDS[p[2]],
      blockId: ids[p[3]],
      span: { start: p[4], end: p[5] },
      offset: p[6],
    };
    if (m >= 0) occurrence.moleculeId = ids[m];
    out.push(occurrence);
  });
  return out;
}
