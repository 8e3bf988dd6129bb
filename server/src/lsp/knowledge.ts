/**
 * What the language server knows: every document of the workspace (open in
 * the editor, read from disk, or synced by colleagues), the core's workspace
 * index with its findings, and an index of atom names to every place they
 * occur (impact questions walk it with the documents: `localImpact.ts`).
 *
 * Edits only mark things stale; the name index catches up when a question
 * needs it, so a keystroke costs the core's incremental work and nothing more.
 */
import { blockById, lineIndex, parseDocument, toRange, type DocumentSnapshot } from '../core/document';
import type { AtomRef, Condition, Finding, Molecule, Operand, Range, Span } from '../core/model';
import { LineIndex } from '../core/markdown/lineIndex';
import { Workspace } from '../core/workspace';
import { pack, unpack, type PackedNames } from './names';
import { deflateText, textOf, type StoredText } from './storedText';

/** Where a document came from: the editor, the disk, or a colleague's sync (read-only). */
export type Origin = 'open' | 'disk' | 'team';

export type OccurrenceKind = 'definition' | 'reference' | 'operand' | 'table-header';

/** One place an atom's name is written. */
export interface Occurrence {
  uri: string;
  key: string;
  /** As written. */
  name: string;
  kind: OccurrenceKind;
  blockId: string;
  /** Block-relative span of the name (inside `[[ ]]` or `** **`). */
  span: Span;
  /** Where the span starts in the document (ranges without the snapshot). */
  offset: number;
  /** The molecule the name is part of, for operands. */
  moleculeId?: string;
}

/** A document parsed elsewhere, with what the knowledge base keeps of it at rest (`KnowledgeBase.rest`). */
export interface RestingDocument {
  uri: string;
  /** Its text, as it is or deflated. */
  text: StoredText;
  version: number;
  domain: string;
  /** The keys of the names it writes, each once: the first `keyCount` when given (the rest of an array may be other strings). */
  keys: Iterable<string>;
  keyCount?: number;
  /**
   * Its names, and what features keep derived from it (see `keepDerived`) by
   * kind: called once, when a question first needs them or `settle` runs.
   */
  load: () => { names: PackedNames; derived: Iterable<readonly [object, unknown]> };
}

const EMPTY: ReadonlySet<string> = new Set();
const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * One document. Its snapshot is let go of while its domain is not being
 * edited (see `newWorkspace`) and parsed again from `text` when asked for;
 * a new entry replaces it on every change, so the entry is also the
 * document's version token (`token`).
 */
interface Entry {
  snapshot: DocumentSnapshot | null;
  readonly uri: string;
  /** The snapshot's text; deflated once the snapshot is let go of (`storedText.ts`). */
  text: StoredText;
  readonly version: number;
  readonly domain: string;
  origin: Origin;
  /** What features derived from this version of the document (`derived`). */
  derived?: Map<object, unknown>;
  /** Line starts of `text`, once asked for while the snapshot is let go of. */
  lines?: LineIndex;
  /** The names it writes, kept while the snapshot is let go of. */
  names?: PackedNames;
  /** Where `names` and `derived` come from for a document added at rest, until they are first needed (`settled`). */
  load?: RestingDocument['load'];
}

/** Documents larger than this keep their snapshot (parsing them again would hold up the server). */
const KEEP_LARGER_THAN = 256 * 1024;
/** Snapshots parsed again and kept for the next question. */
const REPARSED_KEPT = 128;

