/**
 * The Neo4j sync worker: drains a tenant's `sync_state` rows (pending, failed,
 * or left `syncing` by a crashed worker) into a GraphStore.
 *
 * The unit pushed is the DOCUMENT: its graph is `toGraph(parseDocument(uri,
 * source))` from the source text stored with its rows (tenant migration 2),
 * and `replaceDocuments` makes the graph hold exactly that (idempotent), up
 * to PUSH_BATCH documents per graph transaction; a deleted document row
 * means `removeDocument`. A large drain runs LANES transactions at once,
 * each lane holding whole domains (`lanes`). A caller that holds the parsed documents passes
 * `graphOf` and spares the worker the parse. Documents to push are those
 * the actionable rows belong to plus every document whose graph is behind its
 * source (a write that only deleted blocks leaves rows no live document owns).
 *
 * A row is claimed (`syncing`) by the push of its first document, right
 * before that push writes the graph; a row another worker claimed first, or
 * written again since it was read, is left to that worker or the next drain.
 * A claimed row becomes `synced` when every document it belongs to was pushed (rows
 * of deleted entities, and domains, when every push of the drain succeeded);
 * otherwise `failed` with the redacted error. Pushes are retried with
 * exponential backoff within a drain, a failed batch one document at a time
 * (so that one bad document does not hold back the others); what still fails stays `failed` in
 * PostgreSQL and is retried by the next drain, in this process or another.
 */
import { domainOf, parseDocument } from '../core/document';
import { toGraph, type DocumentGraph } from '../graph/model';
import type { GraphStore } from '../graph/store';
import { redactSecrets, type SqlClient } from '../persistence/sql/client';
import type { Tenant } from '../persistence/sql/tenant';
import { reflectLinks, type ReflectResult } from './reflect';
import { actionableRows, claimRows, documentsOfEntities, markFailed, markSynced, type SyncRow } from './rows';
import { markGraphSynced, sourcesToSync } from './sources';

export interface WorkerOptions {
  /** Push attempts per document within one drain (default 4). */
  attempts?: number;
  /** Delay before the first retry, doubled for each next one (default 500 ms, at most `maxDelayMs`, default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Rows left `syncing` this long are taken over (default 10 minutes). */
  leaseMs?: number;
  /** Texts removed from stored errors (passwords); URL credentials are always removed. */
  secrets?: string[];
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Documents replaced per graph transaction (default PUSH_BATCH). */
  batchSize?: number;
  /**
   * Graph transactions under way at once, each for documents of other domains than the others'
   * (default LANES when there are at least 2 × PUSH_BATCH documents to replace, else 1).
   */
  lanes?: number;
  /** Documents pushed or given up so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The graph of the document `uri` whose source has `sourceChecksum`, when
   * the caller holds it already parsed (the language server, `kos sync`);
   * otherwise the worker parses the stored source.
   */
  graphOf?: (uri: string, sourceChecksum: string) => DocumentGraph | undefined;
}

interface Sourced {
  id: string;
  uri: string;
  source: string;
  sourceChecksum: string;
}

export interface DrainResult {
  /** `sync_state` rows claimed. */
  rows: number;
  synced: number;
  failed: number;
  /** Documents replaced or removed in the graph. */
  documents: number;
  /** Redacted error per document that could not be pushed. */
  errors: { documentId: string; error: string }[];
  /** PostgreSQL rows whose relationship arrays were brought in line with the graph after the push; null when that failed (the graph went away). */
  reflected: ReflectResult | null;
}

/** A unit of work on the graph: one document removed, or several replaced in one transaction. */
interface Push {
  documentIds: string[];
  /** Pushes of one lane run one after the other, lanes at the same time; lane -1 (removals) runs before the others. */
  lane: number;
  run(): Promise<void>;
  /** The same work one document at a time (to isolate a failing document); absent for a single document. */
  split?(): Push[];
}

/** Documents replaced per graph transaction (`replaceDocuments`). */
const PUSH_BATCH = 100;
/**
 * Graph transactions at once. A Neo4j transaction runs on one thread and
 * the worker waits for it; two keep both cores busy (and PostgreSQL's
 * bookkeeping of one lane overlaps the other's graph write). Small drains
 * gain nothing from it and run in one lane.
 */
const LANES = 2;
const MAX_ERROR = 500;

