import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openNeo4jGraphStore } from '../graph/neo4j';
import { MISSING_NEO4J, servicesRequired, testNeo4j } from '../graph/testServices';
import { uniqueTenant } from '../persistence/testing';
import { createPgClient } from '../persistence/sql/pg';
import { dropTenant } from '../persistence/sql/migrations';
import { closedPort } from '../sync/testing';
import { runKos } from './dispatch';
import { tempTree, testIO } from './testing';

const REPO = path.resolve(__dirname, '../../..');
const SUMMARY = /^(\d+) documents, (\d+) changes, (\d+) synced\n$/;

interface Setup {
  name: string;
  env: () => Record<string, string>;
  cleanup?: () => Promise<void>;
}

function setups(): Setup[] {
  const list: Setup[] = [{ name: 'PGlite + memory graph', env: () => ({ KNOWLEDGE_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'kos-sync-')) }) }];
  const pgUrl = process.env.KNOWLEDGE_TEST_POSTGRES_URL;
  const neo4j = testNeo4j();
  if (pgUrl && neo4j) {
    const t = uniqueTenant('cli');
    list.push({
      name: 'PostgreSQL + Neo4j',
      env: () => ({
        KNOWLEDGE_POSTGRES_URL: pgUrl,
        KNOWLEDGE_NEO4J_URL: neo4j.url,
        ...(neo4j.user ? { KNOWLEDGE_NEO4J_USER: neo4j.user, KNOWLEDGE_NEO4J_PASSWORD: neo4j.password ?? '' } : {}),
        KNOWLEDGE_TENANT: t.id,
      }),
      async cleanup() {
        const graph = await openNeo4jGraphStore(neo4j);
        await graph.clearTenant(t.id);
        await graph.close();
        const sql = createPgClient(pgUrl);
        await dropTenant(sql, t);
        await sql.close();
      },
    });
  } else if (servicesRequired) {
    it('kos sync on PostgreSQL + Neo4j', () => {
      throw new Error(pgUrl ? MISSING_NEO4J : 'KNOWLEDGE_REQUIRE_SERVICES=1 but KNOWLEDGE_TEST_POSTGRES_URL is not set');
    });
  }
  return list;
}

async function kos(args: string[], env: Record<string, string>, cwd = REPO) {
  const io = testIO(cwd, { env });
  const code = await runKos(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe.each(setups())('kos sync and kos impact on $name', (setup) => {
  const env = setup.env();
  afterAll(async () => setup.cleanup?.());

  it('syncs the example, shows the impact of an atom, and finds nothing to do the second time', async () => {
    const first = await kos(['sync', 'examples/rrsp'], env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const [, documents, changes, synced] = SUMMARY.exec(first.out)!.map(Number);
    expect(documents).toBe(6);
    expect(changes).toBeGreaterThan(0);
    expect(synced).toBeGreaterThan(0); // rows: an atom two documents define is one row changed twice
    expect(synced).toBeLessThanOrEqual(changes);

    const impact = await kos(['impact', 'withholding  RATE', '--domain', 'tax'], env);
    expect(impact.code).toBe(0);
    expect(impact.out).toMatch(/^Withholding Rate \(domain tax\): \d+ rules? in \d+ documents?/);
    expect(impact.out).toContain('examples/rrsp/domains/tax/withholding-rates.md — ');
    expect(impact.out).toContain('\n  hop 1  Withholding Rate MUST BE <= 30% {block}\n');
    expect(impact.out).toContain('\n  hop 1  Withholding Rate MUST BE >= 0% {warn}\n');

    const everywhere = await kos(['impact', 'Withholding Rate'], env);
    expect(everywhere.out).toContain('Withholding Rate (domain payroll)');
    expect(everywhere.out).toContain('Withholding Rate (domain tax)');

    expect(await kos(['sync', 'examples/rrsp'], env)).toEqual({ code: 0, out: `${documents} documents, 0 changes, 0 synced\n`, err: '' });
  });

  it('says so when no atom has the name', async () => {
    const missing = await kos(['impact', 'No Such Atom'], env);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/^kos impact: no atom named "No Such Atom"/);
  });
});

describe('kos sync on PGlite + memory graph', () => {
  it('removes the documents of files that are gone', async () => {
    const env = { KNOWLEDGE_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'kos-sync-')) };
    const root = tempTree({ 'a.md': '# A\n\n- **Alpha**: 5%\n- IF [[Gamma]] = 1 THEN [[Alpha]] = 10%\n', 'b.md': '# B\n\n- **Beta**: 7\n' });
    expect((await kos(['sync'], env, root)).out).toMatch(/^2 documents, \d+ changes, \d+ synced\n$/);
    expect((await kos(['impact', 'Gamma'], env, root)).code).toBe(0);
    fs.rmSync(path.join(root, 'a.md'));
    const after = await kos(['sync'], env, root);
    expect(after.code).toBe(0);
    expect(after.out).toMatch(/^1 documents, [1-9]\d* changes, [1-9]\d* synced\n$/);
    expect((await kos(['impact', 'Gamma'], env, root)).code).toBe(1);
  });

  it('keeps changes pending while the graph is down, without showing its password, and pushes them later', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-sync-'));
    const password = 'n30-s3cret-pw';
    const down = { KNOWLEDGE_HOME: home, KNOWLEDGE_NEO4J_URL: `bolt://neo4j:${password}@127.0.0.1:${await closedPort()}`, KNOWLEDGE_NEO4J_USER: 'neo4j', KNOWLEDGE_NEO4J_PASSWORD: password };
    const failed = await kos(['sync', 'examples/rrsp/domains/tax'], down);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^4 documents, [1-9]\d* changes, 0 synced\n$/);
    expect(failed.err).toMatch(/the graph store is unavailable; the changes stay pending/);
    expect(failed.err + failed.out).not.toContain(password);
    const later = await kos(['sync', 'examples/rrsp/domains/tax'], { KNOWLEDGE_HOME: home });
    expect(later.code).toBe(0);
    expect(later.out).toMatch(/^4 documents, 0 changes, [1-9]\d* synced\n$/);
  });

  it('rejects a bad tenant and bad options', async () => {
    const bad = await kos(['sync', 'examples/rrsp'], { KNOWLEDGE_TENANT: 'Not Valid!' });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^kos sync: KNOWLEDGE_TENANT: invalid tenant id/);
    expect((await kos(['impact'], {})).code).toBe(2);
    expect((await kos(['impact', 'X', '--depth', '11'], {})).err).toContain('--depth must be a whole number from 1 to 10');
    expect((await kos(['help', 'sync'], {})).out).toMatch(/^Usage: kos sync \[paths…\]/);
    expect((await kos(['impact', '--help'], {})).out).toMatch(/^Usage: kos impact "<atom name>"/);
  });
});