export class KnowledgeBase {
  workspace: Workspace;
  private readonly entries = new Map<string, Entry>();
  /**
   * domain → key → the documents that write the name, by URI: the URI alone
   * when there is one (most names: an array per name was ~60 MB of a
   * 10,000-file workspace's index). A domain's is built from what its
   * documents index (`indexed`) when a question first needs it, or between
   * requests after an indexing run (`settle`): a cold index builds none
   * while its workers run (a 10,000-file workspace's Map tables are ~20 MiB,
   * at the time its memory peaks), and a warm start reads faster.
   */
  private readonly names = new Map<string, Map<string, string | string[]>>();
  /** Domains with documents indexed whose `names` are not built yet. */
  private readonly unbuilt = new Set<string>();
  /** Documents added by `rest`, perhaps with their names not read yet (`settle`). */
  private readonly unsettled = new Set<string>();
  /** domain → key → display name (`atomNames`), and the keys whose documents changed since (computed again when asked). */
  private readonly displayNames = new Map<string, { names: Map<string, string>; stale: Set<string> }>();
  /** What each document contributed to `names` (the first `count` of `keys`), to take it out again. */
  private readonly indexed = new Map<string, { domain: string; keys: readonly string[]; count: number; token: object }>();
  private readonly staleNames = new Set<string>();
  private readonly members = new Map<string, Set<string>>();
  /** How many documents open in the editor each domain has: the domains whose check state is kept. */
  private readonly openIn = new Map<string, number>();
  private readonly touched = new Set<string>();
  /** Per domain, the `upserts` count at its last change. */
  private readonly changedAt = new Map<string, number>();
  private upserts = 0;
  /** What features keep derived from every document (`keepDerived`). */
  private readonly keptDerivations = new Map<object, (doc: DocumentSnapshot) => unknown>();
  /** Snapshots parsed again from a let-go document's text, most recent last. */
  private readonly reparsed = new Map<string, DocumentSnapshot>();
  /** Bumped on every change: caches keyed by it (hover answers, lenses) stay correct. */
  generation = 0;
  private readonly listeners: ((uri: string, origin: Origin | undefined) => void)[] = [];

  /** Called after every upsert (with the origin) and removal (with undefined); survives `reset`. */
  onChange(listener: (uri: string, origin: Origin | undefined) => void): void {
    this.listeners.push(listener);
  }

  private changed(uri: string, origin: Origin | undefined): void {
    this.generation++;
    for (const listener of this.listeners) listener(uri, origin);
  }

  constructor(
    public tenant: string,
    private readonly displayName?: (uri: string) => string,
  ) {
    this.workspace = this.newWorkspace();
  }

  /**
   * The checks keep their state (about as large as the documents) only for
   * domains with a document open in the editor, where keystrokes need it to
   * be fast. Other domains are checked from scratch when a file changes on
   * disk or a colleague syncs (also while indexing: batches are checked
   * seldom, and holding every domain's state cost more memory than time).
   * Those domains' documents also let go of their snapshots once checked:
   * what stays is their text, findings, names (the name index) and what
   * features derived from them; a snapshot asked for is parsed again. A
   * domain whose document is opened takes its snapshots back.
   */
  private newWorkspace(): Workspace {
    return new Workspace({
      tenant: this.tenant,
      displayName: this.displayName,
      keepState: (domain) => this.editing(domain),
      documents: {
        reload: (uri) => {
          const entry = this.entries.get(uri);
          const doc = this.get(uri);
          if (entry && doc && this.editing(entry.domain)) entry.snapshot = doc;
          return doc;
        },
        released: (uri) => this.letGo(uri),
      },
    });
  }

  private editing(domain: string): boolean {
    return (this.openIn.get(domain) ?? 0) > 0;
  }

