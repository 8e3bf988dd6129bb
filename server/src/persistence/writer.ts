/**
 * Writes a document snapshot to the tenant's tables in ONE transaction, so
 * a failure (or a crash) at any point leaves the previous state intact.
 *
 * Change detection: each row's content checksum (SHA-256 of its COPY line:
 * its columns in COPY's text form, see `rowLine`) is kept in
 * `sync_state.postgres_checksum`. A row
 * whose checksum is unchanged is not written at all; a changed row is
 * upserted under its stable id and its `sync_state` row goes back to
 * 'pending' with `postgres_version` + 1, for the Neo4j sync worker. A
 * deleted row gets a pending `sync_state` row with `postgres_checksum` NULL:
 * "remove it from the graph". Writing the same snapshot twice writes nothing.
 *
 * Atoms are rows of the domain, not of a document: the atom `(tenant, domain,
 * name)` is one row wherever it is defined, and `defined_in` lists the block
 * rows that define it. It stays live while any block defines it and is
 * soft-deleted (`deleted_at`) when the last one goes. Its value is the one
 * the last written document gives it; two documents defining the same name is
 * the `duplicate-atom` finding, and the row follows whichever was written last.
 *
 * Versioning: when an atom's value changes, the current row keeps its id (the
 * graph and `molecule_metadata.atom_ids` reference it) and gets `version` + 1;
 * the old values are copied to a history row (id `atomVersionId(id, version)`)
 * that the current row's `previous_version` points to, and whose own
 * `previous_version` continues the chain. History rows are never current:
 * their `deleted_at` is the moment they were superseded, so every query that
 * excludes soft-deleted rows excludes them too, and no `sync_state` row is
 * kept for them (the graph only holds current atoms).
 *
 * Writers of one tenant are serialised by a transaction-scoped advisory lock:
 * atoms are shared between the documents of a domain, and their `defined_in`
 * is read, merged and written back.
 */
import type { DocumentSnapshot } from '../core/document';
import { canonicalJson, checksum, pgSafe, sha256 } from './checksum';
import { atomVersionId, documentId, timeOrderedIds } from './ids';
import { atomRecordOf, atomValueOf, documentRecords, type AtomRecord, type DocumentRecords, type EntityType } from './records';
import { AtomRepository, type AtomRow } from './repositories/atoms';
import type { Queryable, SqlClient } from './sql/client';
import { copyLine, type CopyColumn } from './sql/copy';
import { table, type Tenant, type TenantTable } from './sql/tenant';

export interface Change {
  entity: EntityType;
  id: string;
  op: 'upsert' | 'delete';
}

export interface WriteResult {
  documentId: string;
  /** Every row written or deleted (each got a pending `sync_state` row); empty when nothing changed. */
  changes: Change[];
  /** Atoms whose value changed, and so got a new version. */
  versioned: string[];
}

/** The outcome of writing several documents in one transaction. */
export interface BatchResult {
  /** In the order written (a document listed twice once, at its last place). */
  documentIds: string[];
  changes: Change[];
  versioned: string[];
}

/** First key of the writers' advisory lock (the second is the schema's hash); see migrations.ts for the other. */
export const WRITE_LOCK = 0x6b6f_0002;

export async function writeDocument(client: SqlClient, t: Tenant, snapshot: DocumentSnapshot): Promise<WriteResult> {
  const { documentIds, changes, versioned } = await writeDocuments(client, t, [snapshot]);
  return { documentId: documentIds[0], changes, versioned };
}

/**
 * Writes several documents in ONE transaction with one statement per table
 * (a few reads, then the writes sent at once, whatever the count): the
 * result is what writing them one after another gives, except that an atom
 * whose value several of them change gets one new version, not one per
 * document. A document listed twice is written as its last snapshot. All or
 * nothing.
 */
export async function writeDocuments(client: SqlClient, t: Tenant, snapshots: DocumentSnapshot[]): Promise<BatchResult> {
  return writePrepared(client, t, await prepareDocuments(t, snapshots));
}

/** A batch's rows with their checksums, computed outside the transaction. */
export interface PreparedDocuments {
  docs: DocumentWrite[];
}

