/**
 * The workspace index: every document of one tenant, grouped by domain, and
 * the findings of the checks. Updating a document marks only its domain(s)
 * dirty; findings are recomputed per dirty domain on demand. Domains can
 * keep the checks' state between refreshes or not (`keepState`), and those
 * that do not can let go of their snapshots until they are checked again
 * (`documents`).
 */
import { runChecks } from './checks';
import type {
  Answers,
  ConstraintEntry,
  DefinitionEntry,
  DomainView,
  ExceptionEntry,
  Place,
  ReferenceEntry,
  RequiresEntry,
  RuleEntry,
  TableEntry,
} from './checks/context';
import { FIXED_ANSWERS, memoKey, noMemo, type MemoKey } from './checks/context';
import { parseErrors } from './checks/parseErrors';
import { toRange, type DecisionTableInfo, type DocumentSnapshot } from './document';
import { normalizeName, type AtomDefinition, type Condition, type ConditionMolecule, type ExceptionMolecule, type Finding, type Molecule, type Operand, type Value } from './model';

export interface WorkspaceOptions {
  tenant?: string;
  /** Shown instead of full URIs in messages (`tax/rrsp.md:12`); default: the URI's last two path segments. */
  displayName?: (uri: string) => string;
  /**
   * Whether a domain keeps the checks' state (memo, carried analyses) from
   * one refresh to the next; default: every domain. That state is about as
   * large as the domain's documents and makes an edit cost only what it
   * changed. A domain that does not keep it is checked from scratch when it
   * changes; its findings are kept either way. The language server keeps it
   * for the domains someone is editing (see `release`).
   */
  keepState?: (domain: string) => boolean;
  /**
   * Where snapshots can be had again. When given, a domain that does not keep
   * its state also lets go of its documents' snapshots after each refresh
   * (`released`) and asks for them (`reload`) when it is checked next; the
   * workspace then holds only their URIs and findings.
   */
  documents?: DocumentSource;
}

/** The owner of the snapshots a workspace lets go of (see `WorkspaceOptions.documents`). */
export interface DocumentSource {
  /** The document as it was last given to the workspace; undefined only if the owner no longer has it. */
  reload(uri: string): DocumentSnapshot | undefined;
  /** The workspace no longer holds the document's snapshot. */
  released(uri: string): void;
}

export class Workspace {
  readonly tenant: string;
  private readonly docs = new Map<string, DocumentSnapshot>();
  /** Documents whose snapshots were let go of (see `WorkspaceOptions.documents`), with their domain. */
  private readonly parked = new Map<string, string>();
  private readonly domains = new Map<string, Set<string>>();
  private readonly domainFindings = new Map<string, Map<string, Finding[]>>();
  private readonly domainState = new Map<string, DomainState>();
  private readonly dirty = new Set<string>();
  private readonly display: (uri: string) => string;
  private readonly keepState: (domain: string) => boolean;
  private readonly source: DocumentSource | undefined;

  constructor(options: WorkspaceOptions = {}) {
    this.tenant = options.tenant ?? 'default';
    this.display = options.displayName ?? defaultDisplayName;
    this.keepState = options.keepState ?? (() => true);
    this.source = options.documents;
  }

  private domainOf(uri: string): string | undefined {
    return this.docs.get(uri)?.domain ?? this.parked.get(uri);
  }

  /** The snapshot of a document of the workspace, reloaded if it was let go of. */
  private snapshot(uri: string): DocumentSnapshot | undefined {
    return this.docs.get(uri) ?? (this.parked.has(uri) ? this.source?.reload(uri) : undefined);
  }

  /** Documents whose snapshots the workspace let go of (tests). */
  releasedDocuments(): string[] {
    return [...this.parked.keys()].sort();
  }

  /**
   * Drops the checks' state (and, see `documents`, the snapshots) of every
   * domain `keepState` no longer keeps (call when its answer may have
   * changed). Dirty domains lose theirs at the next refresh.
   */
  release(): void {
    for (const domain of [...this.domainState.keys()]) {
      if (this.dirty.has(domain) || this.keepState(domain)) continue;
      this.domainState.delete(domain);
      this.letGo([...(this.domains.get(domain) ?? [])].flatMap((uri) => this.docs.get(uri) ?? []));
    }
  }

  /** Domains holding the checks' state (tests). */
  statefulDomains(): string[] {
    return [...this.domainState.keys()].sort();
  }

