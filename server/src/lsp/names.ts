/**
 * The names a document at rest writes (its occurrences), kept compact: a
 * table of its strings and one run of numbers per place, instead of two
 * objects per place (an occurrence and its span). A 10,000-file workspace
 * writes ~570,000 names; as objects they were ~80 MB of the server's heap.
 * Its block and molecule ids (UUIDs, ~80 per document) are one string, as
 * are the strings read only to make an answer (names as written), and its
 * numbers 16-bit when they fit (a document under 64 KB). Occurrences are
 * made again, for one key or all, when a question needs them.
 */
import type { Occurrence, OccurrenceKind } from './knowledge';

/**
 * Strings numbered from 0: those in `list` first (what is looked up or
 * searched: keys, lower-case forms), then those in `more`, joined with NUL
 * characters (which no name, title or path holds), read with `stringAt`.
 * One string instead of ~60 saves ~1.8 KB per document at rest.
 */
export interface PackedStrings {
  readonly list: readonly string[];
  readonly more: string;
}

export const SEPARATOR = '\0';

/** String `i` of a table; `more` split once per reader when given (several reads). */
export function stringAt(strings: PackedStrings, i: number, more?: { split?: string[] }): string {
  if (i < strings.list.length) return strings.list[i];
  if (more) return (more.split ??= strings.more.split(SEPARATOR))[i - strings.list.length];
  return strings.more.split(SEPARATOR, i - strings.list.length + 1)[i - strings.list.length];
}

/** A table of `list`, and of `more` joined. */
export function packStrings(list: readonly string[], more: readonly string[] = []): PackedStrings {
  return { list, more: more.join(SEPARATOR) };
}

export interface PackedNames {
  /** Keys (in `list`) and names as written, each once. */
  readonly strings: PackedStrings;
  /** Block and molecule ids, each once, one per line. */
  readonly ids: string;
  /** Per place (`STRIDE` numbers): key, name (into `strings`), kind, block id (into `ids`), span start and end, offset, molecule id (into `ids`, plus one; 0: none). */
  readonly places: Uint16Array | Int32Array;
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
  const out: number[] = [];
  for (const x of occurrences) {
    out.push(strings(x.key), strings(x.name), KINDS.indexOf(x.kind), ids(x.blockId), x.span.start, x.span.end, x.offset, x.moleculeId === undefined ? 0 : ids(x.moleculeId) + 1);
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

export function pack(occurrences: readonly Occurrence[]): PackedNames {
  const strings = stringTable();
  const ids = stringTable();
  const places = compactInts(placesOf(occurrences, strings.id, ids.id));
  return { strings: packStrings(strings.list), ids: joinIds(ids.list), places };
}

/** The document's occurrences (of `key` only, if given), in document order. */
export function unpack(names: PackedNames, uri: string, key?: string): Occurrence[] {
  const { strings, places } = names;
  const k = key === undefined ? -1 : strings.list.indexOf(key);
  if (key !== undefined && k === -1) return [];
  const out: Occurrence[] = [];
  let ids: string[] | null = null;
  const more: { split?: string[] } = {};
  for (let i = 0; i < places.length; i += STRIDE) {
    if (k !== -1 && places[i] !== k) continue;
    ids ??= names.ids.split('\n');
    const m = places[i + 7] - 1;
    const occurrence: Occurrence = {
      uri,
      key: strings.list[places[i]],
      name: stringAt(strings, places[i + 1], more),
      kind: KINDS[places[i + 2]],
      blockId: ids[places[i + 3]],
      span: { start: places[i + 4], end: places[i + 5] },
      offset: places[i + 6],
    };
    if (m >= 0) occurrence.moleculeId = ids[m];
    out.push(occurrence);
  }
  return out;
}