  private letGo(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry?.snapshot || entry.origin === 'open' || entry.snapshot.text.length > KEEP_LARGER_THAN) return;
    // The names, and what features keep, are read while the snapshot is at hand.
    if (this.staleNames.has(uri)) this.flushNames();
    for (const [kind, compute] of this.keptDerivations) this.derived(uri, kind, compute);
    entry.names ??= pack(occurrencesOf(entry.snapshot));
    entry.text = deflateText(entry.snapshot.text);
    entry.snapshot = null;
  }

  /** Forgets everything and starts over for `tenant` (the tenant setting changed, or "rebuild index"). */
  reset(tenant: string): void {
    this.tenant = tenant;
    this.openIn.clear();
    this.workspace = this.newWorkspace();
    this.entries.clear();
    this.unsettled.clear();
    this.names.clear();
    this.unbuilt.clear();
    this.displayNames.clear();
    this.indexed.clear();
    this.staleNames.clear();
    this.reparsed.clear();
    this.changedAt.clear();
    for (const domain of this.members.keys()) this.touched.add(domain);
    this.members.clear();
    this.generation++;
  }

  upsert(snapshot: DocumentSnapshot, origin: Origin): void {
    const old = this.entries.get(snapshot.uri);
    if (old) this.leave(snapshot.uri, old.domain);
    if (old?.origin === 'open') this.countOpen(old.domain, -1);
    this.join(snapshot.uri, snapshot.domain);
    this.changedAt.set(snapshot.domain, ++this.upserts);
    this.reparsed.delete(snapshot.uri);
    const { uri, text, version, domain } = snapshot;
    this.entries.set(uri, { snapshot, uri, text, version, domain, origin });
    if (origin === 'open') this.countOpen(snapshot.domain, 1);
    this.workspace.upsert(snapshot);
    if (old?.origin === 'open' && (origin !== 'open' || old.domain !== snapshot.domain)) this.workspace.release();
    this.staleNames.add(snapshot.uri);
    this.changed(snapshot.uri, origin);
  }

  /**
   * Adds a disk document parsed elsewhere (a worker thread), at rest: its
   * text, names and what features keep from it, without a snapshot. The
   * workspace's checks learn of it with its domain (`restDomain`).
   */
  rest(doc: RestingDocument): void {
    const old = this.entries.get(doc.uri);
    if (old) {
      this.leave(doc.uri, old.domain);
      if (old.origin === 'open') this.countOpen(old.domain, -1);
      this.workspace.remove(doc.uri);
      if (old.origin === 'open') this.workspace.release();
    }
    this.join(doc.uri, doc.domain);
    this.reparsed.delete(doc.uri);
    const { uri, text, version, domain } = doc;
    const entry: Entry = { snapshot: null, uri, text, version, domain, origin: 'disk', load: doc.load };
    this.entries.set(uri, entry);
    this.unsettled.add(uri);
    this.unindexNames(uri);
    this.staleNames.delete(uri);
    // A record's keys are each once already: kept as they came.
    const keys = Array.isArray(doc.keys) ? doc.keys : [...new Set(doc.keys)];
    this.indexNames(uri, domain, keys, entry, doc.keyCount ?? keys.length);
    this.changed(uri, 'disk');
  }

  /**
   * A domain's documents added by `rest`, checked together elsewhere with
   * these findings (`null`: not checked). The findings are taken when they
   * describe the domain as it is now: every document of it here is one of
   * those, in the version checked, and none is open in the editor.
   * Otherwise the documents join the workspace and the domain is checked at
   * the next question.
   */
  restDomain(domain: string, checked: readonly { uri: string; token: object }[], findings: readonly Finding[] | null): void {
    const current = checked.filter(({ uri, token }) => {
      const entry = this.entries.get(uri);
      return entry === token && entry.domain === domain && entry.origin !== 'open' && !this.workspace.has(uri);
    });
    const whole = findings !== null && current.length === this.urisOf(domain).size && !this.workspace.knows(domain);
    if (whole) {
      const byUri = new Map<string, Finding[]>();
      for (const f of findings) {
        const list = byUri.get(f.uri);
        if (list) list.push(f);
        else byUri.set(f.uri, [f]);
      }
      this.workspace.addChecked(domain, current.map((c) => c.uri), byUri);
    } else {
      // Every document of the domain the workspace does not hold yet joins it (an open one with its snapshot).
      for (const uri of this.urisOf(domain)) {
        if (this.workspace.has(uri)) continue;
        const entry = this.entries.get(uri)!;
        if (entry.snapshot) this.workspace.upsert(entry.snapshot);
        else this.workspace.addChecked(domain, [uri], null);
      }
    }
    this.touched.add(domain);
    this.generation++;
  }

  remove(uri: string): void {
    const old = this.entries.get(uri);
    if (!old) return;
    this.entries.delete(uri);
    this.reparsed.delete(uri);
    this.leave(uri, old.domain);
    if (old.origin === 'open') this.countOpen(old.domain, -1);
    this.workspace.remove(uri);
    if (old.origin === 'open') this.workspace.release();
    this.staleNames.add(uri);
    this.changed(uri, undefined);
  }

  /** Domains whose documents changed since the last call (their findings may have changed). */
  takeTouched(): string[] {
    const out = [...this.touched];
    this.touched.clear();
    return out;
  }

  /** The documents of a domain. */
  urisOf(domain: string): ReadonlySet<string> {
    return this.members.get(domain) ?? EMPTY;
  }

  private join(uri: string, domain: string): void {
    let set = this.members.get(domain);
    if (!set) this.members.set(domain, (set = new Set()));
    set.add(uri);
    this.touched.add(domain);
  }

  private leave(uri: string, domain: string): void {
    const set = this.members.get(domain);
    set?.delete(uri);
    if (set?.size === 0) this.members.delete(domain);
    this.touched.add(domain);
  }

  /** The document's snapshot; one its domain let go of is parsed again from its text (and kept a while). */
  get(uri: string): DocumentSnapshot | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (entry.snapshot) return entry.snapshot;
    let doc = this.reparsed.get(uri);
    if (doc) {
      this.reparsed.delete(uri);
    } else {
      doc = parseDocument(uri, textOf(entry.text), entry.version);
      if (this.reparsed.size >= REPARSED_KEPT) this.reparsed.delete(this.reparsed.keys().next().value!);
    }
    this.reparsed.set(uri, doc);
    return doc;
  }

  /** The document's text (without parsing a resting document again). */
  text(uri: string): string | undefined {
    const entry = this.entries.get(uri);
    return entry ? textOf(entry.text) : undefined;
  }

  /**
   * The document's version: a new object after every change to it (also
   * when its snapshot is parsed again, which gives another object with the
   * same content). Undefined for a document not in the index.
   */
  token(uri: string): object | undefined {
    return this.entries.get(uri);
  }

  /**
   * Reads the names of up to `count` documents added at rest whose names no
   * question has needed yet (see `RestingDocument.load`), and deflates
   * their text if it came as it is (from the index cache); then builds one
   * domain's name index not built yet (`names`); false once none is left.
   * The indexer calls it between requests after each indexing run.
   */
  settle(count: number): boolean {
    for (const uri of this.unsettled) {
      if (count-- === 0) return true;
      this.unsettled.delete(uri);
      const entry = this.entries.get(uri);
      if (!entry) continue;
      settled(entry);
      if (!entry.snapshot && typeof entry.text === 'string') entry.text = deflateText(entry.text);
    }
    // Then one domain's name index per call (a 500-file domain's: a few milliseconds).
    for (const domain of this.unbuilt) {
      this.namesIn(domain);
      return true;
    }
    return false;
  }

  /**
   * `compute(snapshot)` for the document's current version, computed once and
   * kept with the document (also while its snapshot is let go of). `kind`
   * tells apart what different features derive.
   */
  derived<T>(uri: string, kind: object, compute: (doc: DocumentSnapshot) => T): T | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    settled(entry);
    entry.derived ??= new Map();
    if (entry.derived.has(kind)) return entry.derived.get(kind) as T;
    const value = compute(this.get(uri)!);
    entry.derived.set(kind, value);
    return value;
  }

  /**
   * Has `derived(uri, kind, compute)` computed for every document before its
   * snapshot is let go of, so that reading it later never parses the document again.
   */
  keepDerived<T>(kind: object, compute: (doc: DocumentSnapshot) => T): void {
    this.keptDerivations.set(kind, compute);
  }

  /**
   * Checks the domains no document was added to or changed in during the
   * last `quiet` changes (indexing: a domain whose files have all arrived is
   * checked, and at rest, while the next ones are read). A domain that
   * changes again later is checked again.
   */
  checkSettled(quiet: number): void {
    const settled = [...this.changedAt].filter(([, at]) => at <= this.upserts - quiet).map(([domain]) => domain);
    for (const domain of settled) this.changedAt.delete(domain);
    this.workspace.check(settled);
  }

  /** Documents whose snapshots are let go of (tests). */
  resting(): string[] {
    return [...this.entries.values()].filter((e) => !e.snapshot).map((e) => e.uri).sort();
  }

  origin(uri: string): Origin | undefined {
    return this.entries.get(uri)?.origin;
  }

  setOrigin(uri: string, origin: Origin): void {
    const entry = this.entries.get(uri);
    if (!entry || entry.origin === origin) return;
    if (entry.origin === 'open') this.countOpen(entry.domain, -1);
    if (origin === 'open') {
      this.countOpen(entry.domain, 1);
      entry.snapshot ??= this.get(uri)!;
    }
    const closed = entry.origin === 'open';
    entry.origin = origin;
    if (closed) this.workspace.release();
  }

  private countOpen(domain: string, by: 1 | -1): void {
    const n = (this.openIn.get(domain) ?? 0) + by;
    if (n > 0) this.openIn.set(domain, n);
    else this.openIn.delete(domain);
  }

  uris(): IterableIterator<string> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every place the atom `key` of `domain` is written, by document (by URI), then in document order. */
  occurrences(domain: string, key: string): Occurrence[] {
    this.flushNames();
    const out: Occurrence[] = [];
    for (const uri of urisIn(this.namesIn(domain)?.get(key))) out.push(...this.placesIn(this.entries.get(uri)!, key));
    return out;
  }

  /** Atom keys of a domain with their display name (from a definition when there is one). */
  atomNames(domain: string): ReadonlyMap<string, string> {
    this.flushNames();
    const byKey = this.namesIn(domain);
    let cached = this.displayNames.get(domain);
    if (!cached) {
      cached = { names: byKey ? this.namesOfAtoms(byKey) : new Map(), stale: new Set() };
      this.displayNames.set(domain, cached);
    }
    // Only the names of documents that changed since the last answer (typing in a domain of 10,000 names).
    for (const key of cached.stale) {
      const name = this.nameOfAtom(key, urisIn(byKey?.get(key)));
      if (name === undefined) cached.names.delete(key);
      else cached.names.set(key, name);
    }
    cached.stale.clear();
    return cached.names;
  }

  /**
   * `nameOfAtom` of every key of a domain's name index, in one pass over
   * each document's places (one pass per key took ~1 s for a 500-file
   * domain of 29,000 names): the documents in the order of URIs, as each
   * key lists them.
   */
  private namesOfAtoms(byKey: ReadonlyMap<string, string | string[]>): Map<string, string> {
    const uris = new Set<string>();
    for (const list of byKey.values()) for (const uri of urisIn(list)) uris.add(uri);
    const defined = new Map<string, string>();
    const first = new Map<string, string>();
    for (const uri of [...uris].sort()) {
      for (const o of this.placesIn(this.entries.get(uri)!)) {
        if (o.kind === 'definition' && !defined.has(o.key)) defined.set(o.key, o.name);
        if (!first.has(o.key)) first.set(o.key, o.name);
      }
    }
    const names = new Map<string, string>();
    for (const key of byKey.keys()) {
      const name = defined.get(key) ?? first.get(key);
      if (name !== undefined) names.set(key, name);
    }
    return names;
  }

  /** The name of a definition of `key` among the documents, else the first place it is written. */
  private nameOfAtom(key: string, uris: readonly string[]): string | undefined {
    let name: string | undefined;
    for (const uri of uris) {
      const places = this.placesIn(this.entries.get(uri)!, key);
      const definition = places.find((o) => o.kind === 'definition');
      if (definition) return definition.name;
      name ??= places[0]?.name;
    }
    return name;
  }

  /** The places a document writes names (of `key` only, if given), without parsing a document at rest again. */
  private placesIn(entry: Entry, key?: string): Occurrence[] {
    if (!entry.snapshot && settled(entry).names) return unpack(entry.names!, entry.uri, key);
    const all = occurrencesOf(this.get(entry.uri)!);
    return key === undefined ? all : all.filter((o) => o.key === key);
  }

  /** The domains where some document writes a name. */
  domains(): string[] {
    this.flushNames();
    const out = new Set<string>();
    for (const { domain, count } of this.indexed.values()) if (count > 0) out.add(domain);
    return [...out].sort();
  }

  /** The name written at `offset` of a document, if any. */
  occurrenceAt(uri: string, offset: number): Occurrence | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    for (const o of this.placesIn(entry)) {
      // The end is inclusive: a cursor just after a name is still on it.
      if (offset >= o.offset && offset <= o.offset + (o.span.end - o.span.start)) return o;
    }
    return undefined;
  }

  range(o: { uri: string; blockId: string; span: Span; offset?: number }): Range {
    if (o.offset !== undefined) return this.rangeOf(o.uri, o.offset, o.offset + (o.span.end - o.span.start));
    const doc = this.get(o.uri);
    return doc ? toRange(doc, o.blockId, o.span) : START;
  }

  /** The range between two offsets of a document (without parsing a document whose snapshot was let go of). */
  rangeOf(uri: string, start: number, end: number): Range {
    const entry = this.entries.get(uri);
    if (!entry) return START;
    const lines = entry.snapshot ? lineIndex(entry.snapshot) : (entry.lines ??= new LineIndex(textOf(entry.text)));
    return { start: lines.position(start), end: lines.position(end) };
  }

  private flushNames(): void {
    if (this.staleNames.size === 0) return;
    for (const uri of this.staleNames) {
      const old = this.indexed.get(uri);
      const token = this.token(uri);
      if (old && token && old.token === token) continue;
      this.unindexNames(uri);
      const doc = this.get(uri);
      if (doc && token) this.indexNames(uri, doc.domain, [...new Set(occurrencesOf(doc).map((o) => o.key))], token);
    }
    this.staleNames.clear();
  }

  /** Takes what a document contributed out of the name index. */
  private unindexNames(uri: string): void {
    const old = this.indexed.get(uri);
    if (!old) return;
    const byKey = this.names.get(old.domain);
    for (let i = 0; i < old.count; i++) {
      const key = old.keys[i];
      const list = byKey?.get(key);
      if (list === uri) byKey!.delete(key);
      else if (Array.isArray(list)) {
        const at = list.indexOf(uri);
        if (at !== -1) list.splice(at, 1);
        if (list.length === 1) byKey!.set(key, list[0]);
      }
    }
    if (byKey?.size === 0) this.names.delete(old.domain);
    const stale = this.displayNames.get(old.domain)?.stale;
    if (stale) for (let i = 0; i < old.count; i++) stale.add(old.keys[i]);
    this.indexed.delete(uri);
  }

  /** A domain's name index, built now if it is not yet (`names`). */
  private namesIn(domain: string): Map<string, string | string[]> | undefined {
    if (!this.unbuilt.delete(domain)) return this.names.get(domain);
    const byKey = new Map<string, string | string[]>();
    for (const uri of this.members.get(domain) ?? EMPTY) {
      const indexed = this.indexed.get(uri);
      if (indexed?.domain === domain) addNames(byKey, uri, indexed.keys, indexed.count);
    }
    if (byKey.size > 0) this.names.set(domain, byKey);
    return byKey;
  }

  /** Indexes the document under the first `count` of `keys` (each once) as of version `token`, and keeps them to take it out again. */
  private indexNames(uri: string, domain: string, keys: readonly string[], token: object, count = keys.length): void {
    const byKey = this.names.get(domain);
    if (byKey) addNames(byKey, uri, keys, count);
    else if (count > 0) this.unbuilt.add(domain);
    const stale = this.displayNames.get(domain)?.stale;
    if (stale) for (let i = 0; i < count; i++) stale.add(keys[i]);
    this.indexed.set(uri, { domain, keys, count, token });
  }
}