/**
 * The rows of `snapshots` (a document listed twice: its last snapshot) and
 * their checksums. Yields to the event loop between documents, so that a
 * caller can prepare the next batch while PostgreSQL writes the previous one.
 */
export async function prepareDocuments(t: Tenant, snapshots: DocumentSnapshot[]): Promise<PreparedDocuments> {
  const latest = new Map(snapshots.map((s) => [s.uri, s] as const));
  const docs: DocumentWrite[] = [];
  for (const snapshot of latest.values()) {
    const next = safeRecords(documentRecords(t, snapshot));
    docs.push({ id: next.document.id, next });
    if (docs.length % YIELD_EVERY === 0) await new Promise(setImmediate);
  }
  return { docs };
}

/** `writeDocuments` of prepared rows: one transaction. */
export function writePrepared(client: SqlClient, t: Tenant, prepared: PreparedDocuments): Promise<BatchResult> {
  return client.transaction((tx) => apply(tx, t, prepared.docs));
}

const YIELD_EVERY = 1;

/**
 * A row's line: its columns in COPY's text form (`copyLine`, the columns of
 * its table in their order), which is both what a COPY sends and what its
 * checksum is computed from, and that checksum.
 */
interface RowLine {
  line: string;
  sum: string;
}
const rowLines = new WeakMap<object, RowLine>();

/** A record's line and checksum, computed once (records are not mutated once built). */
function rowLine(row: object, cols: readonly Column[]): RowLine {
  let known = rowLines.get(row);
  if (known === undefined) {
    // JSON values with their keys sorted: a record made from a stored row (whose JSON PostgreSQL gives back in its own
    // key order) has the line of the same record made from the text.
    const line = copyLine(cols, row as Record<string, unknown>, canonicalJson);
    rowLines.set(row, (known = { line, sum: sha256(line) }));
  }
  return known;
}

/** Each row of `records` with its table's columns. */
function rowsOf(records: DocumentRecords): [object, readonly Column[]][] {
  return [
    [records.domain, DOMAIN_COLUMNS],
    [records.document, DOCUMENT_COLUMNS],
    ...records.blocks.map((b): [object, Column[]] => [b, BLOCK_COLUMNS]),
    ...records.atoms.map((a): [object, Column[]] => [a, ATOM_RECORD_COLUMNS]),
    ...records.molecules.map((m): [object, Column[]] => [m, MOLECULE_COLUMNS]),
  ];
}

/**
 * `pgSafe(records)`, with the rows' lines computed on the way. Nearly every
 * document is already safe, and its lines show it: U+0000 and lone
 * surrogates, which PostgreSQL does not store, appear in them as they are
 * (text columns) or as JSON's `\u0000` and `\udXXX` escapes (JSON columns).
 * Only a document with such a character (or a literal backslash-u text
 * looking like one) is copied through `pgSafe` and its lines computed again.
 */
function safeRecords(records: DocumentRecords): DocumentRecords {
  if (!rowsOf(records).some(([row, cols]) => UNSAFE.test(rowLine(row, cols).line))) return records;
  const safe = pgSafe(records);
  for (const [row, cols] of rowsOf(safe)) rowLine(row, cols);
  return safe;
}

const UNSAFE = /\u0000|\\u(?:0000|[dD][89abcdefABCDEF])|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Removes a document: its blocks, molecules and document row are deleted (the
 * seed gives them no `deleted_at`); atoms no other document defines are
 * soft-deleted. Domains stay. Removing an unknown document changes nothing.
 */
export async function removeDocument(client: SqlClient, t: Tenant, uri: string): Promise<WriteResult> {
  const id = documentId(t.id, uri);
  const { changes, versioned } = await client.transaction((tx) => apply(tx, t, [{ id, next: null }]));
  return { documentId: id, changes, versioned };
}

export interface DocumentWrite {
  id: string;
  /** Null: remove the document. */
  next: DocumentRecords | null;
}

/**
 * Brings the rows of each document to its `next`, in order (ids are unique in
 * `docs`). The reads come first; then every write is sent without waiting
 * for the one before (the connection runs them in order), so that Node
 * builds the next statement while PostgreSQL runs the previous one.
 */
