/**
 * Background sync: what the author writes reaches PostgreSQL (one
 * transaction per document, with its source) and then Neo4j (through the
 * `sync_state` worker), without ever blocking an answer.
 *
 * Every change of a workspace document marks it pending; a run starts after
 * `knowledge.sync.debounceMs` and writes what changed (documents whose text
 * PostgreSQL already holds are skipped by checksum). A store that is down
 * leaves the documents pending — nothing is lost, the buffers and files are
 * the source — and runs are retried with backoff until it returns; the
 * client hears all of it through `knowledge/syncStatus`.
 *
 * With a shared PostgreSQL the colleagues' documents join the index
 * read-only (`../team.ts`); writes announce themselves with NOTIFY.
 */
import { pathToFileURL } from 'node:url';
import {
  COMMANDS,
  SET_SECRETS_NOTIFICATION,
  SYNC_STATUS_NOTIFICATION,
  type InitializationOptions,
  type KnowledgeSecrets,
  type SyncStatus,
} from '../../../../shared/src/protocol';
import type { DocumentSnapshot } from '../../core/document';
import type { SqlClient } from '../../persistence/sql/client';
import { removeDocument } from '../../persistence/writer';
import { sourceChecksum, storedChecksums, writeDocumentsWithSources } from '../../sync/sources';
import { drainSyncState } from '../../sync/worker';
import { toGraph } from '../../graph/model';
import type { Feature, ServerContext } from '../context';
import { Stores, storesConfig } from '../stores';
import { notifyChange, TeamKnowledge } from '../team';

/** Retry delays after a failure: doubled from the first to the last. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** Status notifications during a long run: at most one per this many milliseconds. */
const STATUS_INTERVAL_MS = 250;
/** Documents written per transaction (see `writeDocuments`). */
const WRITE_BATCH = 100;

class Syncer {
  private stores: Stores | null = null;
  private storeLabel = '';
  private disabledReason: string | null = 'starting';
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private retryMs = FIRST_RETRY_MS;
  private offline: string | null = null;
  private graphBehind = false;
  private checkVanished = true;
  private lastStatus = '';
  private lastStatusAt = 0;
  private trailing: NodeJS.Timeout | null = null;
  private secrets: KnowledgeSecrets = {};
  private team: TeamKnowledge | null = null;
  private stopped = false;
  /** Until a run has compared the workspace with the store, nothing is known to be synced. */
  private compared = false;
  graphGeneration = 0;

  constructor(private readonly ctx: ServerContext) {}

  setSecrets(secrets: KnowledgeSecrets | undefined): void {
    this.secrets = { ...this.secrets, ...(secrets ?? {}) };
  }

  /** (Re)reads the settings and opens the stores they name; everything in the workspace becomes pending. */
  async configure(): Promise<void> {
    const ctx = this.ctx;
    const settings = await ctx.settings.for();
    await this.team?.stop();
    this.team = null;
    await this.stores?.close();
    this.stores = null;
    this.offline = null;
    this.retryMs = FIRST_RETRY_MS;
    if (!settings.syncEnabled) {
      this.disabledReason = 'sync is turned off (knowledge.sync.enabled)';
      this.status();
      return;
    }
    const configured = storesConfig(settings, this.secrets, process.env, ctx.client.folders[0] ?? null);
    if (!configured.ok) {
      this.disabledReason = configured.reason;
      ctx.log(`sync disabled: ${configured.reason}`);
      this.status();
      return;
    }
    this.disabledReason = null;
    this.compared = false;
    this.stores = new Stores(configured.config);
    this.storeLabel = configured.label;
    this.checkVanished = true;
    this.graphBehind = configured.config.neo4j !== null;
    for (const uri of ctx.kb.uris()) if (ctx.kb.origin(uri) !== 'team') this.pending.add(uri);
    if (configured.config.postgres.kind === 'pg') {
      this.team = new TeamKnowledge(ctx, this.stores, () => this.graphGeneration++);
      void this.team.start();
    }
    // Connect to Neo4j early so that hovers can use it.
    void this.stores.neo4j().catch(() => undefined);
    this.schedule(0);
  }

