/**
 * Go to symbol in workspace (workspace/symbol): a fuzzy search over atom
 * names (every domain; the domain is the container), document titles and
 * headings. Results are ranked — exact, prefix, word starts (`wr` and
 * `with rate` find "Withholding Rate"), substring, subsequence — then
 * shorter names first, and capped.
 *
 * Fast on large workspaces: each document's searchable entries (normalised
 * names with a bit mask of their letters, offsets) are computed once per
 * version and kept with it (`KnowledgeBase.derived`, also while its snapshot
 * is let go of) as a run of numbers and a table of strings (`SymbolTable`),
 * so a query walks plain arrays and never re-reads an unchanged document. A
 * name lacking one of the query's letters is rejected by the mask alone; the
 * best results are kept in a bounded sorted list (no sort of every match),
 * and once it is full the costlier tests are skipped for names that could
 * only rank below it. Ranges are computed only for what is returned.
 */
import { SymbolKind, type CancellationToken, type SymbolInformation } from 'vscode-languageserver/node';
import { blockStart, type DocumentSnapshot } from '../../core/document';
import type { Span } from '../../core/model';
import type { Feature } from '../context';
import { occurrencesOf, type KnowledgeBase, type Occurrence } from '../knowledge';
import { compactInts, packStrings, stringAt, stringTable, type PackedStrings } from '../names';
import { shortPath } from './atomAt';

export const workspaceSymbolsFeature: Feature = {
  name: 'workspaceSymbols',
  capabilities: { workspaceSymbolProvider: true },
  register(ctx) {
    ctx.kb.keepDerived(ENTRIES, entriesOf);
    ctx.connection.onWorkspaceSymbol(({ query }, token) => searchSymbols(ctx.kb, query, { token }));
  },
};

/** At most this many results (editors show a short list; typing narrows it). */
export const MAX_RESULTS = 200;

/** One searchable name of a document. */
export interface SymbolEntry {
  name: string;
  /** Normalised (lower case, single spaces): what queries match. */
  lower: string;
  /** The letters and digits in `lower` (see `charMask`): a query needing a character the name lacks is rejected in one step. */
  mask: number;
  kind: SymbolKind;
  containerName: string;
  /** Where the name starts and ends in the document. */
  start: number;
  end: number;
  /**
   * For atoms: whether this place defines it or uses it. An atom used in many
   * files is listed once (`atomId`: its domain is `containerName`, its key `lower`).
   */
  atom?: 'defined' | 'used';
}

/**
 * A document's entries, compact (tens of thousands of documents keep them):
 * `ENTRY` numbers per entry — name, lower, container (into `names`; every
 * lower in its `list`, which the search reads), mask (its low and high 16
 * bits), kind, start, end, atom (`ATOM`) — in 16 bits each when they fit
 * (`compactInts`: a document under 64 KB).
 */
export interface SymbolTable {
  readonly names: PackedStrings;
  readonly entries: Uint16Array | Int32Array;
}

export const ENTRY = 9;

/** `SymbolEntry.atom` by its number in a `SymbolTable`. */
const ATOM: readonly (SymbolEntry['atom'] | undefined)[] = [undefined, 'defined', 'used'];

/** The entry at `i` of a table. */
function entryAt({ names, entries: e }: SymbolTable, i: number): SymbolEntry {
  const mask = e[i + 3] | (e[i + 4] << 16);
  const entry: SymbolEntry = {
    name: stringAt(names, e[i]),
    lower: names.list[e[i + 1]],
    containerName: stringAt(names, e[i + 2]),
    mask,
    kind: e[i + 5] as SymbolKind,
    start: e[i + 6],
    end: e[i + 7],
  };
  const atom = ATOM[e[i + 8]];
  if (atom) entry.atom = atom;
  return entry;
}

interface AtomPlace {
  key: string;
  defined: boolean;
}

function atomId(entry: SymbolEntry): string | undefined {
  return entry.atom ? `${entry.containerName}\0${entry.lower}` : undefined;
}

/** What `KnowledgeBase.derived` keeps the entries under (the indexer's workers compute them too: `indexWorkers.ts`). */
export const ENTRIES = {};

/** A document's searchable names: its title, its headings (but the H1 the title comes from) and its atoms, each once. */
export function entriesOf(doc: DocumentSnapshot): SymbolTable {
  const { names, entries } = entryNumbers(doc);
  return { names: packStrings(names), entries: compactInts(entries) };
}

