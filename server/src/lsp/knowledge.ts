/**
 * What the language server knows: every document of the workspace (open in
 * the editor, read from disk, or synced by colleagues), the core's workspace
 * index with its findings, and an index of atom names to every place they
 * occur (impact questions walk it with the documents: `localImpact.ts`).
 *
 * Edits only mark things stale; the name index catches up when a question
 * needs it, so a keystroke costs the core's incremental work and nothing more.
 */
import { blockById, lineIndex, toRange, type DocumentSnapshot } from '../core/document';
import type { AtomRef, Condition, Molecule, Operand, Range, Span } from '../core/model';
import { Workspace } from '../core/workspace';

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
  /** The molecule the name is part of, for operands. */
  moleculeId?: string;
}

const EMPTY: ReadonlySet<string> = new Set();

interface Entry {
  snapshot: DocumentSnapshot;
  origin: Origin;
}

export class KnowledgeBase {
  workspace: Workspace;
  private readonly entries = new Map<string, Entry>();
  /** domain → key → uri → occurrences */
  private readonly names = new Map<string, Map<string, Map<string, Occurrence[]>>>();
  /** What each document contributed to `names`, to take it out again. */
  private readonly indexed = new Map<string, { domain: string; keys: string[]; snapshot: DocumentSnapshot }>();
  private readonly staleNames = new Set<string>();
  private readonly members = new Map<string, Set<string>>();
  /** How many documents open in the editor each domain has: the domains whose check state is kept. */
  private readonly openIn = new Map<string, number>();
  private readonly touched = new Set<string>();
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
   */
  private newWorkspace(): Workspace {
    return new Workspace({
      tenant: this.tenant,
      displayName: this.displayName,
      keepState: (domain) => (this.openIn.get(domain) ?? 0) > 0,
    });
  }

  /** Forgets everything and starts over for `tenant` (the tenant setting changed, or "rebuild index"). */
  reset(tenant: string): void {
    this.tenant = tenant;
    this.openIn.clear();
    this.workspace = this.newWorkspace();
    this.entries.clear();
    this.names.clear();
    this.indexed.clear();
    this.staleNames.clear();
    for (const domain of this.members.keys()) this.touched.add(domain);
    this.members.clear();
    this.generation++;
  }

  upsert(snapshot: DocumentSnapshot, origin: Origin): void {
    const old = this.entries.get(snapshot.uri);
    if (old) this.leave(snapshot.uri, old.snapshot.domain);
    if (old?.origin === 'open') this.countOpen(old.snapshot.domain, -1);
    this.join(snapshot.uri, snapshot.domain);
    this.entries.set(snapshot.uri, { snapshot, origin });
    if (origin === 'open') this.countOpen(snapshot.domain, 1);
    this.workspace.upsert(snapshot);
    if (old?.origin === 'open' && (origin !== 'open' || old.snapshot.domain !== snapshot.domain)) this.workspace.release();
    this.staleNames.add(snapshot.uri);
    this.changed(snapshot.uri, origin);
  }

