/**
 * Background sync over a real LSP connection: the embedded PGlite store, a
 * real PostgreSQL and Neo4j, databases unreachable at start and going away
 * mid-session (a TCP proxy in front of the real PostgreSQL is cut), and the
 * `knowledge/syncStatus` notifications that tell the client.
 */
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type SyncStatus } from '../../../../shared/src/protocol';
import { openNeo4jGraphStore } from '../../graph/neo4j';
import { MISSING_NEO4J, servicesRequired, testNeo4j } from '../../graph/testServices';
import { documentId } from '../../persistence/ids';
import { createPgClient } from '../../persistence/sql/pg';
import { createPgliteClient } from '../../persistence/sql/pglite';
import { dropTenant } from '../../persistence/sql/migrations';
import { tenant, table } from '../../persistence/sql/tenant';
import { uniqueTenant } from '../../persistence/testing';
import { closedPort } from '../../sync/testing';
import { startServer, workspaceOf, type TestClient } from '../testing';
import { onCleanup } from './serve';

const RATES = `# Rates

- **Withholding Rate**: 10%
- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}
`;


const last = (c: TestClient): SyncStatus | undefined => c.syncStatuses.at(-1);
const synced = (c: TestClient) => c.waitFor(() => last(c)?.state === 'synced', `sync status 'synced' (now ${JSON.stringify(last(c))})`, 60_000);

const pgUrl = process.env.KNOWLEDGE_TEST_POSTGRES_URL;
if (!pgUrl && servicesRequired) throw new Error('KNOWLEDGE_REQUIRE_SERVICES=1 but KNOWLEDGE_TEST_POSTGRES_URL is not set');
const neo4j = testNeo4j();
if (!neo4j && servicesRequired) throw new Error(MISSING_NEO4J);