  upsert(doc: DocumentSnapshot): void {
    // A document that stays in its domain keeps the domain's state (the checks' memo) alive.
    if (this.domainOf(doc.uri) !== doc.domain) this.remove(doc.uri);
    this.parked.delete(doc.uri);
    this.docs.set(doc.uri, doc);
    let members = this.domains.get(doc.domain);
    if (!members) this.domains.set(doc.domain, (members = new Set()));
    members.add(doc.uri);
    this.dirty.add(doc.domain);
  }

  /**
   * Adds documents whose domain was checked elsewhere (a worker thread), at
   * rest: the workspace holds their URIs and, when `findings` are given (by
   * URI) and the domain is new here, those findings; otherwise the domain is
   * checked at the next question, its snapshots reloaded. Needs `documents`.
   */
  addChecked(domain: string, uris: readonly string[], findings: Map<string, Finding[]> | null): void {
    if (!this.source) throw new Error('addChecked needs a document source (WorkspaceOptions.documents)');
    const known = this.domains.has(domain);
    for (const uri of uris) {
      if (this.domainOf(uri) !== undefined && this.domainOf(uri) !== domain) this.remove(uri);
      this.docs.delete(uri);
      this.parked.set(uri, domain);
      let members = this.domains.get(domain);
      if (!members) this.domains.set(domain, (members = new Set()));
      members.add(uri);
    }
    if (findings && !known) {
      this.domainFindings.set(domain, new Map(uris.map((uri) => [uri, findings.get(uri) ?? []])));
    } else if (this.domains.has(domain)) this.dirty.add(domain);
  }

  /** Whether the workspace holds the document (its snapshot, or at rest). */
  has(uri: string): boolean {
    return this.docs.has(uri) || this.parked.has(uri);
  }

  /** Whether any document of the domain is in the workspace. */
  knows(domain: string): boolean {
    return this.domains.has(domain);
  }

  remove(uri: string): void {
    const domain = this.domainOf(uri);
    if (domain === undefined) return;
    this.docs.delete(uri);
    this.parked.delete(uri);
    const members = this.domains.get(domain);
    members?.delete(uri);
    if (members?.size === 0) {
      this.domains.delete(domain);
      this.domainFindings.delete(domain);
      this.domainState.delete(domain);
      this.dirty.delete(domain);
    } else this.dirty.add(domain);
  }

  get(uri: string): DocumentSnapshot | undefined {
    return this.snapshot(uri);
  }

  domainNames(): string[] {
    return [...this.domains.keys()].sort();
  }

  /** All findings, sorted by uri then position. */
  findings(): Finding[] {
    this.refresh();
    const all = [...this.domainFindings.values()].flatMap((byUri) => [...byUri.values()].flat());
    return all.sort(compareFindings);
  }

  findingsFor(uri: string): Finding[] {
    const domain = this.domainOf(uri);
    if (domain === undefined) return [];
    this.refresh();
    return [...(this.domainFindings.get(domain)?.get(uri) ?? [])].sort(compareFindings);
  }

  /** What the checks see of one domain. */
  view(domain: string): DomainView {
    return this.viewOf(domain, this.snapshotsOf(domain));
  }

  /** A domain's documents in URI order; a domain that keeps its state takes back the snapshots it let go of. */
  private snapshotsOf(domain: string): DocumentSnapshot[] {
    const keep = this.keepState(domain);
    return [...(this.domains.get(domain) ?? [])].sort().flatMap((uri) => {
      const doc = this.snapshot(uri);
      if (doc && keep && this.parked.delete(uri)) this.docs.set(uri, doc);
      return doc ? [doc] : [];
    });
  }

  private viewOf(domain: string, docs: DocumentSnapshot[]): DomainView {
    let state = this.domainState.get(domain);
    if (!state) this.domainState.set(domain, (state = new DomainState()));
    return buildView(this.tenant, domain, docs, this.display, state, this.keepState(domain));
  }

  /** Checks these domains now, if they changed (the others wait for the next question). */
  check(domains: Iterable<string>): void {
    this.refresh([...domains].filter((d) => this.dirty.has(d)));
  }

  private refresh(domains: Iterable<string> = this.dirty): void {
    for (const domain of [...domains]) {
      const docs = this.snapshotsOf(domain);
      const view = this.viewOf(domain, docs);
      const state = this.domainState.get(domain)!;
      const byUri = new Map<string, Finding[]>(docs.map((d) => [d.uri, []]));
      state.memo.begin();
      const found = [...docs.flatMap((d) => parseErrors(d)), ...runChecks(view)];
      state.memo.end();
      for (const f of found) {
        const list = byUri.get(f.uri);
        if (list) list.push(f);
      }
      this.domainFindings.set(domain, byUri);
      if (!this.keepState(domain)) {
        this.domainState.delete(domain);
        this.letGo(docs);
      }
      this.dirty.delete(domain);
    }
  }