  changed(uri: string): void {
    if (this.ctx.kb.origin(uri) === 'team') return;
    this.pending.add(uri);
    if (!this.stores) return;
    this.status(true);
    void this.ctx.settings.for().then((s) => this.schedule(s.debounceMs));
  }

  /** Runs now (the "sync now" command); resolves when the run ends. */
  async now(): Promise<SyncStatus> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.retryMs = FIRST_RETRY_MS;
    await this.running;
    await this.runOnce();
    return this.currentStatus();
  }

  neo4j() {
    return this.stores?.neo4jNow() ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.trailing) clearTimeout(this.trailing);
    await this.running?.catch(() => undefined);
    await this.team?.stop();
    await this.stores?.close();
  }

  private schedule(delay: number): void {
    if (this.timer || this.stopped || !this.stores) return;
    this.status();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) {
        // One run at a time: the next one starts when this one ends.
        void this.running.then(() => this.schedule(0));
        return;
      }
      void this.runOnce();
    }, delay);
  }

  private runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.run()
      .catch((error) => this.ctx.log(`sync: ${this.redact(error)}`))
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.offline) this.retryLater();
        else if (this.pending.size > 0) this.schedule(0);
        this.status();
      });
    return this.running;
  }

  private retryLater(): void {
    const delay = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.schedule(delay);
  }

  private async run(): Promise<void> {
    const stores = this.stores;
    if (!stores) return;
    // The initial index decides what vanished: wait for it rather than delete what is not read yet.
    if (this.ctx.indexer.progress()) await this.ctx.indexer.finished;
    let sql: SqlClient;
    try {
      sql = await stores.sql();
    } catch (error) {
      return this.fail('PostgreSQL', error);
    }
    const t = stores.config.tenant;
    try {
      const stored = await storedChecksums(sql, t);
      if (this.checkVanished) {
        // Documents stored from this workspace's folders whose files are gone (deleted while no server ran).
        const folders = this.ctx.client.folders.map((f) => pathToFileURL(f).href.replace(/\/?$/, '/'));
        for (const uri of stored.keys()) if (folders.some((f) => uri.startsWith(f)) && !this.ctx.kb.get(uri)) this.pending.add(uri);
        this.checkVanished = false;
      }
      let written = 0;
      const uris = [...this.pending];
      for (let i = 0; i < uris.length; i += WRITE_BATCH) {
        if (this.stores !== stores || this.stopped) return;
        const writes: DocumentSnapshot[] = [];
        const removes: string[] = [];
        const seen: [string, object | undefined][] = [];
        for (const uri of uris.slice(i, i + WRITE_BATCH)) {
          const doc = this.ctx.kb.get(uri);
          if (this.ctx.kb.origin(uri) === 'team') {
            this.pending.delete(uri);
            continue;
          }
          if (doc && stored.get(uri) !== sourceChecksum(doc.text)) writes.push(doc);
          else if (!doc && stored.has(uri)) removes.push(uri);
          seen.push([uri, this.ctx.kb.token(uri)]);
        }
        if (writes.length > 0) await writeDocumentsWithSources(sql, t, writes.map((doc) => ({ snapshot: doc, text: doc.text })));
        for (const uri of removes) await removeDocument(sql, t, uri);
        for (const doc of writes) stored.set(doc.uri, sourceChecksum(doc.text));
        for (const uri of removes) stored.delete(uri);
        for (const uri of [...writes.map((d) => d.uri), ...removes]) await notifyChange(sql, t, uri);
        written += writes.length + removes.length;
        // Typed again meanwhile: the newer text is pending again through `changed`.
        for (const [uri, token] of seen) if (this.ctx.kb.token(uri) === token) this.pending.delete(uri);
        this.status(true);
      }
      if (written > 0) {
        this.graphBehind = stores.config.neo4j !== null;
        this.graphGeneration++;
      }
    } catch (error) {
      await stores.drop('sql');
      return this.fail('PostgreSQL', error);
    }
    if (this.graphBehind) {
      let graph;
      try {
        graph = await stores.neo4j();
      } catch (error) {
        return this.fail('Neo4j', error);
      }
      if (graph) {
        try {
          const result = await drainSyncState(sql, t, graph, {
            attempts: 1,
            secrets: stores.config.secrets,
            // The index holds the documents parsed: no need to parse their stored source again.
            graphOf: (uri, sum) => {
              const doc = this.ctx.kb.get(uri);
              return doc && sourceChecksum(doc.text) === sum ? toGraph(t.id, doc) : undefined;
            },
          });
          if (result.errors.length > 0) {
            await stores.drop('neo4j');
            return this.fail('Neo4j', result.errors[0].error);
          }
          if (result.documents > 0) this.graphGeneration++;
        } catch (error) {
          await stores.drop('neo4j');
          return this.fail('Neo4j', error);
        }
      }
      this.graphBehind = false;
    }
    if (this.offline) this.ctx.log('sync: the stores are back');
    this.offline = null;
    this.compared = true;
    this.retryMs = FIRST_RETRY_MS;
  }

  private fail(store: string, error: unknown): void {
    const reason = `${store} unavailable: ${this.redact(error)}`;
    if (reason !== this.offline) this.ctx.log(`sync: ${reason}; ${this.pending.size} document(s) stay pending`);
    this.offline = reason;
  }

  private redact(error: unknown): string {
    const text = typeof error === 'string' ? error : error instanceof Error ? error.message : String(error);
    return this.stores ? this.stores.redact(text) : text;
  }

  currentStatus(): SyncStatus {
    if (this.disabledReason !== null) return { state: 'disabled', reason: this.disabledReason };
    const pending = this.pending.size;
    if (this.offline) return { state: 'offline', pending, store: this.storeLabel, reason: this.offline };
    if (pending > 0 || this.running !== null || this.graphBehind || !this.compared) return { state: 'pending', pending, store: this.storeLabel };
    return { state: 'synced', store: this.storeLabel };
  }

  /** Sends the status when it changed; throttled ones are sent at the end of the interval (the last word is always sent). */
  private status(throttled = false): void {
    const now = Date.now();
    if (throttled && now - this.lastStatusAt < STATUS_INTERVAL_MS) {
      this.trailing ??= setTimeout(() => {
        this.trailing = null;
        this.status();
      }, STATUS_INTERVAL_MS - (now - this.lastStatusAt));
      return;
    }
    const status = this.currentStatus();
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.lastStatusAt = now;
    void this.ctx.connection.sendNotification(SYNC_STATUS_NOTIFICATION, status);
  }
}