describe('sync in embedded mode', () => {
  it('writes the workspace into PGlite under .knowledge/ and reports synced', async () => {
    const ws = workspaceOf({ 'domains/tax/rates.md': RATES });
    onCleanup(ws.cleanup);
    const client = await startServer({ folders: [ws.root], sync: true });
    await synced(client);
    expect(client.syncStatuses.some((s) => s.state === 'pending')).toBe(true);
    expect(last(client)).toEqual({ state: 'synced', store: 'PGlite' });
    await client.stop();
    const db = await createPgliteClient(path.join(ws.root, '.knowledge', 'pglite'));
    try {
      const { rows } = await db.query<{ uri: string; source: string }>(`SELECT uri, source FROM ${table(tenant('default'), 'documents')}`);
      expect(rows).toEqual([{ uri: ws.uri('domains/tax/rates.md'), source: RATES }]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('says why sync is disabled for a bad tenant, and keeps answering', async () => {
    const ws = workspaceOf({ 'a.md': RATES.replace('- **Withholding Rate**: 10%\n', '- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {block}\n') });
    onCleanup(ws.cleanup);
    const client = await startServer({ folders: [ws.root], sync: true, settings: { tenant: 'Bad Tenant!' } });
    onCleanup(() => client.stop());
    await client.waitFor(() => last(client)?.state === 'disabled', 'disabled status');
    expect((last(client) as { reason: string }).reason).toMatch(/knowledge\.tenant: invalid tenant id/);
    await client.diagnosticsFor(ws.uri('a.md'), (d) => d.some((x) => x.code === 'rule-conflict'));
  });
});

describe.runIf(pgUrl && neo4j)('sync to PostgreSQL and Neo4j', () => {
  const settingsFor = (t: string, overrides: { postgres?: string; neo4j?: string } = {}) => ({
    tenant: t,
    postgres: { url: overrides.postgres ?? pgUrl! },
    neo4j: { url: overrides.neo4j ?? neo4j!.url, user: neo4j!.user },
    sync: { debounceMs: 50 },
  });

  async function withTenant() {
    const t = uniqueTenant('lsp');
    const sql = createPgClient(pgUrl!, { max: 2 });
    const graph = await openNeo4jGraphStore(neo4j!);
    onCleanup(async () => {
      await dropTenant(sql, t).catch(() => undefined);
      await sql.close();
      await graph.clearTenant(t.id);
      await graph.close();
    });
    return { t, sql, graph };
  }

  it('writes edits to PostgreSQL and the graph to Neo4j, debounced, and reports pending then synced', async () => {
    const { t, sql, graph } = await withTenant();
    const ws = workspaceOf({ 'domains/tax/rates.md': RATES });
    onCleanup(ws.cleanup);
    const client = await startServer({ folders: [ws.root], sync: true, settings: settingsFor(t.id) });
    onCleanup(() => client.stop());
    await synced(client);
    expect(last(client)).toEqual({ state: 'synced', store: 'PostgreSQL + Neo4j' });
    const uri = ws.uri('domains/tax/rates.md');
    const source = async () =>
      (await sql.query<{ source: string }>(`SELECT source FROM ${table(t, 'documents')} WHERE uri = $1`, [uri])).rows[0]?.source;
    expect(await source()).toBe(RATES);
    expect((await graph.readDocument(t.id, documentId(t.id, uri)))?.molecules).toHaveLength(1);

    client.open(uri, RATES);
    const before = client.syncStatuses.length;
    client.change(uri, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '- [[Withholding Rate]] MUST BE <= 30%\n' }]);
    await client.waitFor(() => client.syncStatuses.slice(before).some((s) => s.state === 'pending'), 'pending after the edit');
    await synced(client);
    expect(await source()).toContain('MUST BE <= 30%');
    expect((await graph.readDocument(t.id, documentId(t.id, uri)))?.molecules).toHaveLength(2);
  });

  it('reports offline with a reason (and no password) when the databases are unreachable at start, and answers anyway', async () => {
    const port = await closedPort();
    const ws = workspaceOf({ 'a.md': RATES + '- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {block}\n' });
    onCleanup(ws.cleanup);
    const secret = 'hunter2-do-not-show';
    const client = await startServer({
      folders: [ws.root],
      sync: true,
      settings: { ...settingsFor('nobody', { postgres: `postgres://alice@127.0.0.1:${port}/test` }), sync: { debounceMs: 50 } },
      initializationOptions: { secrets: { postgresPassword: secret, neo4jPassword: secret } },
    });
    onCleanup(() => client.stop());
    await client.waitFor(() => last(client)?.state === 'offline', 'offline status');
    const status = last(client) as Extract<SyncStatus, { state: 'offline' }>;
    expect(status.reason).toMatch(/^PostgreSQL unavailable: .*ECONNREFUSED/);
    expect(status.pending).toBe(1);
    await client.diagnosticsFor(ws.uri('a.md'), (d) => d.some((x) => x.code === 'rule-conflict'));
    const everything = JSON.stringify([client.syncStatuses, client.logs]);
    expect(everything).not.toContain(secret);
  });

  it('keeps edits pending while PostgreSQL is away mid-session and writes them when it is back', async () => {
    const { t, sql } = await withTenant();
    const proxy = await tcpProxy(new URL(pgUrl!));
    onCleanup(() => proxy.close());
    const ws = workspaceOf({ 'rates.md': RATES });
    onCleanup(ws.cleanup);
    const viaProxy = new URL(pgUrl!);
    viaProxy.port = String(proxy.port);
    viaProxy.hostname = '127.0.0.1';
    const client = await startServer({ folders: [ws.root], sync: true, settings: settingsFor(t.id, { postgres: viaProxy.href }) });
    onCleanup(() => client.stop());
    await synced(client);

    proxy.cut();
    const uri = ws.uri('rates.md');
    client.open(uri, RATES);
    client.change(uri, [{ range: { start: { line: 2, character: 24 }, end: { line: 2, character: 26 } }, text: '12' }]);
    const away = () => last(client)?.state === 'offline' && (last(client) as { pending: number }).pending === 1;
    await client.waitFor(away, `offline with the edit pending while PostgreSQL is away (now ${JSON.stringify(last(client))})`);
    expect((last(client) as { reason: string }).reason).toMatch(/^PostgreSQL unavailable/);
    // Answers keep coming from the local index meanwhile.
    await client.diagnosticsFor(uri, (d) => d.length === 0);

    proxy.restore();
    await synced(client);
    const { rows } = await sql.query<{ source: string }>(`SELECT source FROM ${table(t, 'documents')} WHERE uri = $1`, [uri]);
    expect(rows[0].source).toContain('**Withholding Rate**: 12%');
  });

  it('"sync now" runs at once and answers with the status', async () => {
    const { t } = await withTenant();
    const ws = workspaceOf({ 'rates.md': RATES });
    onCleanup(ws.cleanup);
    const client = await startServer({ folders: [ws.root], sync: true, settings: { ...settingsFor(t.id), sync: { debounceMs: 60_000 } } });
    onCleanup(() => client.stop());
    await synced(client);
    const uri = ws.uri('rates.md');
    client.open(uri, RATES);
    client.change(uri, [{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 2 } }, text: 'Tax ' }]);
    await client.waitFor(() => last(client)?.state === 'pending', 'pending (the debounce is a minute)');
    const status = await client.request<SyncStatus>('workspace/executeCommand', { command: COMMANDS.syncNow, arguments: [] });
    expect(status).toEqual({ state: 'synced', store: 'PostgreSQL + Neo4j' });
  });
});

/** A TCP proxy to a real server that can refuse and cut connections, to make the server "go away". */
async function tcpProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let up = true;
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
