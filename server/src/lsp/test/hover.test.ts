/**
 * Hover over a real LSP connection: atoms (definition and any reference) with
 * their value and the impact of a change — counts, hops, the depth setting,
 * links to each rule — rules with their conflicts, plain-text clients,
 * hostile names, and (with a real Neo4j) answers from the team graph.
 */
import { describe, expect, it } from 'vitest';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { COMMANDS, type KnowledgeSettings, type SyncStatus } from '../../../../shared/src/protocol';
import { parseDocument } from '../../core/document';
import { toGraph } from '../../graph/model';
import { openNeo4jGraphStore } from '../../graph/neo4j';
import { MISSING_NEO4J, servicesRequired, testNeo4j } from '../../graph/testServices';
import { dropTenant } from '../../persistence/sql/migrations';
import { createPgClient } from '../../persistence/sql/pg';
import { uniqueTenant } from '../../persistence/testing';
import type { ServerContext } from '../context';
import { hoverAt } from '../features/hover';
import { KnowledgeBase } from '../knowledge';
import { DEFAULT_SETTINGS } from '../settings';
import { CLIENT_CAPABILITIES, positionOf, type TestClient } from '../testing';
import { onCleanup, serve } from './serve';

/** A feeds R1 (setting B) in alpha.md; B feeds R2 (setting C) in beta.md. */
const ALPHA = `# Alpha

- **A**: 10 %
- IF [[A]] > 5% THEN [[B]] = 1 {block}
`;
const BETA = `# Beta

- IF [[B]] = 1 THEN [[C]] = yes
`;
const RATES = `# Rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}
`;
const OTHER = `# Other rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {warn}
`;



/** The hover with the cursor `offset` characters into the `n`th `needle` of `text`. */
async function hover(client: TestClient, uri: string, text: string, needle: string, offset = 1, n = 0): Promise<Hover | null> {
  return client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, offset, n) });
}

function markdown(h: Hover | null): string {
  expect(h).not.toBeNull();
  const contents = h!.contents as MarkupContent;
  expect(contents.kind).toBe('markdown');
  return contents.value;
}

