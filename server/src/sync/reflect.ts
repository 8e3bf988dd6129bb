/**
 * Graph → PostgreSQL (seed §4.2 pattern 2): Neo4j is the source of truth for
 * relationships, so the arrays that mirror them in PostgreSQL follow it —
 * `molecule_metadata.atom_ids` (PART_OF, and REQUIRES as records.ts counts
 * them), `blocks.atom_ids` (APPEARS_IN) and `blocks.molecule_ids`. A PART_OF
 * or APPEARS_IN another tool adds or deletes in the graph shows up in the
 * arrays at the next reflection (eventual consistency, seed §4.4).
 *
 * Only documents whose graph holds their current source are reflected
 * (`graph_checksum = source_checksum`, the same value read before the graph
 * and again under the writers' lock): a graph that is behind would put its
 * old arrays back over newer rows, and the writer finds a document's old
 * molecules through `blocks.molecule_ids`, so a stale list there would leave
 * rows it never deletes. Holding the writers' advisory lock, no write of the
 * tenant is half done while the arrays are updated.
 *
 * `sync_state` is left alone. The change came from the graph, so there is
 * nothing to push (a pending row would make the worker push the document's
 * source and undo it). `postgres_checksum` keeps meaning "the record last
 * written from the source": writing the same text again skips the row and
 * keeps the reflected arrays, which is right since the graph is not pushed
 * again either; writing changed text pushes the document, whose graph is
 * then the source's again, and the reflection after that push brings the
 * arrays back in line (rows the writer rewrote are in line already).
 *
 * Arrays are compared as sets. Block arrays are written sorted, as records.ts
 * writes them; a molecule's `atom_ids` keep their order (the order the rule
 * mentions them) and new ids go last, sorted. `updated_at` moves only on rows
 * that changed.
 */
import type { DocumentLinks } from '../graph/links';
import type { GraphStore } from '../graph/store';
import type { Queryable, SqlClient } from '../persistence/sql/client';
import { table, type Tenant } from '../persistence/sql/tenant';
import { WRITE_LOCK } from '../persistence/writer';

export interface ReflectResult {
  /** `molecule_metadata` rows whose `atom_ids` changed. */
  molecules: number;
  /** `blocks` rows whose `atom_ids` or `molecule_ids` changed. */
  blocks: number;
}

export async function reflectLinks(db: SqlClient, t: Tenant, graph: GraphStore, documentIds: string[]): Promise<ReflectResult> {
  const synced = await syncedDocuments(db, t, [...new Set(documentIds)]);
  if (synced.size === 0) return { molecules: 0, blocks: 0 };
  const rows = linkRows(await graph.documentLinks(t.id, [...synced.keys()]), synced);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WRITE_LOCK, t.schema]);
    return { molecules: await updateMolecules(tx, t, rows.molecules), blocks: await updateBlocks(tx, t, rows.blocks) };
  });
}

/** The source checksum of each listed document whose graph holds it. */
async function syncedDocuments(db: Queryable, t: Tenant, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; checksum: string }>(
    `SELECT id, source_checksum AS checksum FROM ${table(t, 'documents')}
     WHERE id = ANY($1::uuid[]) AND source_checksum IS NOT NULL AND graph_checksum = source_checksum`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.checksum]));
}

interface MoleculeRow {
  id: string;
  document_id: string;
  checksum: string;
  atom_ids: string[];
}

interface BlockRow extends MoleculeRow {
  molecule_ids: string[];
}

/** The graph's arrays as rows, each with the source checksum its document must still have. */
function linkRows(links: DocumentLinks[], checksums: Map<string, string>): { molecules: MoleculeRow[]; blocks: BlockRow[] } {
  const molecules: MoleculeRow[] = [];
  const blocks: BlockRow[] = [];
  for (const { documentId, molecules: ms, blocks: bs } of links) {
    const checksum = checksums.get(documentId);
    if (checksum === undefined) continue;
    for (const m of ms) molecules.push({ id: m.id, document_id: documentId, checksum, atom_ids: m.atomIds });
    for (const b of bs) blocks.push({ id: b.id, document_id: documentId, checksum, atom_ids: b.atomIds, molecule_ids: b.moleculeIds });
  }
  return { molecules, blocks };
}

/** Joined to every update: the row's document still has the source its graph was read for. */
const STILL_SYNCED = (t: Tenant) =>
  `JOIN ${table(t, 'documents')} d ON d.id = r.document_id AND d.source_checksum = r.checksum AND d.graph_checksum = r.checksum`;

/** `a` and `b` hold the same ids (NULL as empty). */
const SAME_SET = (a: string, b: string) => `(coalesce(${a}, '{}') @> ${b} AND ${b} @> coalesce(${a}, '{}'))`;

async function updateMolecules(tx: Queryable, t: Tenant, rows: MoleculeRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE ${table(t, 'molecule_metadata')} m SET
       atom_ids = ARRAY(SELECT a FROM unnest(m.atom_ids) WITH ORDINALITY AS o(a, i) WHERE a = ANY(r.atom_ids) ORDER BY i)
         || ARRAY(SELECT a FROM unnest(r.atom_ids) AS a WHERE a <> ALL(m.atom_ids) ORDER BY a),
       updated_at = NOW()
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, document_id uuid, checksum text, atom_ids uuid[])
     ${STILL_SYNCED(t)}
     WHERE m.id = r.id AND NOT ${SAME_SET('m.atom_ids', 'r.atom_ids')}`,
    [JSON.stringify(rows)],
  );
  return rowCount;
}

async function updateBlocks(tx: Queryable, t: Tenant, rows: BlockRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE ${table(t, 'blocks')} b SET atom_ids = r.atom_ids, molecule_ids = r.molecule_ids, updated_at = NOW()
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, document_id uuid, checksum text, atom_ids uuid[], molecule_ids uuid[])
     ${STILL_SYNCED(t)}
     WHERE b.id = r.id AND b.document_id = r.document_id
       AND NOT (${SAME_SET('b.atom_ids', 'r.atom_ids')} AND ${SAME_SET('b.molecule_ids', 'r.molecule_ids')})`,
    [JSON.stringify(rows)],
  );
  return rowCount;
}
