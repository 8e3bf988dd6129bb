/**
 * Team knowledge: two servers on two workspaces sharing one PostgreSQL
 * tenant. What one author syncs joins the other's index read-only, so a
 * conflict with a colleague's rule shows up in your file — and goes away
 * when they fix it (LISTEN/NOTIFY, no restart, no polling wait).
 */
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../../shared/src/protocol';
import { MISSING_NEO4J, servicesRequired } from '../../graph/testServices';
import { createPgClient } from '../../persistence/sql/pg';
import { dropTenant } from '../../persistence/sql/migrations';
import { uniqueTenant } from '../../persistence/testing';
import { startServer, workspaceOf, type TestClient } from '../testing';
import { onCleanup } from './serve';

const pgUrl = process.env.KNOWLEDGE_TEST_POSTGRES_URL;
if (!pgUrl && servicesRequired) throw new Error('KNOWLEDGE_REQUIRE_SERVICES=1 but KNOWLEDGE_TEST_POSTGRES_URL is not set');
void MISSING_NEO4J;

const ALICE = `# Quebec withholding

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}
`;
const BOB = `# Provincial rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 15% {block}
`;


const last = (c: TestClient): SyncStatus | undefined => c.syncStatuses.at(-1);
const synced = (c: TestClient) => c.waitFor(() => last(c)?.state === 'synced', `'synced' (now ${JSON.stringify(last(c))})`, 60_000);

describe.runIf(pgUrl)('team knowledge through a shared PostgreSQL', () => {
  it("shows a conflict with a colleague's rule in your file, and clears it when they fix theirs", async () => {
    const t = uniqueTenant('team');
    const sql = createPgClient(pgUrl!, { max: 1 });
    onCleanup(async () => {
      await dropTenant(sql, t).catch(() => undefined);
      await sql.close();
    });
    const settings = { tenant: t.id, postgres: { url: pgUrl! }, sync: { debounceMs: 20 } };
    const alice = workspaceOf({ 'domains/tax/quebec.md': ALICE });
    const bob = workspaceOf({ 'domains/tax/rates.md': BOB });
    onCleanup(alice.cleanup, bob.cleanup);

    const a = await startServer({ folders: [alice.root], settings, sync: true });
    onCleanup(() => a.stop());
    await synced(a);
    const b = await startServer({ folders: [bob.root], settings, sync: true });
    onCleanup(() => b.stop());

    // Bob's file shows the conflict with Alice's rule, naming her document; Alice's server learns Bob's rule too.
    const bobRates = bob.uri('domains/tax/rates.md');
    const aliceQuebec = alice.uri('domains/tax/quebec.md');
    const [conflict] = await b.diagnosticsFor(bobRates, (d) => d.some((x) => x.code === 'rule-conflict'), "the conflict with Alice's rule");
    expect(conflict.relatedInformation?.[0].location.uri).toBe(aliceQuebec);
    expect(conflict.message).toMatch(/10%/);
    await a.diagnosticsFor(aliceQuebec, (d) => d.some((x) => x.code === 'rule-conflict' && /15%/.test(String(x.message))), "the conflict with Bob's rule");
    // The colleague's document gets no diagnostics of its own on Bob's side.
    expect(b.diagnostics.get(aliceQuebec) ?? []).toEqual([]);

    // Alice agrees with Bob: her edit reaches Bob's server through NOTIFY and the conflict goes away.
    a.open(aliceQuebec, ALICE);
    const line = 2;
    const character = ALICE.split('\n')[2].indexOf('10%');
    a.change(aliceQuebec, [{ range: { start: { line, character }, end: { line, character: character + 2 } }, text: '15' }]);
    await b.diagnosticsFor(bobRates, (d) => !d.some((x) => x.code === 'rule-conflict'), 'no conflict after Alice fixed her rule');
    expect(b.logs.some((l) => /team knowledge: .*from colleagues updated/.test(l))).toBe(true);
  }, 120_000);
});