export async function drainSyncState(db: SqlClient, t: Tenant, graph: GraphStore, options: WorkerOptions = {}): Promise<DrainResult> {
  const now = options.now ?? (() => new Date());
  const staleBefore = new Date(now().getTime() - (options.leaseMs ?? 600_000));
  const rows = await actionableRows(db, t, staleBefore);
  const owners = await documentsOfEntities(db, t, rows);
  const failures = new Map<string, string>();
  const replaced: Sourced[] = [];
  for (const doc of await sourcesToSync(db, t, [...new Set([...owners.values()].flatMap((s) => [...s]))])) {
    const { id, uri, source, sourceChecksum } = doc;
    if (source === null || sourceChecksum === null) failures.set(id, 'the document was written without its source text: write it again with `kos sync`');
    else replaced.push({ id, uri, source, sourceChecksum });
  }

  // Rows are claimed (made `syncing`, `claimRows`) by the push of the first of their documents, right before it writes
  // the graph, so that a lane claims while the other writes; those of no document to push (domains, deleted entities,
  // documents without their source) now.
  const rowsOf = new Map<string, SyncRow[]>();
  for (const row of rows) {
    for (const d of owners.get(row.entityId) ?? []) {
      const list = rowsOf.get(d);
      if (list) list.push(row);
      else rowsOf.set(d, [row]);
    }
  }
  const claimed = new Set<string>();
  const tried = new Set<string>();
  const claim = async (list: SyncRow[]) => {
    const fresh = list.filter((r) => !tried.has(r.id));
    for (const id of await claimRows(db, t, fresh, now(), staleBefore)) claimed.add(id);
    for (const r of fresh) tried.add(r.id);
  };
  const pushedIds = new Set(replaced.map((d) => d.id));
  await claim(rows.filter((r) => ![...(owners.get(r.entityId) ?? [])].some((d) => pushedIds.has(d))));

  const pushes: Push[] = rows
    .filter((r) => r.entityType === 'document' && r.deleted && claimed.has(r.id))
    .map((r) => ({ documentIds: [r.entityId], lane: -1, run: () => graph.removeDocument(t.id, r.entityId) }));
  // Graph → PostgreSQL: the arrays mirroring the pushed documents' relationships follow the graph (reflect.ts),
  // after each push (while the other lanes write the graph). Best effort: the arrays were written from the same
  // source, so they differ only where another tool changed the graph; null once a reflection failed.
  let reflected: ReflectResult | null = { molecules: 0, blocks: 0 };
  const reflect = async (ids: string[]) => {
    const r = await reflectLinks(db, t, graph, ids).catch(() => null);
    reflected = r && reflected && { molecules: reflected.molecules + r.molecules, blocks: reflected.blocks + r.blocks };
  };
  // A row is marked synced as soon as every document it belongs to is in the graph, by the lane that pushed the last
  // of them (while the other lanes write the graph); rows of no document (domains, deleted entities) at the end.
  const inGraph = new Set<string>();
  const marked = new Set<string>();
  const markPushed = async (ids: string[]) => {
    for (const id of ids) inGraph.add(id);
    const done = new Set(
      ids.flatMap((id) => rowsOf.get(id) ?? []).filter((r) => claimed.has(r.id) && !marked.has(r.id) && [...owners.get(r.entityId)!].every((d) => inGraph.has(d))),
    );
    await markSynced(db, t, [...done], now());
    for (const r of done) marked.add(r.id);
  };
  const replace = (docs: Sourced[], lane: number): Push => ({
    documentIds: docs.map((d) => d.id),
    lane,
    run: async () => {
      await claim(docs.flatMap((d) => rowsOf.get(d.id) ?? []));
      const graphs = docs.map((d) => options.graphOf?.(d.uri, d.sourceChecksum) ?? toGraph(t.id, parseDocument(d.uri, d.source)));
      await graph.replaceDocuments(t.id, graphs);
      await markGraphSynced(db, t, docs.map((d) => ({ id: d.id, checksum: d.sourceChecksum })));
      await markPushed(docs.map((d) => d.id));
      await reflect(docs.map((d) => d.id));
    },
    split: docs.length > 1 ? () => docs.map((d) => replace([d], lane)) : undefined,
  });
  const batch = Math.max(1, options.batchSize ?? PUSH_BATCH);
  const domain = (d: Sourced) => options.graphOf?.(d.uri, d.sourceChecksum)?.domain.name ?? domainOfSource(d.uri, d.source);
  const laneCount = Math.max(1, options.lanes ?? (replaced.length >= 2 * PUSH_BATCH ? LANES : 1));
  for (const [lane, docs] of lanes(replaced, domain, laneCount).entries()) {
    for (let i = 0; i < docs.length; i += batch) pushes.push(replace(docs.slice(i, i + batch), lane));
  }

  let done = 0;
  let pushed = 0;
  const total = pushes.reduce((n, p) => n + p.documentIds.length, 0) + failures.size;
  const settle = (push: Push, error: unknown) => {
    for (const id of push.documentIds) {
      if (error === undefined) {
        failures.delete(id);
        pushed++;
      } else failures.set(id, redact(error, options.secrets ?? []));
    }
  };
  await withRetries(pushes, options, settle, (finished) => options.onProgress?.((done += finished), total));

  const firstError = failures.values().next().value;
  const outcome = (row: SyncRow): string | undefined => {
    const docs = owners.get(row.entityId) ?? (row.entityType === 'document' ? new Set([row.entityId]) : undefined);
    if (!docs) return firstError;
    for (const d of docs) if (failures.has(d)) return failures.get(d);
    return undefined;
  };
  const mine = rows.filter((r) => claimed.has(r.id));
  const failed = mine.flatMap((row) => {
    const error = outcome(row);
    return error === undefined ? [] : [{ row, error }];
  });
  const failedIds = new Set(failed.map((f) => f.row.id));
  await markSynced(db, t, mine.filter((r) => !failedIds.has(r.id) && !marked.has(r.id)), now());
  await markFailed(db, t, failed, now());
  return {
    rows: mine.length,
    synced: mine.length - failed.length,
    failed: failed.length,
    documents: pushed,
    errors: [...failures].map(([documentId, error]) => ({ documentId, error })),
    reflected,
  };
}