/** `entriesOf`'s strings and numbers as plain lists (the index workers number the strings again, in a record's one table). */
export function entryNumbers(doc: DocumentSnapshot): { names: string[]; entries: number[] } {
  const names = stringTable();
  const out: number[] = [];
  const add = (name: string, kind: SymbolKind, containerName: string, blockId: string | null, span: Span, atom?: AtomPlace) => {
    if (name === '') return;
    const lower = atom ? atom.key : normalize(name);
    const base = blockId === null ? 0 : (blockStart(doc, blockId) ?? 0);
    const mask = charMask(lower);
    out.push(names.id(name), names.id(lower), names.id(containerName), mask & 0xffff, mask >>> 16, kind, base + span.start, base + span.end, atom ? (atom.defined ? 1 : 2) : 0);
  };
  const file = shortPath(doc.uri);
  const titleHeading = doc.blocks.find((b) => b.type === 'heading_1' && b.text.trim() === doc.title);
  if (titleHeading) add(doc.title, SymbolKind.File, file, titleHeading.id, ownSpan(titleHeading));
  else add(doc.title, SymbolKind.File, file, null, { start: 0, end: 0 });
  for (const b of doc.blocks) {
    if (b !== titleHeading && (b.type === 'heading_1' || b.type === 'heading_2' || b.type === 'heading_3')) {
      add(b.text.replace(/\s+/g, ' ').trim(), SymbolKind.Namespace, doc.title, b.id, ownSpan(b));
    }
  }
  // Each atom once per document: at its (first) definition when the document has one, else where it is first written.
  const atoms = new Map<string, Occurrence>();
  for (const o of occurrencesOf(doc)) {
    const seen = atoms.get(o.key);
    if (!seen || (seen.kind !== 'definition' && o.kind === 'definition')) atoms.set(o.key, o);
  }
  // Where definitions with a value write their names (offsets in the document, as occurrences have them).
  const valued = new Set<number>();
  for (const d of doc.definitions) if (d.value !== null) valued.add((blockStart(doc, d.blockId) ?? 0) + d.nameSpan.start);
  for (const o of atoms.values()) {
    const defined = o.kind === 'definition';
    const kind = defined && valued.has(o.offset) ? SymbolKind.Constant : SymbolKind.Variable;
    add(o.name, kind, doc.domain, o.blockId, o.span, { key: o.key, defined });
  }
  return { names: names.list, entries: out };
}

interface Match {
  entry: SymbolEntry;
  uri: string;
  tier: number;
}

/** Better first: tier, shorter names, by name, an atom's definition before its uses, then by place. */
function compare(a: Match, b: Match): number {
  return (
    a.tier - b.tier ||
    a.entry.lower.length - b.entry.lower.length ||
    (a.entry.lower < b.entry.lower ? -1 : a.entry.lower > b.entry.lower ? 1 : 0) ||
    usedOnly(a) - usedOnly(b) ||
    (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0) ||
    a.entry.start - b.entry.start
  );
}

/** 1 for an atom this place only uses (ranks after a place that defines it), else 0. */
function usedOnly(m: Match): number {
  return m.entry.atom === 'used' ? 1 : 0;
}

/** The best `limit` matches, sorted; an atom appears once (its best place). */
class Best {
  readonly items: Match[] = [];
  private readonly atoms = new Map<string, Match>();

  constructor(private readonly limit: number) {}

  /** The worst tier that may still enter: the last item's once the list is full. */
  floor(): number {
    return this.items.length < this.limit ? TIER.subsequence : this.items[this.items.length - 1].tier;
  }

  offer(m: Match): void {
    const id = atomId(m.entry);
    const same = id === undefined ? undefined : this.atoms.get(id);
    if (same) {
      if (compare(m, same) >= 0) return;
      this.items.splice(this.items.indexOf(same), 1);
    } else if (this.items.length >= this.limit && compare(m, this.items[this.items.length - 1]) >= 0) {
      return;
    }
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(this.items[mid], m) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, m);
    if (id !== undefined) this.atoms.set(id, m);
    if (this.items.length > this.limit) {
      const dropped = this.items.pop()!;
      const droppedId = atomId(dropped.entry);
      if (droppedId !== undefined) this.atoms.delete(droppedId);
    }
  }
}

export interface SearchOptions {
  limit?: number;
  token?: CancellationToken;
}

