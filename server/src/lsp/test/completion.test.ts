/**
 * Completion over a real LSP connection. Each case opens a scratch document
 * of the `tax` domain with the cursor marked `‸` and checks what is offered
 * there: names after `[[` (closing brackets unless present), names,
 * operators, values and connectives inside rules as the grammar allows,
 * enforcement tags, decision-table headers; nothing in prose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, TextEdit } from 'vscode-languageserver-protocol';
import { MAX_ITEMS } from '../features/completion';
import { startServer, workspaceOf, type TestClient } from '../testing';

const DEFINITIONS = `# Definitions

- **Jurisdiction**: one of Quebec, Ontario, Alberta
- **Withholding Rate**: 10%
- **Lump-Sum Threshold**: $5,000
- **Requires SIN**: yes
- **Form (T4RSP)**: required
`;
const RULES = `# Rules

- IF [[Withdrawal Amount]] > [[Lump-Sum Threshold]] THEN [[Withholding Rate]] = 10%
`;
const PAYROLL = `---
domain: payroll
---
- **Salary**: $1
`;

const CURSOR = '‸';
let client: TestClient;
let cleanup: () => void;
let uri: (relative: string) => string;
let scratch = 0;

beforeAll(async () => {
  const ws = workspaceOf({ 'domains/tax/definitions.md': DEFINITIONS, 'domains/tax/rules.md': RULES, 'payroll.md': PAYROLL });
  cleanup = ws.cleanup;
  uri = ws.uri;
  client = await startServer({ folders: [ws.root] });
  await client.indexed();
});

afterAll(async () => {
  await client?.stop();
  cleanup?.();
});

/** Completion at `‸` in a fresh document of the tax domain (`trigger`: the character typed, else invoked). */
async function complete(marked: string, trigger?: string): Promise<CompletionItem[]> {
  const at = marked.indexOf(CURSOR);
  const text = marked.replace(CURSOR, '');
  const before = text.slice(0, at);
  const position = { line: before.split('\n').length - 1, character: at - before.lastIndexOf('\n') - 1 };
  const doc = uri(`domains/tax/scratch${scratch++}.md`);
  client.open(doc, text);
  const context = trigger ? { triggerKind: 2, triggerCharacter: trigger } : { triggerKind: 1 };
  const list = await client.request<CompletionList | null>('textDocument/completion', { textDocument: { uri: doc }, position, context });
  return list?.items ?? [];
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
/** Labels in the order the server sorts them. */
const sorted = (items: CompletionItem[]) => [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((i) => i.label);
const item = (items: CompletionItem[], label: string) => {
  const found = items.find((i) => i.label === label);
  if (!found) throw new Error(`no item '${label}' in ${JSON.stringify(labels(items))}`);
  return found;
};
const edit = (i: CompletionItem) => i.textEdit as TextEdit;
const span = (i: CompletionItem) => [edit(i).range.start.character, edit(i).range.end.character];

describe('completion after [[', () => {
  it('offers every name of the document’s domain with its type and value, and closes the brackets', async () => {
    const items = await complete('See [[‸', '[');
    expect(labels(items)).toEqual(
      expect.arrayContaining(['Jurisdiction', 'Withholding Rate', 'Lump-Sum Threshold', 'Withdrawal Amount', 'Requires SIN', 'Form (T4RSP)']),
    );
    expect(labels(items)).not.toContain('Salary');
    expect(item(items, 'Withholding Rate').detail).toBe('NumberAtom · 10%');
    expect(item(items, 'Lump-Sum Threshold').detail).toBe('NumberAtom · $5,000');
    expect(item(items, 'Jurisdiction').detail).toBe('TextAtom · one of Quebec, Ontario, Alberta');
    expect(item(items, 'Withdrawal Amount').detail).toBe('not defined · used in rules');
    expect(edit(item(items, 'Withholding Rate'))).toEqual({
      range: { start: { line: 0, character: 6 }, end: { line: 0, character: 6 } },
      newText: 'Withholding Rate]]',
    });
  });

  it('replaces the part of the name already typed, and the rest of it up to ]] when they are there', async () => {
    const typed = await complete('See [[With‸');
    expect(span(item(typed, 'Withholding Rate'))).toEqual([6, 10]);
    expect(edit(item(typed, 'Withholding Rate')).newText).toBe('Withholding Rate]]');
    const closed = await complete('See [[Wi‸thh]] here');
    expect(span(item(closed, 'Withholding Rate'))).toEqual([6, 11]);
    expect(edit(item(closed, 'Withholding Rate')).newText).toBe('Withholding Rate');
    const autoClosed = await complete('See [[‸]]', '[');
    expect(edit(item(autoClosed, 'Jurisdiction')).newText).toBe('Jurisdiction');
  });

  it('does not offer the name being typed as if it existed', async () => {
    const items = await complete('See [[Zzyzx‸]]');
    expect(labels(items)).not.toContain('Zzyzx');
    expect(labels(items)).toContain('Jurisdiction');
  });

  it('resolves an item with where the atom is defined', async () => {
    const items = await complete('See [[‸', '[');
    const resolved = await client.request<CompletionItem>('completionItem/resolve', item(items, 'Withholding Rate'));
    const doc = resolved.documentation as { kind: string; value: string };
    expect(doc.kind).toBe('markdown');
    expect(doc.value).toContain('**Withholding Rate**: 10%');
    expect(doc.value).toContain('defined in tax/definitions.md:4');
  });
});

describe('completion in rules', () => {
  it('offers names after IF, bare where the grammar reads them back, bracketed otherwise', async () => {
    const items = await complete('- IF ‸', ' ');
    expect(edit(item(items, 'Withholding Rate')).newText).toBe('Withholding Rate');
    expect(edit(item(items, 'Form (T4RSP)')).newText).toBe('[[Form (T4RSP)]]');
    expect(labels(items)).not.toContain('=');
  });

  it('offers operators after a name, and names that continue it', async () => {
    const items = await complete('- IF Withholding ‸', ' ');
    expect(labels(items)).toEqual(expect.arrayContaining(['=', '!=', '<', '<=', '>', '>=', 'IS', 'IS NOT', 'IN (…)', 'NOT IN (…)', 'BETWEEN … AND …']));
    expect(span(item(items, 'Withholding Rate'))).toEqual([5, 17]);
    const between = item(items, 'BETWEEN … AND …');
    expect(edit(between).newText).toBe('BETWEEN ${1:low} AND ${2:high}');
    expect(between.insertTextFormat).toBe(2);
    // After a [[reference]] only operators come.
    const afterRef = await complete('- IF [[Jurisdiction]]‸');
    expect(edit(item(afterRef, 'IN (…)')).newText).toBe(' IN (${1})');
    expect(labels(afterRef)).not.toContain('Withholding Rate');
  });

  it('offers the members of a one-of input after = and inside IN (, then references to atoms with a value', async () => {
    const items = await complete('- IF [[Jurisdiction]] =‸', '=');
    expect(sorted(items).slice(0, 3)).toEqual(['Quebec', 'Ontario', 'Alberta']);
    expect(edit(item(items, 'Quebec')).newText).toBe(' Quebec');
    expect(edit(item(items, 'Lump-Sum Threshold')).newText).toBe(' [[Lump-Sum Threshold]]');
    expect(labels(items)).not.toContain('Withdrawal Amount'); // no value to compare with
    const inList = await complete('- IF Jurisdiction IN (Quebec, ‸', ' ');
    expect(labels(inList)).toEqual(['Ontario', 'Alberta']);
    const yesNo = await complete('- IF [[Requires SIN]] = ‸', ' ');
    expect(labels(yesNo).slice(0, 2)).toEqual(['yes', 'no']);
  });

  it('offers THEN, AND, OR after a condition; AND, UNLESS and tags after the THEN part', async () => {
    const condition = await complete('- IF [[Jurisdiction]] = Quebec ‸', ' ');
    expect(sorted(condition)).toEqual(['THEN', 'AND', 'OR']);
    const then = await complete('- IF [[Jurisdiction]] = Quebec THEN ‸', ' ');
    expect(labels(then)).toContain('Withholding Rate');
    const target = await complete('- IF [[Jurisdiction]] = Quebec THEN Withholding Rate ‸', ' ');
    expect(labels(target)).toEqual(expect.arrayContaining(['=', 'IS']));
    expect(labels(target)).not.toContain('<');
    const done = await complete('- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% ‸', ' ');
    expect(sorted(done)).toEqual(['AND', 'UNLESS', 'EXCEPT WHEN', '{block}', '{warn}', '{inform}']);
    const between = await complete('- IF [[Jurisdiction]] = Quebec AND Amount BETWEEN 1 ‸', ' ');
    expect(labels(between)).toEqual(['AND']);
  });

  it('completes an enforcement tag after {, over an auto-closed }', async () => {
    const items = await complete('- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {bl‸', '{');
    expect(edit(item(items, '{block}'))).toEqual({ range: { start: { line: 0, character: 62 }, end: { line: 0, character: 65 } }, newText: '{block}' });
    const closed = await complete('- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {‸}', '{');
    expect(span(item(closed, '{warn}'))).toEqual([62, 64]);
  });

  it('offers MUST BE and REQUIRES after a known name at the start of a line, and constraint operators after MUST BE', async () => {
    const lead = await complete('- Withholding Rate ‸', ' ');
    expect(labels(lead)).toEqual(expect.arrayContaining(['MUST BE', 'MUST NOT BE', 'REQUIRES']));
    const afterRef = await complete('- [[Withholding Rate]]‸');
    expect(edit(item(afterRef, 'MUST BE')).newText).toBe(' MUST BE ');
    const mustBe = await complete('- [[Withholding Rate]] MUST BE ‸', ' ');
    expect(labels(mustBe)).toEqual(expect.arrayContaining(['<=', '<', '>=', '>', 'BETWEEN … AND …', 'IN (…)', 'Lump-Sum Threshold']));
  });

  it('offers the names not yet listed in a REQUIRES list', async () => {
    const items = await complete('- [[Withdrawal Amount]] REQUIRES [[Requires SIN]], ‸', ' ');
    expect(labels(items)).toContain('Form (T4RSP)');
    expect(labels(items)).not.toContain('Withdrawal Amount');
    expect(labels(items)).not.toContain('Requires SIN');
    expect(edit(item(items, 'Form (T4RSP)')).newText).toBe('[[Form (T4RSP)]]');
    const after = await complete('- [[Withdrawal Amount]] REQUIRES [[Requires SIN]] ‸', ' ');
    expect(labels(after)).toEqual(['AND', '{block}', '{warn}', '{inform}']);
  });

  it('offers names in a decision-table header cell', async () => {
    const items = await complete('| IF Juris‸', ' ');
    expect(span(item(items, 'Jurisdiction'))).toEqual([5, 10]);
  });

  it('stays quiet in prose', async () => {
    expect(await complete('The rate ‸', ' ')).toEqual([]);
    expect(await complete('- The rate ‸', ' ')).toEqual([]);
    expect(await complete('A total =‸', '=')).toEqual([]);
    expect(await complete('- ‸', ' ')).toEqual([]);
    expect(await complete('- **Name**: {‸', '{')).toEqual([]);
  });
});

describe('completion in a domain with many atoms', () => {
  it('sends at most MAX_ITEMS, those matching what is typed, and says the list is incomplete', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => `- **Bulk Rate ${i}**: ${i}%`).join('\n');
    const ws = workspaceOf({ 'domains/bulk/defs.md': `# Bulk\n\n${many}\n` });
    const big = await startServer({ folders: [ws.root] });
    try {
      await big.indexed();
      const doc = ws.uri('domains/bulk/scratch.md');
      const ask = async (typed: string) => {
        const text = `See [[${typed}`;
        big.open(doc, text);
        return (await big.request<CompletionList>('textDocument/completion', { textDocument: { uri: doc }, position: { line: 0, character: text.length }, context: { triggerKind: 1 } }))!;
      };
      const all = await ask('');
      expect(all.isIncomplete).toBe(true);
      expect(all.items).toHaveLength(MAX_ITEMS);
      // The first in the server's order (by name).
      expect(all.items[0].label).toBe('Bulk Rate 0');
      const some = await ask('rate 11');
      expect(some.isIncomplete).toBe(true);
      // "rate 11" in order: Bulk Rate 11, 110–119, 1100–1199, and names like "Bulk Rate 1021" (r-a-t-e-space-1-…-1).
      expect(labels(some.items)).toEqual(expect.arrayContaining(['Bulk Rate 11', 'Bulk Rate 115', 'Bulk Rate 1150']));
      expect(some.items.every((i) => /^bulk rate \d*1\d*1/.test(String(i.label).toLowerCase()))).toBe(true);
      expect(some.items.length).toBeLessThan(MAX_ITEMS);
    } finally {
      await big.stop();
      ws.cleanup();
    }
  }, 60_000);
});