  /** Lets go of the snapshots of a domain that does not keep its state, when they can be had again. */
  private letGo(docs: DocumentSnapshot[]): void {
    if (!this.source) return;
    for (const doc of docs) {
      if (!this.docs.delete(doc.uri)) continue;
      this.parked.set(doc.uri, doc.domain);
      this.source.released(doc.uri);
    }
  }
}

/** What a domain keeps between refreshes: the checks' memo and what definitions answer, per name. */
class DomainState implements Answers {
  readonly memo = new MemoStore();
  readonly moleculeLists = new Part((d) => [d.molecules, d.tables], buildMoleculeLists);
  readonly definitionLists = new Part((d) => [d.definitions], buildDefinitionLists);
  readonly referenceList = new Part((d) => [d.references], buildReferenceList);
  /** Per defined name, what `resolve` and `enumeration` answer for it (as of `definitions`). */
  private signatures = new Map<string, string>();
  private definitions: readonly AtomDefinition[] = [];
  generation = 0;
  /** Per name, the generation in which its answer last changed. */
  private readonly changedIn = new Map<string, number>();
  private readonly nameTokens = new Map<string, object>();
  private readonly moleculeTokens = new WeakMap<Molecule, { token: object; generation: number }>();

  /**
   * Brings the answers up to the documents' definitions: the names whose
   * value or `one of` list changed start a new generation. Editing a
   * definition invalidates only the work of the molecules that ask about it.
   */
  update(docs: readonly DocumentSnapshot[], valueOf: Map<string, Value>, enumerations: Map<string, Value[]>): void {
    // The answers come from the definitions alone: while they are the same, so is every answer (typing
    // prose, or editing a rule).
    if (sameLists(docs, this.definitions, (d) => d.definitions)) return;
    this.definitions = docs.flatMap((d) => d.definitions);
    const signatures = new Map<string, string>();
    for (const key of new Set([...valueOf.keys(), ...enumerations.keys()])) {
      const value = valueOf.get(key);
      const list = enumerations.get(key);
      signatures.set(key, `${value ? valueSignature(value) : ''}\u0000${list?.map(valueSignature).join('\u0001') ?? ''}`);
    }
    const changed: string[] = [];
    for (const [key, signature] of signatures) if (this.signatures.get(key) !== signature) changed.push(key);
    for (const key of this.signatures.keys()) if (!signatures.has(key)) changed.push(key);
    this.signatures = signatures;
    if (changed.length === 0) return;
    this.generation++;
    for (const key of changed) {
      this.changedIn.set(key, this.generation);
      this.nameTokens.delete(key);
    }
  }

  changed(molecule: Molecule, since: number): boolean {
    if (since >= this.generation) return false;
    return namesAskedBy(molecule).some((key) => (this.changedIn.get(key) ?? 0) > since);
  }

  token(molecule: Molecule): object {
    let known = this.moleculeTokens.get(molecule);
    if (!known) this.moleculeTokens.set(molecule, (known = { token: {}, generation: this.generation }));
    else if (known.generation !== this.generation) {
      if (this.changed(molecule, known.generation)) known.token = {};
      known.generation = this.generation;
    }
    return known.token;
  }

  tokenOfName(key: string): object {
    let token = this.nameTokens.get(key);
    if (!token) this.nameTokens.set(key, (token = {}));
    return token;
  }
}

/** Whether the documents' lists, one after the other, hold exactly `flat` (without building their concatenation). */
function sameLists<T>(docs: readonly DocumentSnapshot[], flat: readonly T[], list: (d: DocumentSnapshot) => readonly T[]): boolean {
  let at = 0;
  for (const d of docs) {
    const items = list(d);
    if (at + items.length > flat.length) return false;
    for (let i = 0; i < items.length; i++) if (items[i] !== flat[at + i]) return false;
    at += items.length;
  }
  return at === flat.length;
}

const askedNames = new WeakMap<Molecule, string[]>();