export const syncFeature: Feature = {
  name: 'sync',
  capabilities: { executeCommandProvider: { commands: [COMMANDS.syncNow, COMMANDS.rebuildIndex] } },
  register(ctx) {
    const syncer = new Syncer(ctx);
    syncers.set(ctx, syncer);
    ctx.services.neo4j = () => syncer.neo4j();
    ctx.services.graphGeneration = () => syncer.graphGeneration;
    ctx.kb.onChange((uri) => syncer.changed(uri));
    ctx.commands.set(COMMANDS.syncNow, () => syncer.now());
    ctx.commands.set(COMMANDS.rebuildIndex, async () => {
      await ctx.services.rebuild?.();
      return syncer.now();
    });
    ctx.connection.onNotification(SET_SECRETS_NOTIFICATION, (secrets: KnowledgeSecrets) => {
      syncer.setSecrets(secrets);
      void syncer.configure();
    });
    ctx.settings.onChange(() => void syncer.configure());
  },
  async start(ctx) {
    const syncer = syncers.get(ctx)!;
    syncer.setSecrets((ctx.client.initializationOptions as InitializationOptions | undefined)?.secrets);
    await syncer.configure();
  },
  async stop(ctx) {
    await syncers.get(ctx)?.stop();
  },
};

const syncers = new WeakMap<ServerContext, Syncer>();