/** The symbols matching `query`, best first. */
export function searchSymbols(kb: KnowledgeBase, query: string, options: SearchOptions = {}): SymbolInformation[] {
  const q = normalize(query);
  const compact = q.replace(/ /g, '');
  const qMask = charMask(compact);
  const qLow = qMask & 0xffff;
  const qHigh = qMask >>> 16;
  const best = new Best(options.limit ?? MAX_RESULTS);
  let n = 0;
  for (const uri of kb.uris()) {
    if (++n % 512 === 0 && options.token?.isCancellationRequested) return [];
    const table = kb.derived(uri, ENTRIES, entriesOf);
    if (!table) continue;
    const { names, entries } = table;
    for (let i = 0; i < entries.length; i += ENTRY) {
      if ((entries[i + 3] & qLow) !== qLow || (entries[i + 4] & qHigh) !== qHigh) continue;
      const tier = rank(names.list[entries[i + 1]], q, compact, best.floor());
      if (tier !== null) best.offer({ entry: entryAt(table, i), uri, tier });
    }
  }
  return best.items.map(({ entry, uri }) => ({
    name: entry.name,
    kind: entry.kind,
    containerName: entry.containerName,
    location: { uri, range: kb.rangeOf(uri, entry.start, entry.end) },
  }));
}

export const TIER = { exact: 0, prefix: 1, wordStart: 2, substring: 3, subsequence: 4 } as const;

/**
 * How well `name` (normalised) matches the query (normalised, and without
 * spaces): a TIER, or null for no match — also null when the match could
 * only be worse than `floor` (the list is full of better ones), which
 * spares the costlier tests.
 */
export function rank(name: string, q: string, compact: string, floor: number = TIER.subsequence): number | null {
  if (name === q) return TIER.exact;
  if (name.startsWith(q)) return TIER.prefix;
  if (floor < TIER.wordStart) return null;
  if (wordStartMatch(name, compact)) return TIER.wordStart;
  if (floor < TIER.substring) return null;
  if (name.includes(q)) return TIER.substring;
  if (floor < TIER.subsequence) return null;
  return isSubsequence(compact, name) ? TIER.subsequence : null;
}

/** Bits for a–z and 0–9 (folded onto 26 + n % 6) present in a lower-case text. */
function charMask(lower: string): number {
  let mask = 0;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c >= 97 && c <= 122) mask |= 1 << (c - 97);
    else if (c >= 48 && c <= 57) mask |= 1 << (26 + ((c - 48) % 6));
  }
  return mask;
}

/** Whether the characters of `q` appear in `name` in order. */
export function isSubsequence(q: string, name: string): boolean {
  let i = 0;
  for (let j = 0; i < q.length && j < name.length; j++) if (name.charCodeAt(j) === q.charCodeAt(i)) i++;
  return i === q.length;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** A name's character that begins a word: the first, or one after a character that is not a letter or digit. */
function isWordStart(name: string, i: number): boolean {
  if (i === 0) return true;
  const c = name.charCodeAt(i - 1);
  if (c < 128) return !((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90));
  return !LETTER_OR_DIGIT.test(name[i - 1]);
}

/**
 * Whether the query's characters can be taken from the name in runs that
 * each begin at a word start: `wr`, `withrate`, `withhrat` all match
 * "withholding rate". A search memoised on its failures; names are short.
 */
function wordStartMatch(name: string, q: string): boolean {
  if (q === '') return true;
  if (!hasWordStart(name, q[0])) return false;
  let failed: Set<number> | undefined;
  const go = (qi: number, ni: number, inRun: boolean): boolean => {
    if (qi === q.length) return true;
    const key = (qi * (name.length + 1) + ni) * 2 + (inRun ? 1 : 0);
    if (failed?.has(key)) return false;
    if (inRun && ni < name.length && name[ni] === q[qi] && go(qi + 1, ni + 1, true)) return true;
    for (let j = name.indexOf(q[qi], ni); j !== -1; j = name.indexOf(q[qi], j + 1)) {
      if (isWordStart(name, j) && go(qi + 1, j + 1, true)) return true;
    }
    (failed ??= new Set()).add(key);
    return false;
  };
  return go(0, 0, false);
}

/** Whether some word of the name starts with `ch`. */
function hasWordStart(name: string, ch: string): boolean {
  for (let j = name.indexOf(ch); j !== -1; j = name.indexOf(ch, j + 1)) if (isWordStart(name, j)) return true;
  return false;
}

/** Lower case, whitespace collapsed and trimmed (as atom keys are). */
function normalize(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function ownSpan(b: { span: Span; ownSpan: Span }): Span {
  return { start: b.ownSpan.start - b.span.start, end: b.ownSpan.end - b.span.start };
}

