/**
 * Writes a document snapshot to the tenant's tables in ONE transaction, so
 * a failure (or a crash) at any point leaves the previous state intact.
 *
 * Change detection: each row's content checksum (SHA-256 of its canonical
 * record, see records.ts) is kept in `sync_state.postgres_checksum`. A row
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
import { checksum, pgSafe } from './checksum';
import { atomVersionId, documentId } from './ids';
import { atomRecordOf, atomValueOf, documentRecords, type AtomRecord, type DocumentRecords, type EntityType } from './records';
import { AtomRepository, type AtomRow } from './repositories/atoms';
import type { Queryable, SqlClient } from './sql/client';
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

/** First key of the writers' advisory lock (the second is the schema's hash); see migrations.ts for the other. */
const WRITE_LOCK = 0x6b6f_0002;

export async function writeDocument(client: SqlClient, t: Tenant, snapshot: DocumentSnapshot): Promise<WriteResult> {
  const records = pgSafe(documentRecords(t, snapshot));
  return client.transaction((tx) => apply(tx, t, records.document.id, records));
}

/**
 * Removes a document: its blocks, molecules and document row are deleted (the
 * seed gives them no `deleted_at`); atoms no other document defines are
 * soft-deleted. Domains stay. Removing an unknown document changes nothing.
 */
export async function removeDocument(client: SqlClient, t: Tenant, uri: string): Promise<WriteResult> {
  return client.transaction((tx) => apply(tx, t, documentId(t.id, uri), null));
}

/** Brings the rows of one document to `next` (null: remove the document). */
async function apply(tx: Queryable, t: Tenant, docId: string, next: DocumentRecords | null): Promise<WriteResult> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WRITE_LOCK, t.schema]);
  const w = new Writes(tx, t);

  const oldBlocks = await tx.query<{ id: string; molecule_ids: string[] | null }>(`SELECT id, molecule_ids FROM ${table(t, 'blocks')} WHERE document_id = $1`, [
    docId,
  ]);
  const oldBlockIds = new Set(oldBlocks.rows.map((b) => b.id));
  const oldMoleculeIds = new Set(oldBlocks.rows.flatMap((b) => b.molecule_ids ?? []));
  const nextAtoms = next?.atoms ?? [];
  const oldAtoms = new Map(
    (await new AtomRepository(tx, t).findForDefinitions(nextAtoms.map((a) => a.id), [...oldBlockIds])).map((row) => [row.id, row] as const),
  );
  await w.loadChecksums([
    docId,
    ...(next ? [next.domain.id, ...next.blocks.map((b) => b.id), ...next.molecules.map((m) => m.id)] : []),
    ...oldBlockIds,
    ...oldMoleculeIds,
    ...oldAtoms.keys(),
  ]);

  // Parents before children: the document before its blocks (its root_block_id FK is deferred), blocks in document order.
  if (next) {
    await w.upsert('domain', 'domains', DOMAIN_COLUMNS, [next.domain]);
    await w.upsert('document', 'documents', DOCUMENT_COLUMNS, [next.document]);
    await w.upsert('block', 'blocks', BLOCK_COLUMNS, next.blocks);
    await w.upsert('molecule', 'molecule_metadata', MOLECULE_COLUMNS, next.molecules);
  }
  const nextMoleculeIds = new Set(next?.molecules.map((m) => m.id));
  await w.delete('molecule', 'molecule_metadata', [...oldMoleculeIds].filter((id) => !nextMoleculeIds.has(id)));

  // Atoms: this document's definitions replace its old ones in `defined_in`; atoms left with none are soft-deleted.
  const merged = nextAtoms.map((a) => ({ ...a, defined_in: mergeDefinedIn(oldAtoms.get(a.id)?.definedIn ?? [], oldBlockIds, a.defined_in) }));
  const nextAtomIds = new Set(nextAtoms.map((a) => a.id));
  const undefinedIds: string[] = [];
  for (const old of oldAtoms.values()) {
    if (nextAtomIds.has(old.id) || old.deletedAt !== null) continue;
    const definedIn = mergeDefinedIn(old.definedIn, oldBlockIds, []);
    if (definedIn.length === 0) undefinedIds.push(old.id);
    else merged.push({ ...atomRecordOf(old), defined_in: definedIn });
  }
  const versioned = await w.upsertAtoms(merged, oldAtoms);
  await w.softDeleteAtoms(undefinedIds);

  const nextBlockIds = new Set(next?.blocks.map((b) => b.id));
  await w.delete('block', 'blocks', [...oldBlockIds].filter((id) => !nextBlockIds.has(id)));
  if (!next) await w.deleteIfExists('document', 'documents', docId);
  await w.flushSyncState();
  return { documentId: docId, changes: w.changes, versioned };
}

/** `defined_in` without the document's old blocks, plus its new ones. */
function mergeDefinedIn(old: string[], documentBlocks: Set<string>, added: string[]): string[] {
  return [...new Set([...old.filter((id) => !documentBlocks.has(id)), ...added])].sort();
}

interface Column {
  name: string;
  type: string;
}

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
const ATOM_COLUMNS = columns(
  'id uuid, domain_id uuid, atom_type text, text_value text, number_value numeric, boolean_value boolean, date_value timestamptz, json_value jsonb, unit text, one_of jsonb, name text, confidence float8, source text, defined_in uuid[], version integer, previous_version uuid, deleted_at timestamptz',
);
/** What a history row copies from the current row (all but id and deleted_at). */
const ATOM_HISTORY_COPY =
  'tenant_id, domain_id, atom_type, text_value, number_value, boolean_value, date_value, json_value, unit, one_of, name, description, confidence, source, defined_in, version, previous_version, created_at, updated_at';

