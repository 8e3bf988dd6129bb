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
import { prepareDocuments, writePrepared, type BatchResult, type PreparedDocuments, type WriteResult } from '../persistence/writer';

export function sourceChecksum(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `writeDocument`, and the document's `source` set in the same transaction. `snapshot` must be `parseDocument(snapshot.uri, text)`. */
export async function writeDocumentWithSource(client: SqlClient, t: Tenant, snapshot: DocumentSnapshot, text: string): Promise<WriteResult> {
  const { documentIds, changes, versioned } = await writeDocumentsWithSources(client, t, [{ snapshot, text }]);
  return { documentId: documentIds[0], changes, versioned };
}

export interface SourcedSnapshot {
  /** `parseDocument(snapshot.uri, text)`. */
  snapshot: DocumentSnapshot;
  text: string;
}

/** `writeDocuments`, and each document's `source` set in the same one transaction. */
export async function writeDocumentsWithSources(client: SqlClient, t: Tenant, docs: SourcedSnapshot[]): Promise<BatchResult> {
  return writePreparedSources(client, t, await prepareDocuments(t, docs.map((d) => d.snapshot)), docs);
}

function writePreparedSources(client: SqlClient, t: Tenant, prepared: PreparedDocuments, docs: SourcedSnapshot[]): Promise<BatchResult> {
  const texts = new Map(docs.map((d) => [d.snapshot.uri, d.text] as const));
  const sources = [...texts].map(([uri, text]) => ({ id: documentId(t.id, uri), text }));
  return writePrepared(
    alsoInTransaction(client, (tx) => storeSources(tx, t, sources)),
    t,
    prepared,
  );
}

/** A batch's text bound: rows, JSON parameters and source are several times the text. */
const MAX_BATCH_CHARS = 8_000_000;
/**
 * Documents per batch. Smaller batches keep less in memory while the next
 * is prepared, and PostgreSQL starts sooner (500 generated files, three
 * interleaved runs each: 50 → 11.3–12.0k entities/s, 100 → 11.1–11.3k,
 * 200 → 10.5–10.8k, 400 → 7.2–9.0k; 10,000 files: 50 and 100 the same).
 */
const BATCH_SIZE = 100;

/**
 * Writes documents with their sources in batches of `batchSize` documents
 * (fewer when their text reaches MAX_BATCH_CHARS), one transaction each, pipelined: while PostgreSQL writes one batch, the next
 * one is parsed by the caller and prepared here. `add` waits only when a
 * batch is ready and the previous one is still being written; `finish`
 * writes the rest. A failed batch makes the next `add` or `finish` throw.
 */
export class SourceWriter {
  private batch: SourcedSnapshot[] = [];
  private batchChars = 0;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: SqlClient,
    private readonly t: Tenant,
    private readonly options: { batchSize?: number; onWritten?: (result: BatchResult) => void } = {},
  ) {}

  /** Also yields to the event loop, so that the batch in flight progresses while the caller parses. */
  async add(doc: SourcedSnapshot): Promise<void> {
    this.batch.push(doc);
    this.batchChars += doc.text.length;
    if (this.batch.length >= (this.options.batchSize ?? BATCH_SIZE) || this.batchChars >= MAX_BATCH_CHARS) await this.send();
    else await new Promise(setImmediate);
  }

  async finish(): Promise<void> {
    if (this.batch.length > 0) await this.send();
    await this.inFlight;
  }

  private async send(): Promise<void> {
    const docs = this.batch;
    this.batch = [];
    this.batchChars = 0;
    const prepared = await prepareDocuments(this.t, docs.map((d) => d.snapshot));
    await this.inFlight;
    const write = writePreparedSources(this.client, this.t, prepared, docs).then((result) => this.options.onWritten?.(result));
    // Awaited by the next `send` or `finish`; until then a failure must not count as unhandled.
    write.catch(() => undefined);
    this.inFlight = write;
  }
}

/** `client` whose transactions run `extra` after their work, before COMMIT (writeDocuments is one transaction). */
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

/** Arrays, not JSON: the text goes to PostgreSQL exactly as a text parameter would. */
async function storeSources(tx: Queryable, t: Tenant, docs: { id: string; text: string }[]): Promise<void> {
  await tx.query(
    `UPDATE ${table(t, 'documents')} d SET source = r.source, source_checksum = r.sum
     FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(id, source, sum)
     WHERE d.id = r.id AND d.source_checksum IS DISTINCT FROM r.sum`,
    [docs.map((d) => d.id), docs.map((d) => d.text), docs.map((d) => sourceChecksum(d.text))],
  );
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

/** Records that the graph holds each document's `checksum` version (unless a newer source was written meanwhile). */
export async function markGraphSynced(db: Queryable, t: Tenant, docs: { id: string; checksum: string }[]): Promise<void> {
  await db.query(
    `UPDATE ${table(t, 'documents')} d SET graph_checksum = c.sum FROM unnest($1::uuid[], $2::text[]) AS c(id, sum)
     WHERE d.id = c.id AND d.source_checksum = c.sum`,
    [docs.map((d) => d.id), docs.map((d) => d.checksum)],
  );
}

/** `source_checksum` per document uri: a file whose text has this checksum is already written. */
export async function storedChecksums(db: Queryable, t: Tenant): Promise<Map<string, string>> {
  const { rows } = await db.query<{ uri: string; sum: string }>(
    `SELECT uri, source_checksum AS sum FROM ${table(t, 'documents')} WHERE source_checksum IS NOT NULL`,
  );
  return new Map(rows.map((r) => [r.uri, r.sum]));
}