describe('hover on atoms', () => {
  it('shows type, value, source, definition site and the impact through rules in other documents', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA });
    const alpha = ws.uri('domains/tax/alpha.md');
    const beta = ws.uri('domains/tax/beta.md');
    const h = await hover(client, alpha, ALPHA, '**A**', 2);
    const value = markdown(h);
    expect(value).toContain('**A** · NumberAtom · domain `tax`');
    // The canonical form, and how it was written when that differs.
    expect(value).toContain('Value: `10%` (written `10 %`) · manual · confidence 1');
    expect(value).toContain(`Defined at [tax/alpha\\.md\\:3](${alpha}#L3)`);
    // R1 directly, R2 through B: two rules in two documents.
    expect(value).toContain('**2 rules · 2 documents affected** (1 direct, 1 through other atoms; up to 3 hops)');
    expect(value).toContain(`- [line 4](${alpha}#L4) \`IF A > 5% THEN B = 1 {block}\``);
    expect(value).toContain(`- [line 3](${beta}#L3) \`IF B = 1 THEN C = yes\` · 3 hops away`);
    // Grouped by document, nearest first.
    expect(value.indexOf(`[Alpha](${alpha})`)).toBeGreaterThan(-1);
    expect(value.indexOf(`[Alpha](${alpha})`)).toBeLessThan(value.indexOf(`[Beta](${beta})`));
    expect(value).toContain('Atoms affected: **B**');
    expect(value).toMatch(/\*from the local index\*$/);
    // The hover's range is the name.
    expect(h!.range).toEqual({ start: positionOf(ALPHA, '**A**', 2), end: positionOf(ALPHA, '**A**', 3) });
  });

  it('answers the same on a reference in a rule, in another document', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA });
    const onDefinition = markdown(await hover(client, ws.uri('domains/tax/alpha.md'), ALPHA, '**A**', 2));
    const onReference = await hover(client, ws.uri('domains/tax/alpha.md'), ALPHA, '[[A]]', 2);
    expect(markdown(onReference)).toBe(onDefinition);
    expect(onReference!.range).toEqual({ start: positionOf(ALPHA, '[[A]]', 2), end: positionOf(ALPHA, '[[A]]', 3) });
    // B is not defined: no value, and its impact is R2 only.
    const b = markdown(await hover(client, ws.uri('domains/tax/beta.md'), BETA, '[[B]]', 2));
    expect(b).toContain('Value: none');
    expect(b).not.toContain('Defined at');
    expect(b).toContain('**1 rule · 1 document affected** (1 direct, 0 through other atoms; up to 3 hops)');
  });

  it('follows knowledge.impact.depth, per workspace/configuration, and again after it changes', async () => {
    const settings: KnowledgeSettings = { impact: { depth: 1 } };
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA }, { settings });
    const alpha = ws.uri('domains/tax/alpha.md');
    const one = markdown(await hover(client, alpha, ALPHA, '**A**', 2));
    expect(one).toContain('**1 rule · 1 document affected** (1 direct, 0 through other atoms; up to 1 hop)');
    expect(one).not.toContain('Beta');
    client.settings = { impact: { depth: 2 } };
    client.notify('workspace/didChangeConfiguration', { settings: {} });
    // Depth 2 reaches B (hop 2) but not R2 (hop 3).
    const two = markdown(await hover(client, alpha, ALPHA, '**A**', 2));
    expect(two).toContain('**1 rule · 1 document affected** (1 direct, 0 through other atoms; up to 2 hops)');
    expect(two).toContain('Atoms affected: **B**');
    client.settings = {};
    client.notify('workspace/didChangeConfiguration', { settings: {} });
    expect(markdown(await hover(client, alpha, ALPHA, '**A**', 2))).toContain('**2 rules · 2 documents affected**');
  });

  it('follows edits: a rule typed in an open document counts at once', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA });
    const beta = ws.uri('domains/tax/beta.md');
    client.open(beta, BETA);
    const added = `${BETA}- [[A]] MUST BE <= 50%\n`;
    client.replace(beta, added);
    const value = markdown(await hover(client, beta, added, '[[A]]', 2));
    expect(value).toContain('**3 rules · 2 documents affected** (2 direct, 1 through other atoms; up to 3 hops)');
    expect(value).toContain(`- [line 4](${beta}#L4) \`A MUST BE <= 50%\``);
  });

  it('lists the first rules of a document and says how many more', async () => {
    const rules = Array.from({ length: 5 }, (_, i) => `- IF [[A]] > ${i + 1}% THEN [[Out ${i}]] = ${i}\n`).join('');
    const text = `# Many\n\n- **A**: 3%\n${rules}`;
    const { ws, client } = await serve({ 'many.md': text });
    const value = markdown(await hover(client, ws.uri('many.md'), text, '**A**', 2));
    expect(value).toContain('**5 rules · 1 document affected**');
    expect(value.match(/^- \[line \d+\]/gm)).toHaveLength(3);
    expect(value).toContain('- and 2 more');
  });

  it('answers in plain text to a client without Markdown', async () => {
    const capabilities = { ...CLIENT_CAPABILITIES, textDocument: { ...CLIENT_CAPABILITIES.textDocument, hover: { contentFormat: ['plaintext' as const] } } };
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA }, { capabilities });
    const h = await hover(client, ws.uri('domains/tax/alpha.md'), ALPHA, '**A**', 2);
    const contents = h!.contents as MarkupContent;
    expect(contents.kind).toBe('plaintext');
    expect(contents.value).toContain('A · NumberAtom · domain tax\nValue: 10% (written 10 %) · manual · confidence 1\nDefined at tax/alpha.md:3');
    expect(contents.value).toContain('2 rules · 2 documents affected');
    expect(contents.value).toContain('- line 3 IF B = 1 THEN C = yes · 3 hops away');
    expect(contents.value).not.toMatch(/\*\*|\]\(|`/);
    expect(contents.value).toMatch(/from the local index$/);
  });

  it('escapes names that look like Markdown, links or HTML', async () => {
    const evil = 'Evil](command:workbench.action.quit) [a';
    const html = 'Rate <img src=x onerror=alert(1)> *x* `z`';
    const text = `# T\n\n- **${evil}**: 3\n- **${html}**: 5%\n- IF [[${evil}]] > 1 THEN [[B]] = 2\n`;
    const { ws, client } = await serve({ 't.md': text });
    const a = markdown(await hover(client, ws.uri('t.md'), text, evil, 1));
    expect(a).toContain('**Evil\\]\\(command\\:workbench\\.action\\.quit\\) \\[a**');
    // Outside code spans (which are literal), no link can start.
    expect(a.replace(/`[^`]*`/g, '')).not.toMatch(/[^\\]\]\(command:/);
    // The rule's normalised form is code: a span fenced by more backticks than it holds.
    expect(a).toContain('`IF Evil](command:workbench.action.quit) [a > 1 THEN B = 2`');
    const b = markdown(await hover(client, ws.uri('t.md'), text, html, 1));
    expect(b).toContain('**Rate \\<img src=x onerror=alert\\(1\\)\\> \\*x\\* \\`z\\`**');
    expect(b).not.toMatch(/[^\\]<img/);
  });
});

describe('hover on rules', () => {
  it('shows the normalised form, the atoms, the enforcement and the conflicting rule with a link', async () => {
    const { ws, client } = await serve({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': OTHER, 'domains/tax/defs.md': '# Defs\n\n- **Jurisdiction**: one of Quebec, Ontario\n' });
    const rates = ws.uri('domains/tax/rates.md');
    const other = ws.uri('domains/tax/other.md');
    await client.diagnosticsFor(rates, (d) => d.some((x) => x.code === 'rule-conflict'));
    // On a keyword: not an atom name, so the rule.
    const h = await hover(client, rates, RATES, 'THEN', 1);
    const value = markdown(h);
    expect(value).toContain('**Rule** · IF … THEN rule · enforcement `{block}`');
    expect(value).toContain('`IF Jurisdiction = Quebec THEN Withholding Rate = 10% {block}`');
    expect(value).toContain(`Atoms: [Jurisdiction](${ws.uri('domains/tax/defs.md')}#L3) (condition), Withholding Rate (result)`);
    expect(value).toContain('**1 conflict**');
    expect(value).toContain(`- [tax/other\\.md\\:3](${other}#L3): Conflicts with the rule at`);
    expect(h!.range!.start.line).toBe(2);
    // The other rule: its own enforcement, the same conflict from its side.
    const o = markdown(await hover(client, other, OTHER, 'IF', 0));
    expect(o).toContain('enforcement `{warn}`');
    expect(o).toContain(`(${rates}#L3)`);
    // On an atom name inside the rule, the atom answers, not the rule.
    expect(markdown(await hover(client, rates, RATES, 'Jurisdiction', 2))).toContain('**Jurisdiction** · TextAtom');
  });

  it('says so when a rule has no conflicts, and shows its exceptions', async () => {
    const text = '# R\n\n- IF [[X]] = 1 THEN [[Y]] = 2\n  - UNLESS [[Z]] = yes\n';
    const { ws, client } = await serve({ 'r.md': text });
    const value = markdown(await hover(client, ws.uri('r.md'), text, 'THEN', 1));
    expect(value).toContain('Narrowed by: `UNLESS Z = yes`');
    expect(value).toContain('No conflicts.');
    const unless = markdown(await hover(client, ws.uri('r.md'), text, 'UNLESS', 1));
    expect(unless).toContain('exception (UNLESS)');
    expect(unless).toContain(`Narrows: [line 3](${ws.uri('r.md')}#L3)`);
  });

  it('answers null away from atoms and rules', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA });
    expect(await hover(client, ws.uri('domains/tax/alpha.md'), ALPHA, '# Alpha', 3)).toBeNull();
  });
});