/** The writes of one transaction, and the `sync_state` rows they owe. */
class Writes {
  readonly changes: Change[] = [];
  /** Last written checksum per entity id (`sync_state.postgres_checksum`). */
  private readonly checksums = new Map<string, string | null>();

  constructor(
    private readonly tx: Queryable,
    private readonly t: Tenant,
  ) {}

  async loadChecksums(ids: string[]): Promise<void> {
    const { rows } = await this.tx.query<{ entity_id: string; postgres_checksum: string | null }>(
      `SELECT entity_id, postgres_checksum FROM ${table(this.t, 'sync_state')} WHERE entity_id = ANY($1::uuid[])`,
      [[...new Set(ids)]],
    );
    for (const r of rows) this.checksums.set(r.entity_id, r.postgres_checksum);
  }

  /** Inserts or updates, in one statement, the records whose checksum changed. */
  async upsert<R extends { id: string }>(entity: EntityType, name: TenantTable, cols: Column[], records: R[]): Promise<void> {
    await this.write(name, cols, records.filter((r) => this.changed(entity, r.id, checksum(r))));
  }

  /**
   * Upserts the changed atoms (undeleting them). Those whose value changed
   * first get their old values copied into a history row; returns their ids.
   */
  async upsertAtoms(atoms: AtomRecord[], old: Map<string, AtomRow>): Promise<string[]> {
    const history: { id: string; history_id: string }[] = [];
    const rows = atoms
      .filter((a) => this.changed('atom', a.id, checksum(a)))
      .map((a) => {
        const before = old.get(a.id);
        if (!before) return { ...a, version: 1, previous_version: null, deleted_at: null };
        if (checksum(atomValueOf(atomRecordOf(before))) === checksum(atomValueOf(a))) {
          return { ...a, version: before.version, previous_version: before.previousVersion, deleted_at: null };
        }
        const historyId = atomVersionId(a.id, before.version);
        history.push({ id: a.id, history_id: historyId });
        return { ...a, version: before.version + 1, previous_version: historyId, deleted_at: null };
      });
    if (history.length > 0) {
      await this.tx.query(
        `INSERT INTO ${table(this.t, 'atoms')} (id, ${ATOM_HISTORY_COPY}, deleted_at)
         SELECT h.history_id, ${ATOM_HISTORY_COPY}, NOW()
         FROM ${table(this.t, 'atoms')} JOIN jsonb_to_recordset($1::jsonb) AS h(id uuid, history_id uuid) USING (id)`,
        [JSON.stringify(history)],
      );
    }
    await this.write('atoms', ATOM_COLUMNS, rows);
    return history.map((h) => h.id);
  }

  async softDeleteAtoms(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.query(`UPDATE ${table(this.t, 'atoms')} SET defined_in = '{}', deleted_at = NOW(), updated_at = NOW() WHERE id = ANY($1::uuid[])`, [ids]);
    for (const id of ids) this.record('atom', id, null);
  }

  async delete(entity: EntityType, name: TenantTable, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.query(`DELETE FROM ${table(this.t, name)} WHERE id = ANY($1::uuid[])`, [ids]);
    for (const id of ids) this.record(entity, id, null);
  }

  async deleteIfExists(entity: EntityType, name: TenantTable, id: string): Promise<void> {
    const { rowCount } = await this.tx.query(`DELETE FROM ${table(this.t, name)} WHERE id = $1`, [id]);
    if (rowCount > 0) this.record(entity, id, null);
  }

  /** One statement for all the `sync_state` rows of this write: pending, `postgres_version` + 1, the new checksum. */
  async flushSyncState(): Promise<void> {
    if (this.changes.length === 0) return;
    const rows = this.changes.map((c) => ({ entity_type: c.entity, entity_id: c.id, checksum: this.checksums.get(c.id) ?? null }));
    await this.tx.query(
      `INSERT INTO ${table(this.t, 'sync_state')} (tenant_id, entity_type, entity_id, postgres_version, postgres_checksum, sync_status)
       SELECT $1, entity_type, entity_id, 1, checksum, 'pending' FROM jsonb_to_recordset($2::jsonb) AS r(entity_type text, entity_id uuid, checksum text)
       ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE SET
         postgres_version = sync_state.postgres_version + 1, postgres_checksum = EXCLUDED.postgres_checksum,
         sync_status = 'pending', sync_error = NULL, updated_at = NOW()`,
      [this.t.rowId, JSON.stringify(rows)],
    );
  }

  /** `INSERT … ON CONFLICT (id) DO UPDATE` of rows passed as one JSON parameter. */
  private async write(name: TenantTable, cols: Column[], rows: object[]): Promise<void> {
    if (rows.length === 0) return;
    const list = cols.map((c) => c.name).join(', ');
    const types = cols.map((c) => `${c.name} ${c.type}`).join(', ');
    const updates = cols
      .filter((c) => c.name !== 'id')
      .map((c) => `${c.name} = EXCLUDED.${c.name}`)
      .join(', ');
    await this.tx.query(
      `INSERT INTO ${table(this.t, name)} (tenant_id, ${list})
       SELECT $1, ${list} FROM jsonb_to_recordset($2::jsonb) AS r(${types})
       ON CONFLICT (id) DO UPDATE SET ${updates}, updated_at = NOW()`,
      [this.t.rowId, JSON.stringify(rows)],
    );
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
