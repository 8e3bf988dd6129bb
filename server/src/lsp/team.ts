/**
 * Team knowledge: with a shared PostgreSQL, the documents colleagues synced
 * for the same tenant — those not in this workspace — join the index
 * read-only (origin 'team'), so a conflict with a colleague's rule shows up
 * in your file, its related information naming their document.
 *
 * Freshness: every write announces itself with `pg_notify` on the tenant's
 * channel (payload: the document's URI); a dedicated connection LISTENs and
 * re-reads what changed. While that connection is down the index is polled
 * (source checksums) instead, and LISTEN is retried.
 */
import type pg from 'pg';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '../core/document';
import type { Queryable } from '../persistence/sql/client';
import { redactSecrets } from '../persistence/sql/client';
import { table, type Tenant } from '../persistence/sql/tenant';
import type { ServerContext } from './context';
import type { Stores } from './stores';

/** The NOTIFY channel of a tenant (tenant ids are validated identifiers: `[a-z][a-z0-9_]*`). */
export function channelOf(t: Tenant): string {
  return `knowledge_${t.id}`;
}

/** Announces a written or removed document to the other servers of the tenant. */
export async function notifyChange(db: Queryable & { backend?: string }, t: Tenant, uri: string): Promise<void> {
  if (db.backend !== 'pg') return;
  // NOTIFY payloads are limited to 8000 bytes: an empty payload means "re-read everything".
  await db.query('SELECT pg_notify($1, $2)', [channelOf(t), uri.length < 7000 ? uri : '']);
}

const POLL_MS = 5000;
const MAX_RECONNECT_MS = 30_000;

export class TeamKnowledge {
  private listener: pg.Client | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectMs = 1000;
  private stopped = false;
  /** Source checksum of each team document in the index. */
  private readonly known = new Map<string, string>();
  private refreshing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly stores: Stores,
    private readonly changed: () => void,
  ) {}

  async start(): Promise<void> {
    await this.listen();
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.refreshing?.catch(() => undefined);
    // The index keeps nothing of a team it no longer belongs to.
    for (const uri of this.known.keys()) if (this.ctx.kb.origin(uri) === 'team') this.ctx.kb.remove(uri);
    this.known.clear();
    this.ctx.diagnostics.schedule();
  }

  /** True for documents of this workspace (they are indexed from disk, never from the team). */
  private mine(uri: string): boolean {
    const origin = this.ctx.kb.origin(uri);
    if (origin === 'open' || origin === 'disk') return true;
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return false;
    }
    return this.ctx.client.folders.some((f) => file.startsWith(f.endsWith('/') ? f : `${f}/`));
  }

  /** Re-reads the team's documents (all of them, or the one a notification named). */
  refresh(uri?: string): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.load(uri)
      .catch((error) => this.ctx.log(`team knowledge: ${this.stores.redact((error as Error).message)}`))
      .finally(() => {
        this.refreshing = null;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.refreshing;
  }

  private async load(uri: string | undefined): Promise<void> {
    if (this.stopped) return;
    const sql = await this.stores.sql();
    const t = this.stores.config.tenant;
    const docs = table(t, 'documents');
    const { rows } =
      uri === undefined
        ? await sql.query<{ uri: string; sum: string | null }>(`SELECT uri, source_checksum AS sum FROM ${docs} WHERE source IS NOT NULL`)
        : await sql.query<{ uri: string; sum: string | null }>(`SELECT uri, source_checksum AS sum FROM ${docs} WHERE uri = $1 AND source IS NOT NULL`, [uri]);
    const present = new Set<string>();
    let changes = 0;
    for (const row of rows) {
      present.add(row.uri);
      if (this.mine(row.uri) || row.sum === null || this.known.get(row.uri) === row.sum) continue;
      const { rows: sources } = await sql.query<{ source: string | null }>(`SELECT source FROM ${docs} WHERE uri = $1`, [row.uri]);
      const source = sources[0]?.source;
      if (source == null || this.stopped || this.mine(row.uri)) continue;
      this.ctx.kb.upsert(parseDocument(row.uri, source), 'team');
      this.known.set(row.uri, row.sum);
      changes++;
    }
    const gone = uri === undefined ? [...this.known.keys()] : [uri];
    for (const u of gone) {
      if (present.has(u) || !this.known.has(u)) continue;
      this.known.delete(u);
      if (this.ctx.kb.origin(u) === 'team') this.ctx.kb.remove(u);
      changes++;
    }
    if (changes > 0) {
      this.ctx.log(`team knowledge: ${changes} document(s) from colleagues updated (${this.known.size} in the index)`);
      this.changed();
      this.ctx.diagnostics.schedule();
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const config = this.stores.config;
    if (config.postgres.kind !== 'pg') return;
    // Loaded when first needed, as the stores load it (sync/stores.ts).
    const { default: Pg } = await import('pg');
    if (this.stopped) return;
    const client = new Pg.Client({ connectionString: config.postgres.url });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      void client.end().catch(() => undefined);
      if (error) this.ctx.log(`team knowledge: LISTEN connection lost (${redactSecrets(this.stores.redact(error.message))}); polling until it is back`);
      this.startPolling();
      this.reconnectLater();
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel !== channelOf(config.tenant)) return;
      const uri = n.payload || undefined;
      if (uri !== undefined && this.mine(uri)) return;
      void this.refresh(uri);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${channelOf(config.tenant)}"`);
      this.listener = client;
      this.reconnectMs = 1000;
      this.stopPolling();
      // Whatever changed while nobody listened.
      void this.refresh();
    } catch (error) {
      await client.end().catch(() => undefined);
      this.ctx.log(`team knowledge: cannot LISTEN (${this.stores.redact((error as Error).message)}); polling every ${POLL_MS / 1000} s`);
      this.startPolling();
      this.reconnectLater();
    }
  }

  private startPolling(): void {
    if (this.pollTimer || this.stopped) return;
    this.pollTimer = setInterval(() => void this.refresh(), POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private reconnectLater(): void {
    if (this.reconnectTimer || this.stopped) return;
    const delay = this.reconnectMs;
    this.reconnectMs = Math.min(MAX_RECONNECT_MS, this.reconnectMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen();
    }, delay);
  }
}