/**
 * The documents in at most `count` lanes, each domain's documents in one
 * lane, the lanes about equally long, each in the documents' order. Documents of one
 * domain share its atoms and Domain node, those of different domains share
 * nothing in the graph: concurrent transactions of different lanes never
 * wait for each other's locks, and an atom two documents define gets the
 * value of the later one, as when pushed one after the other.
 */
function lanes<T>(docs: T[], domainOf: (doc: T) => string, count: number): T[][] {
  const sizes = new Map<string, number>();
  const domains = docs.map(domainOf);
  for (const d of domains) sizes.set(d, (sizes.get(d) ?? 0) + 1);
  const load = new Array<number>(Math.min(count, sizes.size)).fill(0);
  const laneOf = new Map<string, number>();
  for (const [domain, size] of [...sizes].sort((a, b) => b[1] - a[1])) {
    const lane = load.indexOf(Math.min(...load));
    laneOf.set(domain, lane);
    load[lane] += size;
  }
  const out = load.map(() => [] as T[]);
  docs.forEach((doc, i) => out[laneOf.get(domains[i])!].push(doc));
  return out;
}

/**
 * The domain of a stored document, as parsing it would give, from its uri
 * and front matter only (the front matter can name the domain).
 */
function domainOfSource(uri: string, source: string): string {
  const header = FRONT_MATTER.exec(source);
  return header ? parseDocument(uri, header[0]).domain : domainOf(uri, null);
}

const FRONT_MATTER = /^---[ \t]*\r?\n(?:.*\r?\n)*?---[ \t]*(?:\r?\n|$)/;

/**
 * Runs every push; those that throw are retried (one document at a time) after 1, 2, 4… × `baseDelayMs`.
 * Within a round, removals run first, then the lanes at the same time. Reports each push's last outcome.
 */
async function withRetries(
  pushes: Push[],
  options: WorkerOptions,
  settle: (push: Push, error: unknown) => void,
  progress: (finished: number) => void,
): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let todo = pushes;
  for (let attempt = 1; todo.length > 0; attempt++) {
    const again: Push[] = [];
    const runLane = async (lane: Push[]) => {
      for (const push of lane) {
        try {
          await push.run();
          settle(push, undefined);
          progress(push.documentIds.length);
        } catch (error) {
          settle(push, error ?? 'unknown error');
          if (attempt < attempts) again.push(...(push.split?.() ?? [push]));
          else progress(push.documentIds.length);
        }
      }
    };
    await runLane(todo.filter((p) => p.lane < 0));
    const byLane = new Map<number, Push[]>();
    for (const push of todo.filter((p) => p.lane >= 0)) {
      const lane = byLane.get(push.lane);
      if (lane) lane.push(push);
      else byLane.set(push.lane, [push]);
    }
    await Promise.all([...byLane.values()].map(runLane));
    if (again.length === 0) return;
    await sleep(Math.min(options.maxDelayMs ?? 30_000, (options.baseDelayMs ?? 500) * 2 ** (attempt - 1)));
    todo = again;
  }
}

/** An error's message without URL credentials or any of `secrets`, bounded in length. */
export function redact(error: unknown, secrets: string[]): string {
  let text = redactSecrets(error instanceof Error ? error.message : String(error));
  for (const s of secrets) if (s) text = text.split(s).join('***');
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR)}…` : text;
}