  remove(uri: string): void {
    const old = this.entries.get(uri);
    if (!old) return;
    this.entries.delete(uri);
    this.leave(uri, old.snapshot.domain);
    if (old.origin === 'open') this.countOpen(old.snapshot.domain, -1);
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

  get(uri: string): DocumentSnapshot | undefined {
    return this.entries.get(uri)?.snapshot;
  }

  origin(uri: string): Origin | undefined {
    return this.entries.get(uri)?.origin;
  }

  setOrigin(uri: string, origin: Origin): void {
    const entry = this.entries.get(uri);
    if (!entry || entry.origin === origin) return;
    if (entry.origin === 'open') this.countOpen(entry.snapshot.domain, -1);
    if (origin === 'open') this.countOpen(entry.snapshot.domain, 1);
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

  snapshots(): DocumentSnapshot[] {
    return [...this.entries.values()].map((e) => e.snapshot);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every place the atom `key` of `domain` is written, by document. */
  occurrences(domain: string, key: string): Occurrence[] {
    this.flushNames();
    const byUri = this.names.get(domain)?.get(key);
    if (!byUri) return [];
    return [...byUri.keys()].sort().flatMap((uri) => byUri.get(uri)!);
  }

  /** Atom keys of a domain with their display name (from a definition when there is one). */
  atomNames(domain: string): Map<string, string> {
    this.flushNames();
    const out = new Map<string, string>();
    for (const [key, byUri] of this.names.get(domain) ?? []) {
      let name: string | undefined;
      for (const list of byUri.values()) {
        const def = list.find((o) => o.kind === 'definition');
        if (def) {
          name = def.name;
          break;
        }
        name ??= list[0]?.name;
      }
      if (name !== undefined) out.set(key, name);
    }
    return out;
  }

  domains(): string[] {
    this.flushNames();
    return [...this.names.keys()].sort();
  }

  /** The name written at `offset` of a document, if any. */
  occurrenceAt(uri: string, offset: number): Occurrence | undefined {
    const doc = this.get(uri);
    if (!doc) return undefined;
    for (const o of occurrencesOf(doc)) {
      const start = absolute(doc, o.blockId, o.span.start);
      if (start === undefined) continue;
      // The end is inclusive: a cursor just after a name is still on it.
      if (offset >= start && offset <= start + (o.span.end - o.span.start)) return o;
    }
    return undefined;
  }

  range(o: { uri: string; blockId: string; span: Span }): Range {
    const doc = this.get(o.uri);
    return doc ? toRange(doc, o.blockId, o.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  }

  private flushNames(): void {
    if (this.staleNames.size === 0) return;
    for (const uri of this.staleNames) {
      const old = this.indexed.get(uri);
      const doc = this.get(uri);
      if (old && doc && old.snapshot === doc) continue;
      if (old) {
        const byKey = this.names.get(old.domain);
        for (const key of old.keys) {
          const byUri = byKey?.get(key);
          byUri?.delete(uri);
          if (byUri?.size === 0) byKey!.delete(key);
        }
        if (byKey?.size === 0) this.names.delete(old.domain);
        this.indexed.delete(uri);
      }
      if (!doc) continue;
      let byKey = this.names.get(doc.domain);
      if (!byKey) this.names.set(doc.domain, (byKey = new Map()));
      const keys = new Set<string>();
      for (const o of occurrencesOf(doc)) {
        keys.add(o.key);
        let byUri = byKey.get(o.key);
        if (!byUri) byKey.set(o.key, (byUri = new Map()));
        const list = byUri.get(uri);
        if (list) list.push(o);
        else byUri.set(uri, [o]);
      }
      this.indexed.set(uri, { domain: doc.domain, keys: [...keys], snapshot: doc });
    }
    this.staleNames.clear();
  }
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
  const seen = new Set<string>();
  const out: Occurrence[] = [];
  const add = (ref: Pick<AtomRef, 'name' | 'key' | 'span'>, blockId: string, kind: OccurrenceKind, moleculeId?: string) => {
    const id = `${blockId}:${ref.span.start}`;
    if (seen.has(id) || ref.key === '') return;
    seen.add(id);
    out.push({ uri: doc.uri, key: ref.key, name: ref.name, kind, blockId, span: ref.span, ...(moleculeId ? { moleculeId } : {}) });
  };
  for (const d of doc.definitions) add({ name: d.name, key: d.key, span: d.nameSpan }, d.blockId, 'definition');
  for (const t of doc.tables) for (const ref of [...t.inputs, ...t.outputs]) add(ref, t.blockId, 'table-header');
  for (const m of doc.molecules) for (const ref of refsOf(m)) add(ref, m.blockId, 'operand', m.id);
  for (const r of doc.references) add(r, r.blockId, 'reference');
  const order = (o: Occurrence) => (blockById(doc, o.blockId)?.span.start ?? 0) + o.span.start;
  list = out.sort((a, b) => order(a) - order(b));
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

function absolute(doc: DocumentSnapshot, blockId: string, offset: number): number | undefined {
  const start = blockById(doc, blockId)?.span.start;
  return start === undefined ? undefined : start + offset;
}

/** Offset of an LSP position in a document. */
export function offsetAt(doc: DocumentSnapshot, position: { line: number; character: number }): number {
  return lineIndex(doc).offset(position);
}