describe('hover while indexing', () => {
  // Over a connection the initial index of a test workspace ends too soon to hover during it; the hover itself, with an indexer mid-run:
  it('says the answer may be incomplete', async () => {
    const kb = new KnowledgeBase('default');
    const uri = 'file:///ws/domains/tax/alpha.md';
    kb.upsert(parseDocument(uri, ALPHA), 'disk');
    let progress: { done: number; total: number } | null = { done: 1200, total: 10_000 };
    const ctx = {
      kb,
      services: {},
      client: { markdown: true },
      indexer: { progress: () => progress },
      settings: { for: async () => DEFAULT_SETTINGS },
      log: () => undefined,
    } as unknown as ServerContext;
    const during = markdown(await hoverAt(ctx, uri, positionOf(ALPHA, '**A**', 2)));
    expect(during).toMatch(/\*from the local index\*\s+\*indexing\\: 1200\/10000 files — the answer may be incomplete\*$/);
    progress = null;
    expect(markdown(await hoverAt(ctx, uri, positionOf(ALPHA, '**A**', 2)))).not.toContain('indexing');
  });
});

const neo4j = testNeo4j();
if (!neo4j && servicesRequired) it('hover from Neo4j', () => { throw new Error(MISSING_NEO4J); });

describe.runIf(neo4j)('hover with Neo4j', () => {
  it('answers from Neo4j once synced, including documents only the team graph has', async () => {
    const t = uniqueTenant('hover');
    const graph = await openNeo4jGraphStore(neo4j!);
    onCleanup(async () => {
      await graph.clearTenant(t.id);
      await graph.close();
    });
    // PostgreSQL when there is one (quicker to start than the embedded PGlite).
    const postgres = process.env.KNOWLEDGE_TEST_POSTGRES_URL;
    if (postgres) {
      onCleanup(async () => {
        const sql = createPgClient(postgres, { max: 1 });
        await dropTenant(sql, t).catch(() => undefined);
        await sql.close();
      });
    }
    // A colleague's document the local workspace does not have: a rule using A.
    const colleague = 'file:///elsewhere/domains/tax/gamma.md';
    await graph.replaceDocument(t.id, toGraph(t.id, parseDocument(colleague, '# Gamma\n\n- [[A]] MUST BE <= 50%\n')));

    // A generous budget: a cold Neo4j compiles the query on first use (the fallback has its own tests).
    const { ws, client } = await serve(
      { 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA },
      {
        sync: true,
        env: { KNOWLEDGE_IMPACT_BUDGET_MS: '10000' },
        settings: { tenant: t.id, neo4j: { url: neo4j!.url, user: neo4j!.user }, ...(postgres ? { postgres: { url: postgres } } : {}) },
      },
    );
    const status = await client.request<SyncStatus>('workspace/executeCommand', { command: COMMANDS.syncNow, arguments: [] });
    expect(status.state).toBe('synced');
    await client.waitFor(() => client.syncStatuses.at(-1)?.state === 'synced', "sync status 'synced'", 60_000);

    const value = markdown(await hover(client, ws.uri('domains/tax/alpha.md'), ALPHA, '**A**', 2));
    expect(value).toMatch(/\*from Neo4j\*$/);
    expect(value).toContain('**3 rules · 3 documents affected**');
    // The local rules link to their lines; the colleague's document as a whole.
    expect(value).toContain(`- [line 4](${ws.uri('domains/tax/alpha.md')}#L4)`);
    expect(value).toContain(`[Gamma](${colleague})`);
    expect(value).toContain(`- [rule](${colleague}) \`A MUST BE <= 50%\``);
  }, 120_000);
});