async function apply(tx: Queryable, t: Tenant, docs: DocumentWrite[]): Promise<BatchResult> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WRITE_LOCK, t.schema]);
  const w = new Writes(tx, t);
  const docIds = docs.map((d) => d.id);
  const written = docs.flatMap((d) => (d.next ? [d.next] : []));

  // Documents PostgreSQL holds: only their rows have anything to compare with (see `loadChecksums` below).
  const stored = new Set(
    (await tx.query<{ id: string }>(`SELECT id FROM ${table(t, 'documents')} WHERE id = ANY($1::uuid[])`, [tokens(docIds)])).rows.map((r) => r.id),
  );
  const oldBlocks =
    stored.size === 0
      ? { rows: [] }
      : await tx.query<{ id: string; document_id: string; molecule_ids: string[] | null }>(
          `SELECT id, document_id, molecule_ids FROM ${table(t, 'blocks')} WHERE document_id = ANY($1::uuid[])`,
          [tokens([...stored])],
        );
  const oldBlocksOf = new Map<string, Set<string>>(docIds.map((id) => [id, new Set<string>()]));
  for (const b of oldBlocks.rows) oldBlocksOf.get(b.document_id)?.add(b.id);
  const oldBlockIds = oldBlocks.rows.map((b) => b.id);
  const oldMoleculeIds = new Set(oldBlocks.rows.flatMap((b) => b.molecule_ids ?? []));
  const oldAtoms = new Map(
    (await new AtomRepository(tx, t).findForDefinitions([...new Set(written.flatMap((n) => n.atoms.map((a) => a.id)))], oldBlockIds)).map(
      (row) => [row.id, row] as const,
    ),
  );
  // A document PostgreSQL does not hold has no rows of its own, and its blocks and rules (whose ids derive from its
  // uri) none either: their checksums are not looked up (the lookups of a large sync's thousands of new ids, each
  // a search in the largest index, cost more with every batch). Should a `sync_state` row be left from an earlier
  // life of the document, its COPY fails on the unique key and the batch is written again with upserts (`run`).
  const held = written.filter((n) => stored.has(n.document.id));
  await w.loadChecksums({
    domain: written.map((n) => n.domain.id),
    document: [...stored],
    block: [...held.flatMap((n) => n.blocks.map((b) => b.id)), ...oldBlockIds],
    molecule: [...held.flatMap((n) => n.molecules.map((m) => m.id)), ...oldMoleculeIds],
    atom: [...oldAtoms.keys()],
  });
  const removedExisting = docs.filter((d) => !d.next && stored.has(d.id)).map((d) => d.id);

  // Parents before children: documents before their blocks (root_block_id's FK is deferred), blocks in document order.
  w.upsert('domain', 'domains', DOMAIN_COLUMNS, [...new Map(written.map((n) => [n.domain.id, n.domain] as const)).values()]);
  w.upsert('document', 'documents', DOCUMENT_COLUMNS, written.map((n) => n.document));
  w.upsert('block', 'blocks', BLOCK_COLUMNS, written.flatMap((n) => n.blocks));
  w.upsert('molecule', 'molecule_metadata', MOLECULE_COLUMNS, written.flatMap((n) => n.molecules));
  const nextMoleculeIds = new Set(written.flatMap((n) => n.molecules.map((m) => m.id)));
  w.delete('molecule', 'molecule_metadata', [...oldMoleculeIds].filter((id) => !nextMoleculeIds.has(id)));

  const { live, undefinedIds } = mergeAtoms(docs, oldBlocksOf, oldAtoms);
  const versioned = w.upsertAtoms(live, oldAtoms);
  w.softDeleteAtoms(undefinedIds);

  const nextBlockIds = new Set(written.flatMap((n) => n.blocks.map((b) => b.id)));
  w.delete('block', 'blocks', oldBlockIds.filter((id) => !nextBlockIds.has(id)));
  w.delete('document', 'documents', removedExisting);
  w.syncState();
  await w.run();
  return { documentIds: docIds, changes: w.changes, versioned };
}