/** Adds a document's keys (the first `count`) to a domain's name index, its URIs in order. */
function addNames(byKey: Map<string, string | string[]>, uri: string, keys: readonly string[], count: number): void {
  for (let i = 0; i < count; i++) {
    const key = keys[i];
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, uri);
    else if (typeof list === 'string') byKey.set(key, list < uri ? [list, uri] : [uri, list]);
    else {
      let at = list.length;
      while (at > 0 && list[at - 1] > uri) at--;
      list.splice(at, 0, uri);
    }
  }
}

/** The entry with the names and derived values of a document added at rest read (see `RestingDocument.load`). */
function settled(entry: Entry): Entry {
  if (entry.load) {
    const { names, derived } = entry.load();
    entry.load = undefined;
    entry.names = names;
    entry.derived = new Map(derived);
  }
  return entry;
}

/** The documents of a name-index entry. */
function urisIn(entry: string | string[] | undefined): readonly string[] {
  return entry === undefined ? [] : typeof entry === 'string' ? [entry] : entry;
}

const occurrenceCache = new WeakMap<DocumentSnapshot, Occurrence[]>();

/**
 * Every place a document writes an atom name: definitions, `[[references]]`,
 * rule operands (bracketed or not) and decision-table headers, in document
 * order, each place once.
 */
