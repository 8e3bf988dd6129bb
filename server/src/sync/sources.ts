/**
 * Writing a document together with its source text (tenant migration 2), in
 * the writer's one transaction: the text the worker re-parses is always the
 * text whose rows PostgreSQL holds.
 */
import { createHash } from 'node:crypto';
import type { DocumentSnapshot } from '../core/document';
import { documentId } from '../persistence/ids';
import type { Queryable, SqlClient } from '../persistence/sql/client';
import { table, type Tenant } from '../persistence/sql/tenant';
import { writeDocument, type WriteResult } from '../persistence/writer';

export function sourceChecksum(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `writeDocument`, and the document's `source` set in the same transaction. `snapshot` must be `parseDocument(snapshot.uri, text)`. */
export function writeDocumentWithSource(client: SqlClient, t: Tenant, snapshot: DocumentSnapshot, text: string): Promise<WriteResult> {
  const id = documentId(t.id, snapshot.uri);
  return writeDocument(alsoInTransaction(client, (tx) => storeSource(tx, t, id, text)), t, snapshot);
}

/** `client` whose transactions run `extra` after their work, before COMMIT (writeDocument is one transaction). */
function alsoInTransaction(client: SqlClient, extra: (tx: Queryable) => Promise<void>): SqlClient {
  return {
    backend: client.backend,
    query: (sql, params) => client.query(sql, params),
    transaction: (fn) =>
      client.transaction(async (tx) => {
        const result = await fn(tx);
        await extra(tx);
        return result;
      }),
    close: () => client.close(),
  };
}

async function storeSource(tx: Queryable, t: Tenant, id: string, text: string): Promise<void> {
  const sum = sourceChecksum(text);
  await tx.query(`UPDATE ${table(t, 'documents')} SET source = $2, source_checksum = $3 WHERE id = $1 AND source_checksum IS DISTINCT FROM $3`, [
    id,
    text,
    sum,
  ]);
}

export interface StoredSource {
  id: string;
  uri: string;
  source: string | null;
  sourceChecksum: string | null;
}

/** Documents whose graph is behind their source, plus those listed in `ids`. */
export async function sourcesToSync(db: Queryable, t: Tenant, ids: string[]): Promise<StoredSource[]> {
  const { rows } = await db.query<StoredSource>(
    `SELECT id, uri, source, source_checksum AS "sourceChecksum" FROM ${table(t, 'documents')}
     WHERE (source IS NOT NULL AND graph_checksum IS DISTINCT FROM source_checksum) OR id = ANY($1::uuid[]) ORDER BY uri`,
    [ids],
  );
  return rows;
}

/** Every stored source (to fill an empty in-memory graph). */
export async function allSources(db: Queryable, t: Tenant): Promise<StoredSource[]> {
  const { rows } = await db.query<StoredSource>(
    `SELECT id, uri, source, source_checksum AS "sourceChecksum" FROM ${table(t, 'documents')} WHERE source IS NOT NULL ORDER BY uri`,
  );
  return rows;
}

/** Records that the graph holds `checksum`'s version of the document (unless a newer source was written meanwhile). */
export async function markGraphSynced(db: Queryable, t: Tenant, id: string, checksum: string): Promise<void> {
  await db.query(`UPDATE ${table(t, 'documents')} SET graph_checksum = $2 WHERE id = $1 AND source_checksum = $2`, [id, checksum]);
}

/** `source_checksum` per document uri: a file whose text has this checksum is already written. */
export async function storedChecksums(db: Queryable, t: Tenant): Promise<Map<string, string>> {
  const { rows } = await db.query<{ uri: string; sum: string }>(
    `SELECT uri, source_checksum AS sum FROM ${table(t, 'documents')} WHERE source_checksum IS NOT NULL`,
  );
  return new Map(rows.map((r) => [r.uri, r.sum]));
}