/**
 * The atoms' `defined_in` after the documents are written in order: each
 * document's definitions replace its old ones. Returns the atoms still
 * defined somewhere that the documents touch, and the live atoms left with no
 * definition (to soft-delete).
 */
function mergeAtoms(
  docs: DocumentWrite[],
  oldBlocksOf: Map<string, Set<string>>,
  oldAtoms: Map<string, AtomRow>,
): { live: AtomRecord[]; undefinedIds: string[] } {
  const state = new Map<string, AtomRecord>();
  const current = (id: string): AtomRecord | undefined => {
    const old = oldAtoms.get(id);
    return state.get(id) ?? (old && old.deletedAt === null ? atomRecordOf(old) : undefined);
  };
  // Live atoms by the old blocks defining them: a document's old definitions are found here.
  const definedBy = new Map<string, string[]>();
  for (const old of oldAtoms.values()) {
    if (old.deletedAt !== null) continue;
    for (const block of old.definedIn) definedBy.set(block, [...(definedBy.get(block) ?? []), old.id]);
  }
  for (const { id, next } of docs) {
    const documentBlocks = oldBlocksOf.get(id) ?? new Set<string>();
    const nextAtoms = next?.atoms ?? [];
    for (const a of nextAtoms) {
      const definedIn = mergeDefinedIn(state.get(a.id)?.defined_in ?? oldAtoms.get(a.id)?.definedIn ?? [], documentBlocks, a.defined_in);
      // The document's own record where nothing was merged into it: its JSON and checksum are computed already.
      state.set(a.id, sameList(definedIn, a.defined_in) ? a : { ...a, defined_in: definedIn });
    }
    const nextAtomIds = new Set(nextAtoms.map((a) => a.id));
    for (const atomId of new Set([...documentBlocks].flatMap((b) => definedBy.get(b) ?? []))) {
      const atom = current(atomId);
      if (nextAtomIds.has(atomId) || !atom) continue;
      state.set(atomId, { ...atom, defined_in: mergeDefinedIn(atom.defined_in, documentBlocks, []) });
    }
  }
  const all = [...state.values()];
  return {
    live: all.filter((a) => a.defined_in.length > 0),
    undefinedIds: all.filter((a) => a.defined_in.length === 0 && oldAtoms.get(a.id)?.deletedAt === null).map((a) => a.id),
  };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `defined_in` without the document's old blocks, plus its new ones. */
function mergeDefinedIn(old: string[], documentBlocks: Set<string>, added: string[]): string[] {
  return [...new Set([...old.filter((id) => !documentBlocks.has(id)), ...added])].sort();
}

type Column = CopyColumn;

/** `'id uuid, name text'` → columns (names and types as `jsonb_to_recordset` reads them). */
function columns(spec: string): Column[] {
  return spec.split(',').map((c) => {
    const [name, type] = c.trim().split(/\s+/);
    return { name, type };
  });
}

const DOMAIN_COLUMNS = columns('id uuid, name text, path text');
const DOCUMENT_COLUMNS = columns('id uuid, domain_id uuid, uri text, parent_id uuid, parent_type text, root_block_id uuid, properties jsonb, title text');
const BLOCK_COLUMNS = columns(
  'id uuid, document_id uuid, parent_id uuid, parent_type text, block_type text, position integer, content jsonb, atom_ids uuid[], molecule_ids uuid[], has_children boolean',
);
const MOLECULE_COLUMNS = columns('id uuid, domain_id uuid, molecule_type text, atom_ids uuid[], configuration jsonb, validation_rules jsonb, enforcement_level text');
/** An atom record's columns (its checksum's); a row also has the version columns. */
const ATOM_RECORD_COLUMNS = columns(
  'id uuid, domain_id uuid, atom_type text, text_value text, number_value numeric, boolean_value boolean, date_value timestamptz, json_value jsonb, unit text, one_of jsonb, name text, confidence float8, source text, defined_in uuid[]',
);
const ATOM_VERSION_COLUMNS = columns('version integer, previous_version uuid, deleted_at timestamptz');
const ATOM_COLUMNS = [...ATOM_RECORD_COLUMNS, ...ATOM_VERSION_COLUMNS];
/** What a history row copies from the current row (all but id and deleted_at). */
const ATOM_HISTORY_COPY =
  'tenant_id, domain_id, atom_type, text_value, number_value, boolean_value, date_value, json_value, unit, one_of, name, description, confidence, source, defined_in, version, previous_version, created_at, updated_at';

const UNIQUE_VIOLATION = '23505';

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

/** A write: `fallback` replaces it should it violate a unique key (a plain INSERT or COPY of rows that exist after all). */
interface Statement {
  sql: string;
  params: unknown[];
  fallback?: () => { sql: string; params: unknown[] };
}

/** An atom row to write: the record and its version columns. */
interface AtomWrite {
  id: string;
  atom: AtomRecord;
  version: number;
  previous: string | null;
}

/** The writes of one transaction, and the `sync_state` rows they owe. */
class Writes {
  readonly changes: Change[] = [];
  /** Last written checksum per entity id (`sync_state.postgres_checksum`). */
  private readonly checksums = new Map<string, string | null>();
  /**
   * Entities that had a `sync_state` row when this write began. The writer
   * is the only one to insert rows, under the tenant's lock, and gives each
   * one a `sync_state` row: an entity without one has no row yet.
   */
  private readonly tracked = new Set<string>();
  private readonly statements: Statement[] = [];
  private readonly sent: Promise<unknown>[] = [];
  /** Where the savepoint of the first plain INSERT was taken (in `statements`); -1: none. */
  private savepointAt = -1;

  constructor(
    private readonly tx: Queryable,
    private readonly t: Tenant,
  ) {}

  /**
   * The last written checksums of these entities, by type: looked up through the seed's
   * UNIQUE(tenant_id, entity_type, entity_id), one index search per key.
   */
  async loadChecksums(ids: Record<EntityType, string[]>): Promise<void> {
    const keys = (Object.keys(ids) as EntityType[]).flatMap((type) => [...new Set(ids[type])].map((id) => [type, id] as const));
    if (keys.length === 0) return;
    const { rows } = await this.tx.query<{ entity_id: string; postgres_checksum: string | null }>(
      `SELECT s.entity_id, s.postgres_checksum FROM unnest($2::text[], $3::uuid[]) AS k(type, id)
       JOIN ${table(this.t, 'sync_state')} s ON s.tenant_id = $1 AND s.entity_type = k.type AND s.entity_id = k.id`,
      [this.t.rowId, tokens(keys.map(([type]) => type)), tokens(keys.map(([, id]) => id))],
    );
    for (const r of rows) {
      this.checksums.set(r.entity_id, r.postgres_checksum);
      this.tracked.add(r.entity_id);
    }
  }

  /** Inserts or updates, in one statement, the records whose checksum changed. */
  upsert<R extends { id: string }>(entity: EntityType, name: TenantTable, cols: Column[], records: R[]): void {
    const rows = records.filter((r) => this.changed(entity, r.id, rowLine(r, cols).sum));
    this.write(name, cols, rows, (r) => !this.tracked.has(r.id), (r) => JSON.stringify(r), (r) => rowLine(r, cols).line);
  }

  /**
   * Upserts the changed atoms (undeleting them). Those whose value changed
   * first get their old values copied into a history row; returns their ids.
   */
  upsertAtoms(atoms: AtomRecord[], old: Map<string, AtomRow>): string[] {
    const history: { id: string; history_id: string }[] = [];
    const row = (a: AtomRecord, version: number, previous: string | null): AtomWrite => ({ id: a.id, atom: a, version, previous });
    const rows = atoms
      .filter((a) => this.changed('atom', a.id, rowLine(a, ATOM_RECORD_COLUMNS).sum))
      .map((a) => {
        const before = old.get(a.id);
        if (!before) return row(a, 1, null);
        if (checksum(atomValueOf(atomRecordOf(before))) === checksum(atomValueOf(a))) return row(a, before.version, before.previousVersion);
        const historyId = atomVersionId(a.id, before.version);
        history.push({ id: a.id, history_id: historyId });
        return row(a, before.version + 1, historyId);
      });
    if (history.length > 0) {
      this.send({
        sql: `INSERT INTO ${table(this.t, 'atoms')} (id, ${ATOM_HISTORY_COPY}, deleted_at)
         SELECT h.history_id, ${ATOM_HISTORY_COPY}, NOW()
         FROM ${table(this.t, 'atoms')} JOIN jsonb_to_recordset($1::jsonb) AS h(id uuid, history_id uuid) USING (id)`,
        params: [JSON.stringify(history)],
      });
    }
    this.write(
      'atoms',
      ATOM_COLUMNS,
      rows,
      (r) => !old.has(r.id),
      (r) => JSON.stringify({ ...r.atom, version: r.version, previous_version: r.previous, deleted_at: null }),
      (r) => `${rowLine(r.atom, ATOM_RECORD_COLUMNS).line}\t${copyLine(ATOM_VERSION_COLUMNS, { version: r.version, previous_version: r.previous, deleted_at: null })}`,
    );
    return history.map((h) => h.id);
  }

  softDeleteAtoms(ids: string[]): void {
    if (ids.length === 0) return;
    this.send({ sql: `UPDATE ${table(this.t, 'atoms')} SET defined_in = '{}', deleted_at = NOW(), updated_at = NOW() WHERE id = ANY($1::uuid[])`, params: [tokens(ids)] });
    for (const id of ids) this.record('atom', id, null);
  }

  delete(entity: EntityType, name: TenantTable, ids: string[]): void {
    if (ids.length === 0) return;
    this.send({ sql: `DELETE FROM ${table(this.t, name)} WHERE id = ANY($1::uuid[])`, params: [tokens(ids)] });
    for (const id of ids) this.record(entity, id, null);
  }

  /** The `sync_state` rows of this write (new ones inserted, the others upserted): pending, `postgres_version` + 1, the new checksum. */
  syncState(): void {
    if (this.changes.length === 0) return;
    const insert = `INSERT INTO ${table(this.t, 'sync_state')} (tenant_id, entity_type, entity_id, postgres_version, postgres_checksum, sync_status)
       SELECT $1, entity_type, entity_id, 1, checksum, 'pending' FROM unnest($2::text[], $3::uuid[], $4::text[]) AS r(entity_type, entity_id, checksum)`;
    const upsert = `${insert}
       ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE SET
         postgres_version = sync_state.postgres_version + 1, postgres_checksum = EXCLUDED.postgres_checksum,
         sync_status = 'pending', sync_error = NULL, updated_at = NOW()`;
    const params = (changes: Change[]) => [
      this.t.rowId,
      tokens(changes.map((c) => c.entity)),
      tokens(changes.map((c) => c.id)),
      tokens(changes.map((c) => this.checksums.get(c.id) ?? null)),
    ];
    const [fresh, stored] = partition(this.changes, (c) => !this.tracked.has(c.id));
    if (fresh.length > 0) {
      // Every value is a UUID, an entity type, a number or a hex checksum: nothing in them needs COPY's escapes.
      const ids = timeOrderedIds(fresh.length);
      const lines = fresh.map((c, i) => `${this.t.rowId}\t${ids[i]}\t${c.entity}\t${c.id}\t1\t${this.checksums.get(c.id) ?? '\\N'}\tpending\n`);
      this.send({
        sql: `COPY ${table(this.t, 'sync_state')} (tenant_id, id, entity_type, entity_id, postgres_version, postgres_checksum, sync_status) FROM STDIN`,
        params: [lines.join('')],
        fallback: () => ({ sql: upsert, params: params(fresh) }),
      });
    }
    if (stored.length > 0) this.send({ sql: upsert, params: params(stored) });
  }

  /**
   * Waits for the statements sent. Plain INSERTs of rows that should not
   * exist yet run in a savepoint: should one of those rows exist all the same
   * (rows written by hand), everything since is rolled back and sent again
   * with upserts in their place.
   */
  async run(): Promise<void> {
    if (this.savepointAt >= 0) this.sent.push(quietly(this.tx.query('RELEASE SAVEPOINT fresh_rows')));
    const error = await firstError(this.sent);
    if (error === undefined) return;
    if (this.savepointAt < 0 || (error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    await this.tx.query('ROLLBACK TO SAVEPOINT fresh_rows');
    const again = this.statements.slice(this.savepointAt).map((s) => {
      const { sql, params } = s.fallback?.() ?? s;
      return quietly(this.tx.query(sql, params));
    });
    again.push(quietly(this.tx.query('RELEASE SAVEPOINT fresh_rows')));
    const retried = await firstError(again);
    if (retried !== undefined) throw retried;
  }

  /**
   * Upserts rows (`INSERT … ON CONFLICT (id) DO UPDATE`), each passed as its
   * JSON (`json`) in one JSON array parameter. The `fresh` ones, which have
   * no row yet, are copied in (`COPY … FROM STDIN` of their lines, `line`,
   * at hand already: their checksums are computed from them): an upsert
   * costs PostgreSQL a speculative insertion per row, and a COPY spares it
   * parsing one large JSON parameter and inserts its rows in batches. (One
   * batch of 200 generated files: the blocks' statement 210–300 → 155–165
   * ms, the rules' 205–216 → 106–120 ms.)
   */
  private write<R>(
    name: TenantTable,
    cols: Column[],
    rows: R[],
    fresh: (row: R) => boolean,
    json: (row: R) => string,
    line: (row: R) => string,
  ): void {
    const list = cols.map((c) => c.name).join(', ');
    const types = cols.map((c) => `${c.name} ${c.type}`).join(', ');
    const updates = cols
      .filter((c) => c.name !== 'id')
      .map((c) => `${c.name} = EXCLUDED.${c.name}`)
      .join(', ');
    const upsert = `INSERT INTO ${table(this.t, name)} (tenant_id, ${list})
       SELECT $1, ${list} FROM jsonb_to_recordset($2::jsonb) AS r(${types})
       ON CONFLICT (id) DO UPDATE SET ${updates}, updated_at = NOW()`;
    const params = (some: R[]) => [this.t.rowId, `[${some.map(json).join(',')}]`];
    const [inserted, upserted] = partition(rows, fresh);
    if (inserted.length > 0) {
      this.send({
        sql: `COPY ${table(this.t, name)} (tenant_id, ${list}) FROM STDIN`,
        params: [inserted.map((r) => `${this.t.rowId}\t${line(r)}\n`).join('')],
        fallback: () => ({ sql: upsert, params: params(inserted) }),
      });
    }
    if (upserted.length > 0) this.send({ sql: upsert, params: params(upserted) });
  }

  /** Sends a statement without waiting for it (the connection runs statements in order); `run` waits. */
  private send(statement: Statement): void {
    if (statement.fallback !== undefined && this.savepointAt < 0) {
      this.savepointAt = this.statements.length;
      this.sent.push(quietly(this.tx.query('SAVEPOINT fresh_rows')));
    }
    this.statements.push(statement);
    this.sent.push(quietly(this.tx.query(statement.sql, statement.params)));
  }

  /** Whether the row differs from what was last written; if so it owes a `sync_state` row. */
  private changed(entity: EntityType, id: string, sum: string): boolean {
    if (this.checksums.get(id) === sum) return false;
    this.record(entity, id, sum);
    return true;
  }

  private record(entity: EntityType, id: string, sum: string | null): void {
    this.checksums.set(id, sum);
    this.changes.push({ entity, id, op: sum === null ? 'delete' : 'upsert' });
  }
}

/** Values that need no quoting in an array literal (ids, numbers, booleans, hex checksums, entity types) as one: `{a,b,NULL}`. */
export function tokens(values: (string | null)[]): string {
  return `{${values.map((v) => v ?? 'NULL').join(',')}}`;
}

/** `promise`, its failure handled already (it is looked at once the statements after it have settled). */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The first of the statements' errors (once all have settled: those after a failure fail too, the transaction being aborted). */
async function firstError(sent: Promise<unknown>[]): Promise<unknown> {
  const settled = await Promise.allSettled(sent);
  return settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
}