export function occurrencesOf(doc: DocumentSnapshot): Occurrence[] {
  let list = occurrenceCache.get(doc);
  if (list) return list;
  // A place is its offset in the document; where two names are read at one place, the first added wins
  // (kept below, after a stable sort).
  const out: Occurrence[] = [];
  const add = (ref: Pick<AtomRef, 'name' | 'key' | 'span'>, blockId: string, kind: OccurrenceKind, moleculeId?: string) => {
    if (ref.key === '') return;
    const offset = (blockById(doc, blockId)?.span.start ?? 0) + ref.span.start;
    const occurrence: Occurrence = { uri: doc.uri, key: ref.key, name: ref.name, kind, blockId, span: ref.span, offset };
    if (moleculeId) occurrence.moleculeId = moleculeId;
    out.push(occurrence);
  };
  for (const d of doc.definitions) add({ name: d.name, key: d.key, span: d.nameSpan }, d.blockId, 'definition');
  for (const t of doc.tables) {
    for (const ref of t.inputs) add(ref, t.blockId, 'table-header');
    for (const ref of t.outputs) add(ref, t.blockId, 'table-header');
  }
  for (const m of doc.molecules) for (const ref of refsOf(m)) add(ref, m.blockId, 'operand', m.id);
  for (const r of doc.references) add(r, r.blockId, 'reference');
  out.sort((a, b) => a.offset - b.offset);
  let kept = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i].offset !== out[i - 1].offset) out[kept++] = out[i];
  out.length = kept;
  list = out;
  occurrenceCache.set(doc, list);
  return list;
}

/** The atom names a molecule is made of. */
export function refsOf(m: Molecule): AtomRef[] {
  const out: AtomRef[] = [];
  const operand = (o: Operand) => {
    if (o.kind === 'ref') out.push(o.ref);
  };
  const condition = (c: Condition): void => {
    if (c.kind === 'cmp') {
      out.push(c.subject);
      c.operands.forEach(operand);
    } else c.items.forEach(condition);
  };
  switch (m.type) {
    case 'ConditionMolecule':
      if (!m.table) condition(m.condition);
      for (const r of m.results) {
        if (!m.table) out.push(r.target);
        operand(r.operand);
      }
      break;
    case 'ConstraintMolecule':
      condition(m.comparison);
      break;
    case 'ExceptionMolecule':
      condition(m.condition);
      break;
    case 'RequiresMolecule':
      out.push(m.subject, ...m.required);
      break;
  }
  return out;
}

/** Offset of an LSP position in a document. */
export function offsetAt(doc: DocumentSnapshot, position: { line: number; character: number }): number {
  return lineIndex(doc).offset(position);
}
