/**
 * Document symbols (the outline) and workspace symbols (go to symbol in
 * workspace) over a real LSP connection: the outline's tree and ranges, the
 * ranking of fuzzy matches, one result per atom, the cap, and answers that
 * follow edits.
 */
import { describe, expect, it } from 'vitest';
import type { DocumentSymbol, Range, SymbolInformation } from 'vscode-languageserver-protocol';
import { positionOf, startServer, workspaceOf } from '../testing';
import { onCleanup } from './serve';

const RATES = `# RRSP Withholding

- **Withholding Rate**: 10%
- **Jurisdiction**: one of Quebec, Ontario

## Rules

- IF Jurisdiction = Quebec THEN Withholding Rate = 10%
  - UNLESS [[Resident Status]] = non-resident
- [[Withholding Rate]] MUST BE <= 30% UNLESS Jurisdiction = Ontario

### By amount

| IF Jurisdiction | THEN Withholding Rate |
| --- | --- |
| Ontario | 5% |

# Forms

- [[Lump-Sum Withdrawal]] REQUIRES [[SIN]]
`;
/** Sorts before rates.md and only uses the atom: the workspace symbol must still point at the definition. */
const USES = `# Uses

The [[Withholding Rate]] applies.
`;
const PAY = `# Payroll

- **Withholding Rate**: 5%
`;
const RANKING = `# Ranking

- **Ridge Navigate**: 1
- **Accurate**: 2
- **Base Rate**: 3
- **Rate Cap**: 4
- **Rate**: 5
- **Nothing**: 6
`;
const MANY = `# Many\n\n${Array.from({ length: 250 }, (_, i) => `- **Item ${String(i).padStart(3, '0')}**: ${i}\n`).join('')}`;


async function serve() {
  const ws = workspaceOf({
    'domains/tax/rates.md': RATES,
    'domains/tax/a-uses.md': USES,
    'domains/payroll/pay.md': PAY,
    'domains/ranking/names.md': RANKING,
    'domains/many/items.md': MANY,
  });
  const client = await startServer({ folders: [ws.root] });
  onCleanup(ws.cleanup, () => client.stop());
  await client.indexed();
  return { ws, client };
}

function rangeOf(text: string, needle: string, n = 0): Range {
  return { start: positionOf(text, needle, 0, n), end: positionOf(text, needle, needle.length, n) };
}

/** From the start of `from` to the end of `to` (both first occurrences). */
function between(text: string, from: string, to: string): Range {
  return { start: positionOf(text, from), end: positionOf(text, to, to.length) };
}

const KINDS: Record<number, string> = { 1: 'File', 3: 'Namespace', 12: 'Function', 13: 'Variable', 14: 'Constant', 23: 'Struct', 24: 'Event' };

/** The outline as indented lines: `Kind name — detail`. */
function render(symbols: DocumentSymbol[], depth = 0): string[] {
  return symbols.flatMap((s) => [
    `${'  '.repeat(depth)}${KINDS[s.kind] ?? s.kind} ${s.name}${s.detail ? ` — ${s.detail}` : ''}`,
    ...render(s.children ?? [], depth + 1),
  ]);
}

const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const within = (inner: Range, outer: Range) => before(outer.start, inner.start) && before(inner.end, outer.end);

/** What editors require of an outline: the selection inside the range, children inside their parent. */
function checkNesting(symbols: DocumentSymbol[], parent?: DocumentSymbol): void {
  for (const s of symbols) {
    expect(within(s.selectionRange, s.range), `selection of ${s.name}`).toBe(true);
    if (parent) expect(within(s.range, parent.range), `${s.name} inside ${parent.name}`).toBe(true);
    checkNesting(s.children ?? [], s);
  }
}

describe('document symbols', () => {
  it('outlines headings as sections holding atoms, rules with their exceptions and decision tables', async () => {
    const { ws, client } = await serve();
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: ws.uri('domains/tax/rates.md') } });
    expect(render(symbols)).toEqual([
      'Namespace RRSP Withholding',
      '  Constant Withholding Rate — 10%',
      '  Variable Jurisdiction — one of Quebec, Ontario',
      '  Namespace Rules',
      '    Function IF Jurisdiction = Quebec THEN Withholding Rate = 10% — IF Jurisdiction = Quebec THEN Withholding Rate = 10%',
      '      Event UNLESS [[Resident Status]] = non-resident — UNLESS Resident Status = non-resident',
      '    Function [[Withholding Rate]] MUST BE <= 30% UNLESS Jurisdiction = Ontario — Withholding Rate MUST BE <= 30% UNLESS Jurisdiction = Ontario',
      '      Event UNLESS Jurisdiction = Ontario — UNLESS Jurisdiction = Ontario',
      '    Namespace By amount',
      '      Struct Decision table: Jurisdiction → Withholding Rate — 1 row',
      '        Function Ontario | 5% — IF Jurisdiction = Ontario THEN Withholding Rate = 5%',
      'Namespace Forms',
      '  Function [[Lump-Sum Withdrawal]] REQUIRES [[SIN]] — Lump-Sum Withdrawal REQUIRES SIN',
    ]);
    checkNesting(symbols);
    const [top, forms] = symbols;
    // A section runs from its heading to its last block; the next heading of the same level ends it.
    expect(top.range).toEqual(between(RATES, '# RRSP', '| Ontario | 5% |'));
    expect(top.selectionRange).toEqual(rangeOf(RATES, 'RRSP Withholding'));
    expect(top.children![2].range).toEqual(between(RATES, '## Rules', '| Ontario | 5% |'));
    expect(forms.range).toEqual(between(RATES, '# Forms', 'REQUIRES [[SIN]]'));
    // An atom: its list item, with the name selected.
    expect(top.children![0].range).toEqual(between(RATES, '- **Withholding Rate**', ': 10%'));
    expect(top.children![0].selectionRange).toEqual(rangeOf(RATES, 'Withholding Rate'));
    // A nested exception's range is its own item; a trailing one, its own text.
    const [condition, constraint] = top.children![2].children!;
    expect(condition.children![0].range).toEqual(between(RATES, '- UNLESS', '= non-resident'));
    expect(constraint.children![0].range).toEqual(rangeOf(RATES, 'UNLESS Jurisdiction = Ontario'));
  });

  it('follows the editor buffer', async () => {
    const { ws, client } = await serve();
    const uri = ws.uri('domains/payroll/pay.md');
    client.open(uri, PAY);
    client.change(uri, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: '\n## Caps\n\n- [[Withholding Rate]] MUST BE <= 50% {block}\n' }]);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(render(symbols)).toEqual([
      'Namespace Payroll',
      '  Constant Withholding Rate — 5%',
      '  Namespace Caps',
      '    Function [[Withholding Rate]] MUST BE <= 50% {block} — Withholding Rate MUST BE <= 50% {block}',
    ]);
    checkNesting(symbols);
  });
});

