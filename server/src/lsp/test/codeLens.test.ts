/**
 * Code lenses over a real LSP connection: `N rules · M documents affected`
 * above atom definitions (ranges first, counts on resolve), `K conflicts`
 * above rules in conflict, the `knowledge.showLocations` command's
 * arguments, and the refresh request when an edit elsewhere changes a count.
 */
import { describe, expect, it } from 'vitest';
import type { CodeLens, Location } from 'vscode-languageserver-protocol';
import { COMMANDS } from '../../../../shared/src/protocol';
import { positionOf, type TestClient } from '../testing';
import { onCleanup, serve } from './serve';

/** A feeds R1 (setting B) in alpha.md; B feeds R2 in beta.md. */
const ALPHA = `# Alpha

- **A**: 10%
- **Unused**: 3
- IF [[A]] > 5% THEN [[B]] = 1 {block}
`;
const BETA = `# Beta

- IF [[B]] = 1 THEN [[C]] = yes
`;
const RATES = `# Rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}
`;
const OTHER = `# Other rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {block}
`;



const lenses = (client: TestClient, uri: string) => client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
const resolve = (client: TestClient, lens: CodeLens) => client.request<CodeLens>('codeLens/resolve', lens);
const lines = (locations: Location[]) => locations.map((l) => [l.uri, l.range.start.line]);
const refreshes = (client: TestClient) => client.serverRequests.filter((r) => r.method === 'workspace/codeLens/refresh').length;

describe('code lenses on atom definitions', () => {
  it('list ranges first and resolve to the impact counts, with the affected rules as locations', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA });
    const alpha = ws.uri('domains/tax/alpha.md');
    const beta = ws.uri('domains/tax/beta.md');
    const list = await lenses(client, alpha);
    // One per definition, in order; the counts wait for resolve.
    expect(list.map((l) => l.range.start)).toEqual([positionOf(ALPHA, 'A**'), positionOf(ALPHA, 'Unused')]);
    expect(list.every((l) => l.command === undefined)).toBe(true);

    const a = await resolve(client, list[0]);
    expect(a.command?.title).toBe('2 rules · 2 documents affected');
    expect(a.command?.command).toBe(COMMANDS.showLocations);
    const [uri, position, locations] = a.command!.arguments as [string, { line: number; character: number }, Location[]];
    expect(uri).toBe(alpha);
    expect(position).toEqual(positionOf(ALPHA, 'A**'));
    // R1 (hop 1), then R2 (hop 3), each at its line.
    expect(lines(locations)).toEqual([
      [alpha, 4],
      [beta, 2],
    ]);
    expect(locations[0].range.end.line).toBe(4);

    // An atom no rule uses: a label, not a link.
    const unused = await resolve(client, list[1]);
    expect(unused.command).toMatchObject({ title: 'no rules affected', command: '' });
  });

  it('ask the client to refresh when an edit in another document changes a count', async () => {
    const { ws, client } = await serve({ 'domains/tax/alpha.md': ALPHA, 'domains/tax/beta.md': BETA });
    const alpha = ws.uri('domains/tax/alpha.md');
    const beta = ws.uri('domains/tax/beta.md');
    const [first] = await lenses(client, alpha);
    expect((await resolve(client, first)).command?.title).toBe('2 rules · 2 documents affected');
    expect(refreshes(client)).toBe(0);

    // Typing a rule that uses A in beta.md: alpha.md's lens is out of date.
    client.open(beta, BETA);
    client.change(beta, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: '- [[A]] MUST BE <= 50%\n' }]);
    await client.waitFor(() => refreshes(client) === 1, 'workspace/codeLens/refresh');
    const [again] = await lenses(client, alpha);
    const resolved = await resolve(client, again);
    expect(resolved.command?.title).toBe('3 rules · 2 documents affected');
    expect(lines((resolved.command!.arguments as [string, unknown, Location[]])[2])).toContainEqual([beta, 3]);
  });
});

describe('code lenses on rules in conflict', () => {
  it('say how many rules each conflicts with and point at them', async () => {
    const third = OTHER.replace('5%', '7%').replace('Other rates', 'Third');
    const { ws, client } = await serve({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': OTHER, 'domains/tax/third.md': third });
    const rates = ws.uri('domains/tax/rates.md');
    await client.diagnosticsFor(rates, (d) => d.filter((x) => x.code === 'rule-conflict').length === 2);
    const list = await lenses(client, rates);
    expect(list).toHaveLength(1);
    const [lens] = list;
    expect(lens.range.start).toEqual(positionOf(RATES, 'IF'));
    expect(lens.command?.title).toBe('2 conflicts');
    expect(lens.command?.command).toBe(COMMANDS.showLocations);
    const [uri, position, locations] = lens.command!.arguments as [string, unknown, Location[]];
    expect(uri).toBe(rates);
    expect(position).toEqual(positionOf(RATES, 'IF'));
    expect(lines(locations).sort()).toEqual([
      [ws.uri('domains/tax/other.md'), 2],
      [ws.uri('domains/tax/third.md'), 2],
    ]);
  });

  it('ask for a refresh when a conflict appears in a document whose lenses were shown', async () => {
    const { ws, client } = await serve({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': '# Other rates\n' });
    const rates = ws.uri('domains/tax/rates.md');
    const other = ws.uri('domains/tax/other.md');
    expect(await lenses(client, rates)).toEqual([]);
    client.open(other, '# Other rates\n');
    client.replace(other, OTHER);
    await client.waitFor(() => refreshes(client) === 1, 'workspace/codeLens/refresh');
    expect((await lenses(client, rates)).map((l) => l.command?.title)).toEqual(['1 conflict']);
  });
});