/** Names whose definition can change what a molecule means: referenced operands, bare text values, subjects. */
function namesAskedBy(m: Molecule): string[] {
  let names = askedNames.get(m);
  if (names) return names;
  const out: string[] = [];
  const operand = (o: Operand) => out.push(o.kind === 'ref' ? o.ref.key : o.value.kind === 'text' ? normalizeName(o.value.value) : '');
  const condition = (c: Condition): void => {
    if (c.kind === 'cmp') {
      out.push(c.subject.key);
      c.operands.forEach(operand);
    } else c.items.forEach(condition);
  };
  if (m.type === 'ConditionMolecule') {
    condition(m.condition);
    for (const r of m.results) {
      out.push(r.target.key);
      operand(r.operand);
    }
  } else if (m.type === 'ConstraintMolecule') condition(m.comparison);
  else if (m.type === 'ExceptionMolecule') condition(m.condition);
  names = out.filter((k) => k !== '');
  askedNames.set(m, names);
  return names;
}

function valueSignature(v: Value): string {
  return `${v.kind}:${v.kind === 'json' ? JSON.stringify(v.value) : String(v.value)}:${'unit' in v ? (v.unit ?? '') : ''}:${v.canonical}`;
}

/** Refreshes a memo entry survives without being used. */
const KEEP_UNUSED = 16;

interface MemoEntry {
  deps: readonly unknown[];
  structure?: readonly unknown[];
  value: unknown;
  /** The last refresh that used the entry, or an entry computed from it. */
  used: number;
  /** The entries asked for while computing this one (its inner entries: chunks, regions, overlaps). */
  inner: readonly MemoEntry[];
}

/**
 * `DomainView.memo`: entries not used for `KEEP_UNUSED` refreshes are dropped. Using an entry uses its
 * inner entries too: a whole-check analysis that hits keystroke after keystroke keeps its chunks (and
 * their regions) alive, so that the keystroke that finally changes a rule recomputes one chunk, not all.
 */
class MemoStore {
  private readonly entries = new Map<string, MemoEntry>();
  private generation = 0;
  /** For each entry being computed (innermost last), the entries it asked for so far. */
  private readonly computing: Set<MemoEntry>[] = [];

  begin(): void {
    this.generation++;
  }

  end(): void {
    if (this.generation % KEEP_UNUSED !== 0) return;
    for (const [key, entry] of this.entries) if (entry.used <= this.generation - KEEP_UNUSED) this.entries.delete(key);
  }

  get<T>(made: MemoKey, deps: readonly unknown[], compute: () => T, structure?: () => readonly unknown[]): T {
    const key = memoKey(made);
    let entry = this.entries.get(key);
    if (entry && sameItems(entry.deps, deps)) this.use(entry);
    else {
      const shape = structure?.();
      if (entry && shape && entry.structure && sameItems(entry.structure, shape)) {
        // The value stands for the new deps; its inner entries were computed from the old ones (other
        // molecules, with the same names), so it no longer keeps them alive: what `use` keeps is always
        // about the molecules of a refresh that used it.
        entry.deps = deps;
        entry.inner = NO_ENTRIES;
        entry.used = this.generation;
      } else {
        const inner = new Set<MemoEntry>();
        this.computing.push(inner);
        let value: T;
        try {
          value = compute();
        } finally {
          this.computing.pop();
        }
        entry = { deps, structure: shape, value, used: this.generation, inner: inner.size === 0 ? NO_ENTRIES : [...inner] };
        this.entries.set(key, entry);
      }
    }
    this.computing[this.computing.length - 1]?.add(entry);
    return entry.value as T;
  }

  /** Marks an entry used, and its inner entries (once per refresh each). */
  private use(entry: MemoEntry): void {
    if (entry.used === this.generation) return;
    entry.used = this.generation;
    for (const inner of entry.inner) this.use(inner);
  }
}

const NO_ENTRIES: readonly MemoEntry[] = [];

/** One part of a domain's view, rebuilt only when the documents' lists it is built from are other arrays. */
class Part<T extends object> {
  private inputs: unknown[] = [];
  private value: T | undefined;

  constructor(
    private readonly lists: (doc: DocumentSnapshot) => readonly unknown[],
    private readonly build: (docs: readonly DocumentSnapshot[]) => T,
  ) {}

  get(docs: readonly DocumentSnapshot[]): T {
    const inputs: unknown[] = [];
    for (const d of docs) inputs.push(d.uri, ...this.lists(d));
    if (this.value !== undefined && sameItems(inputs, this.inputs)) return this.value;
    this.inputs = inputs;
    const built = this.build(docs);
    return (this.value = this.value === undefined ? built : keepSameLists(this.value, built));
  }
}