describe('workspace symbols', () => {
  const search = (client: Awaited<ReturnType<typeof serve>>['client'], query: string) => client.request<SymbolInformation[]>('workspace/symbol', { query });

  it('ranks exact, prefix, word-start, substring and subsequence matches in that order', async () => {
    const { client } = await serve();
    const found = await search(client, 'Rate');
    expect(found.filter((s) => s.containerName === 'ranking').map((s) => s.name)).toEqual(['Rate', 'Rate Cap', 'Base Rate', 'Accurate', 'Ridge Navigate']);
    // Word starts: initials and word prefixes, with or without spaces.
    for (const query of ['wr', 'with rate', 'withrat']) {
      expect((await search(client, query))[0].name, query).toBe('Withholding Rate');
    }
  });

  it('lists each atom once per domain, at its definition, with the domain as container', async () => {
    const { ws, client } = await serve();
    const found = (await search(client, 'withholding rate')).filter((s) => s.name === 'Withholding Rate');
    expect(found).toEqual([
      { name: 'Withholding Rate', kind: 14, containerName: 'payroll', location: { uri: ws.uri('domains/payroll/pay.md'), range: rangeOf(PAY, 'Withholding Rate') } },
      { name: 'Withholding Rate', kind: 14, containerName: 'tax', location: { uri: ws.uri('domains/tax/rates.md'), range: rangeOf(RATES, 'Withholding Rate') } },
    ]);
    // An atom never defined is listed where it is used.
    expect(await search(client, 'lump-sum withdrawal')).toEqual([
      { name: 'Lump-Sum Withdrawal', kind: 13, containerName: 'tax', location: { uri: ws.uri('domains/tax/rates.md'), range: rangeOf(RATES, 'Lump-Sum Withdrawal') } },
    ]);
  });

  it('finds document titles and headings', async () => {
    const { ws, client } = await serve();
    const rates = ws.uri('domains/tax/rates.md');
    expect((await search(client, 'rrsp'))[0]).toEqual({ name: 'RRSP Withholding', kind: 1, containerName: 'tax/rates.md', location: { uri: rates, range: rangeOf(RATES, 'RRSP Withholding') } });
    expect((await search(client, 'by amount'))[0]).toEqual({ name: 'By amount', kind: 3, containerName: 'RRSP Withholding', location: { uri: rates, range: rangeOf(RATES, 'By amount') } });
    expect((await search(client, 'forms'))[0]).toEqual({ name: 'Forms', kind: 3, containerName: 'RRSP Withholding', location: { uri: rates, range: rangeOf(RATES, 'Forms') } });
    // The title's H1 is not listed a second time as a heading.
    expect((await search(client, 'RRSP Withholding')).filter((s) => s.name === 'RRSP Withholding')).toHaveLength(1);
  });

  it('caps the answer', async () => {
    const { client } = await serve();
    const found = await search(client, 'item');
    expect(found).toHaveLength(200);
    expect(found.slice(0, 3).map((s) => s.name)).toEqual(['Item 000', 'Item 001', 'Item 002']);
  });

  it('follows edits: a new atom is found, a removed one is gone', async () => {
    const { ws, client } = await serve();
    const uri = ws.uri('domains/payroll/pay.md');
    expect(await search(client, 'surtax')).toEqual([]);
    client.open(uri, PAY);
    client.change(uri, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: '- **Quebec Surtax**: 2%\n' }]);
    expect(await search(client, 'surtax')).toEqual([
      { name: 'Quebec Surtax', kind: 14, containerName: 'payroll', location: { uri, range: { start: { line: 3, character: 4 }, end: { line: 3, character: 17 } } } },
    ]);
    client.replace(uri, '# Payroll\n');
    expect(await search(client, 'surtax')).toEqual([]);
    expect((await search(client, 'withholding rate')).map((s) => s.containerName)).toEqual(['tax']);
  });
});