/**
 * `built`, with each of its lists that holds the same entries as the one in `old` replaced by the old
 * array (and `old` itself when every list is the same): editing a constraint leaves `view.rules` the
 * same array, so the checks' whole-domain memo entries hit on their deps (and keep their inner entries
 * alive) rather than on their structure.
 */
function keepSameLists<T extends object>(old: T, built: T): T {
  const out = { ...built } as Record<string, unknown>;
  let same = true;
  for (const [key, list] of Object.entries(built)) {
    if (!Array.isArray(list)) continue;
    const before = (old as Record<string, unknown>)[key];
    if (Array.isArray(before) && sameItems(before, list)) out[key] = before;
    else same = false;
  }
  return same ? old : (out as T);
}

interface MoleculeLists {
  rules: RuleEntry[];
  constraints: ConstraintEntry[];
  exceptions: ExceptionEntry[];
  requires: RequiresEntry[];
  tables: TableEntry[];
}

interface DefinitionLists {
  definitions: DefinitionEntry[];
  valueOf: Map<string, Value>;
  enumerations: Map<string, Value[]>;
}

function buildMoleculeLists(docs: readonly DocumentSnapshot[], remember = true): MoleculeLists {
  const out: MoleculeLists = { rules: [], constraints: [], exceptions: [], requires: [], tables: [] };
  for (const doc of docs) {
    const exceptionById = new Map<string, ExceptionMolecule>();
    const exceptionsOf = new Map<string, ExceptionMolecule[]>();
    for (const m of doc.molecules) {
      if (m.type !== 'ExceptionMolecule') continue;
      exceptionById.set(m.id, m);
      if (m.parentId !== null) {
        const list = exceptionsOf.get(m.parentId);
        if (list) list.push(m);
        else exceptionsOf.set(m.parentId, [m]);
      }
    }
    const tableRows = new Map<string, RuleEntry[]>();
    for (const m of doc.molecules) {
      switch (m.type) {
        case 'ConditionMolecule': {
          const entry = ruleEntry(doc.uri, m, exceptionById, remember);
          out.rules.push(entry);
          if (m.table) {
            const rows = tableRows.get(m.table.blockId) ?? [];
            rows.push(entry);
            tableRows.set(m.table.blockId, rows);
          }
          break;
        }
        case 'ConstraintMolecule': {
          const exceptions = exceptionsOf.get(m.id) ?? NO_EXCEPTIONS;
          out.constraints.push(entryOf(doc.uri, m, (e) => sameItems(e.exceptions, exceptions), () => ({ uri: doc.uri, molecule: m, exceptions }), remember));
          break;
        }
        case 'ExceptionMolecule':
          out.exceptions.push(entryOf(doc.uri, m, () => true, () => ({ uri: doc.uri, molecule: m }), remember));
          break;
        case 'RequiresMolecule':
          out.requires.push(entryOf(doc.uri, m, () => true, () => ({ uri: doc.uri, molecule: m }), remember));
          break;
      }
    }
    for (const t of doc.tables) out.tables.push(tableEntry(doc.uri, t, tableRows.get(t.blockId) ?? NO_ROWS, remember));
  }
  return out;
}

function buildDefinitionLists(docs: readonly DocumentSnapshot[], remember = true): DefinitionLists {
  const definitions: DefinitionEntry[] = [];
  for (const doc of docs) for (const definition of doc.definitions) definitions.push(entryOf(doc.uri, definition, () => true, () => ({ uri: doc.uri, definition }), remember));
  const valueOf = new Map<string, Value>();
  const enumerations = new Map<string, Value[]>();
  for (const { definition } of definitions) {
    if (definition.value && !valueOf.has(definition.key)) valueOf.set(definition.key, definition.value);
    if (definition.oneOf && !enumerations.has(definition.key)) enumerations.set(definition.key, definition.oneOf);
  }
  return { definitions, valueOf, enumerations };
}

function buildReferenceList(docs: readonly DocumentSnapshot[], remember = true): { references: ReferenceEntry[] } {
  const references: ReferenceEntry[] = [];
  for (const doc of docs) for (const reference of doc.references) references.push(entryOf(doc.uri, reference, () => true, () => ({ uri: doc.uri, reference }), remember));
  return { references };
}

function buildView(
  tenant: string,
  domain: string,
  docs: DocumentSnapshot[],
  display: (uri: string) => string,
  state: DomainState,
  /**
   * Whether the state outlives this refresh. When it does not, nothing is memoised: a memo entry can only
   * pay off in a later refresh, and keeping a whole domain's regions alive until its check ends costs more
   * than the few computed twice (a 500-file domain checked from scratch: ~830 → ~610 ms, mostly the
   * scavenges that copied what the memo held).
   */
  keep: boolean,
): DomainView {
  const byUri = new Map(docs.map((d) => [d.uri, d]));
  // Each part of the view is rebuilt only when its documents' lists changed: the lists then stay the same
  // arrays from refresh to refresh, which the checks' memo entries compare cheaply.
  // A domain checked once builds its lists afresh and answers as if nothing ever changed: what the state
  // remembers (entries by identity, answers per name) is only of use to a later refresh.
  const { rules, constraints, exceptions, requires, tables } = keep ? state.moleculeLists.get(docs) : buildMoleculeLists(docs, false);
  const { definitions, valueOf, enumerations } = keep ? state.definitionLists.get(docs) : buildDefinitionLists(docs, false);
  const { references } = keep ? state.referenceList.get(docs) : buildReferenceList(docs, false);
  if (keep) state.update(docs, valueOf, enumerations);
  const resolve = (operand: Operand): Value | undefined => {
    if (operand.kind === 'ref') return valueOf.get(operand.ref.key);
    const v = operand.value;
    if (v.kind === 'text') return valueOf.get(v.value.trim().replace(/\s+/g, ' ').toLowerCase()) ?? v;
    return v;
  };
  const range = (place: Place) => {
    const doc = byUri.get(place.uri);
    return doc ? toRange(doc, place.blockId, place.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  };
  return {
    tenant,
    domain,
    rules,
    constraints,
    exceptions,
    requires,
    definitions,
    references,
    tables,
    answers: keep ? state : FIXED_ANSWERS,
    memo: keep ? (key, deps, compute, structure) => state.memo.get(key, deps, compute, structure) : noMemo,
    resolve,
    enumeration: (key) => enumerations.get(key),
    range,
    describe: (place) => `${display(place.uri)}:${range(place).start.line + 1}`,
  };
}

const NO_EXCEPTIONS: ExceptionMolecule[] = [];
const entries = new WeakMap<object, { uri: string }>();

/**
 * The view's entry for `item` (a molecule, definition or reference) in `uri`: the same object while the
 * item is and `valid(entry)` holds, so that the checks' memo entries can compare view lists element-wise.
 */
function entryOf<E extends { uri: string }>(uri: string, item: object, valid: (entry: E) => boolean, make: () => E, remember: boolean): E {
  if (!remember) return make();
  const hit = entries.get(item) as E | undefined;
  if (hit && hit.uri === uri && valid(hit)) return hit;
  const entry = make();
  entries.set(item, entry);
  return entry;
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const NO_ROWS: RuleEntry[] = [];
const tableEntries = new WeakMap<DecisionTableInfo, TableEntry>();

/** A table's entry, the same object while its header and its rows' entries are the same. */
function tableEntry(uri: string, table: DecisionTableInfo, rows: RuleEntry[], remember: boolean): TableEntry {
  if (!remember) return { uri, ...table, rows };
  const hit = tableEntries.get(table);
  if (hit && hit.uri === uri && sameItems(hit.rows, rows)) return hit;
  const entry = { uri, ...table, rows };
  tableEntries.set(table, entry);
  return entry;
}

const ruleEntries = new WeakMap<ConditionMolecule, RuleEntry>();

/** A rule's entry, the same object while its document and exceptions are the same (one per rule and keystroke adds up). */
function ruleEntry(uri: string, molecule: ConditionMolecule, exceptionById: Map<string, ExceptionMolecule>, remember: boolean): RuleEntry {
  const ids = molecule.exceptionIds;
  if (!remember) return { uri, molecule, exceptions: ids.length === 0 ? NO_EXCEPTIONS : ids.flatMap((id) => exceptionById.get(id) ?? []) };
  const hit = ruleEntries.get(molecule);
  if (hit && hit.uri === uri && hit.exceptions.length === ids.length && ids.every((id, i) => exceptionById.get(id) === hit.exceptions[i])) return hit;
  const exceptions = ids.length === 0 ? NO_EXCEPTIONS : ids.flatMap((id) => exceptionById.get(id) ?? []);
  const entry = { uri, molecule, exceptions };
  ruleEntries.set(molecule, entry);
  return entry;
}

function defaultDisplayName(uri: string): string {
  const parts = decodeURIComponent(uri).split('/');
  return parts.slice(-2).join('/');
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
