/**
 * Definition, references and rename over a real LSP connection, on a
 * workspace with two domains: `tax` (three files: definitions and rules, a
 * decision table, a REQUIRES list and prose) and `payroll` (one file with
 * the same atom names, which must never be touched by anything done in tax).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Location, Range, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { parseDocument } from '../../core/document';
import { planRename, renameTarget } from '../features/rename';
import { KnowledgeBase } from '../knowledge';
import { CLIENT_CAPABILITIES, positionOf, startServer, workspaceOf, type StartOptions } from '../testing';
import { onCleanup } from './serve';

const RATES = `# RRSP Withholding

- **Withholding Rate**: 10%
- **Jurisdiction**: one of Quebec, Ontario, Alberta
- **Resident Status**: one of resident, non-resident

## Rules

- IF Jurisdiction = Quebec AND [[Withdrawal Amount]] > $5,000 THEN [[Withholding Rate]] = 10%
  - UNLESS [[Resident Status]] = non-resident
- Withholding Rate MUST BE <= 30%
- IF Jurisdiction = Ontario THEN Bonus Rate = 2%
`;
const TABLES = `# Tables

| IF Jurisdiction | IF Withdrawal Amount | THEN Withholding Rate |
| --- | --- | --- |
| Quebec | <= $5,000 | 5% |
| Alberta | - | 10% |
`;
const FORMS = `# Forms

- **SIN**: yes
- [[Lump-Sum Withdrawal]] REQUIRES [[SIN]], [[Withholding Rate]]

The rate is [[Withholding Rate]] above a [[Withdrawal Amount]] of $5,000.
`;
const PAY = `---
domain: payroll
---
# Payroll

- **Withholding Rate**: 5%
- [[Withholding Rate]] MUST BE <= 50%
- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 7%
- See [[Nowhere]].
`;
const FILES = { 'domains/tax/rates.md': RATES, 'domains/tax/tables.md': TABLES, 'domains/tax/forms.md': FORMS, 'payroll.md': PAY };


async function serve(options: Omit<StartOptions, 'folders'> = {}) {
  const ws = workspaceOf(FILES);
  const client = await startServer({ folders: [ws.root], ...options });
  onCleanup(ws.cleanup, () => client.stop());
  await client.indexed();
  const uris = { rates: ws.uri('domains/tax/rates.md'), tables: ws.uri('domains/tax/tables.md'), forms: ws.uri('domains/tax/forms.md'), pay: ws.uri('payroll.md') };
  return { ws, client, uris };
}

/** The range of the `n`th `needle` in `text`. */
function rangeOf(text: string, needle: string, n = 0): Range {
  return { start: positionOf(text, needle, 0, n), end: positionOf(text, needle, needle.length, n) };
}

/** A position inside the `n`th `needle` (two characters in). */
function inside(text: string, needle: string, n = 0) {
  return positionOf(text, needle, 2, n);
}

const byPlace = (a: Location, b: Location) => a.uri.localeCompare(b.uri) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

/** Text edits applied to a text (non-overlapping, any order). */
function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

describe('definition', () => {
  it('goes from every way of writing a name to the definition in its own domain', async () => {
    const { client, uris } = await serve();
    const definition = (uri: string, position: { line: number; character: number }) =>
      client.request<Location[] | null>('textDocument/definition', { textDocument: { uri }, position });
    const taxRate = [{ uri: uris.rates, range: rangeOf(RATES, 'Withholding Rate') }];
    // A [[reference]] in prose, one in a REQUIRES list, a decision-table header, a bare rule operand, the definition itself.
    expect(await definition(uris.forms, inside(FORMS, 'Withholding Rate', 1))).toEqual(taxRate);
    expect(await definition(uris.forms, inside(FORMS, 'Withholding Rate', 0))).toEqual(taxRate);
    expect(await definition(uris.tables, inside(TABLES, 'Withholding Rate'))).toEqual(taxRate);
    expect(await definition(uris.rates, inside(RATES, 'Withholding Rate', 2))).toEqual(taxRate);
    expect(await definition(uris.rates, inside(RATES, 'Withholding Rate', 0))).toEqual(taxRate);
    // The cursor right at the end of a name is still on it.
    expect(await definition(uris.forms, positionOf(FORMS, 'Withholding Rate', 'Withholding Rate'.length, 1))).toEqual(taxRate);
    // The same name in payroll is another atom.
    expect(await definition(uris.pay, inside(PAY, 'Withholding Rate', 2))).toEqual([{ uri: uris.pay, range: rangeOf(PAY, 'Withholding Rate') }]);
    // An input declared with `one of`, from a table header.
    expect(await definition(uris.tables, inside(TABLES, 'Jurisdiction'))).toEqual([{ uri: uris.rates, range: rangeOf(RATES, 'Jurisdiction') }]);
  });

  it('falls back to the rule that sets an atom without a definition, and answers null for unknown atoms and prose', async () => {
    const { client, uris } = await serve();
    const definition = (uri: string, position: { line: number; character: number }) =>
      client.request<Location[] | null>('textDocument/definition', { textDocument: { uri }, position });
    expect(await definition(uris.rates, inside(RATES, 'Bonus Rate'))).toEqual([{ uri: uris.rates, range: rangeOf(RATES, 'Bonus Rate') }]);
    expect(await definition(uris.pay, inside(PAY, 'Nowhere'))).toBeNull();
    // Only tested in conditions: neither defined nor set.
    expect(await definition(uris.forms, inside(FORMS, 'Withdrawal Amount'))).toBeNull();
    expect(await definition(uris.forms, inside(FORMS, 'The rate'))).toBeNull();
    // A document the server does not know.
    expect(await definition(uris.forms.replace(/forms\.md$/, 'missing.md'), { line: 0, character: 0 })).toBeNull();
  });
});

describe('references', () => {
  it('lists every place of the atom across the domain, with or without its definition', async () => {
    const { client, uris } = await serve();
    const references = (includeDeclaration: boolean) =>
      client.request<Location[]>('textDocument/references', { textDocument: { uri: uris.tables }, position: inside(TABLES, 'Withholding Rate'), context: { includeDeclaration } });
    const uses: Location[] = [
      { uri: uris.forms, range: rangeOf(FORMS, 'Withholding Rate', 0) },
      { uri: uris.forms, range: rangeOf(FORMS, 'Withholding Rate', 1) },
      { uri: uris.rates, range: rangeOf(RATES, 'Withholding Rate', 1) },
      { uri: uris.rates, range: rangeOf(RATES, 'Withholding Rate', 2) },
      { uri: uris.tables, range: rangeOf(TABLES, 'Withholding Rate') },
    ];
    expect((await references(false)).sort(byPlace)).toEqual(uses);
    expect((await references(true)).sort(byPlace)).toEqual([...uses, { uri: uris.rates, range: rangeOf(RATES, 'Withholding Rate', 0) }].sort(byPlace));
    // Not on a name: nothing.
    expect(
      await client.request('textDocument/references', { textDocument: { uri: uris.forms }, position: inside(FORMS, 'The rate'), context: { includeDeclaration: true } }),
    ).toBeNull();
  });

  it('follows the editor buffer of an open document, not the file on disk', async () => {
    const { client, uris } = await serve();
    const draft = `<!-- draft -->\n\n${FORMS}- [[withholding  rate]] MUST BE <= 40%\n`;
    client.open(uris.forms, draft, 3);
    const found = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: uris.forms },
      position: inside(draft, 'withholding  rate'),
      context: { includeDeclaration: false },
    });
    expect(found.filter((l) => l.uri === uris.forms)).toEqual([
      { uri: uris.forms, range: rangeOf(draft, 'Withholding Rate', 0) },
      { uri: uris.forms, range: rangeOf(draft, 'Withholding Rate', 1) },
      { uri: uris.forms, range: rangeOf(draft, 'withholding  rate') },
    ]);
  });
});

describe('prepareRename', () => {
  it('gives the range and spelling of the name under the cursor', async () => {
    const { client, uris } = await serve();
    const prepare = (uri: string, position: { line: number; character: number }) => client.request('textDocument/prepareRename', { textDocument: { uri }, position });
    expect(await prepare(uris.rates, inside(RATES, 'Jurisdiction', 1))).toEqual({ range: rangeOf(RATES, 'Jurisdiction', 1), placeholder: 'Jurisdiction' });
    expect(await prepare(uris.tables, inside(TABLES, 'Withdrawal Amount'))).toEqual({ range: rangeOf(TABLES, 'Withdrawal Amount'), placeholder: 'Withdrawal Amount' });
    await expect(prepare(uris.forms, inside(FORMS, 'The rate'))).rejects.toThrow(/no atom name here/);
  });

  it('refuses an atom that a colleague’s read-only document also uses', () => {
    const kb = new KnowledgeBase('default');
    const mine = parseDocument('file:///w/domains/tax/rates.md', RATES);
    kb.upsert(mine, 'disk');
    kb.upsert(parseDocument('file:///team/domains/tax/shared.md', '# Shared\n\n- [[Withholding Rate]] MUST BE <= 35%\n'), 'team');
    expect(() => renameTarget(kb, mine.uri, inside(RATES, 'Withholding Rate'))).toThrow(
      "'Withholding Rate' is also used in tax/shared.md:3, a colleague's document that is read-only here, so it cannot be renamed from this workspace.",
    );
    expect(() => planRename(kb, mine.uri, inside(RATES, 'Withholding Rate'), 'Rate')).toThrow(/colleague's document/);
    // An atom only this workspace uses may still be renamed.
    expect(renameTarget(kb, mine.uri, inside(RATES, 'Jurisdiction')).occurrence.name).toBe('Jurisdiction');
  });
});

describe('rename', () => {
  it('edits every file of the domain, with versioned edits for open documents, and never the other domain', async () => {
    const { client, uris } = await serve();
    const draft = `<!-- draft -->\n\n${RATES}`;
    client.open(uris.rates, draft, 4);
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri: uris.forms },
      position: inside(FORMS, 'Withholding Rate', 1),
      newName: '  Withholding Percentage ',
    });
    const to = (range: Range) => ({ range, newText: 'Withholding Percentage' });
    expect(edit.changes).toBeUndefined();
    expect(edit.documentChanges).toEqual([
      { textDocument: { uri: uris.forms, version: null }, edits: [to(rangeOf(FORMS, 'Withholding Rate', 0)), to(rangeOf(FORMS, 'Withholding Rate', 1))] },
      {
        textDocument: { uri: uris.rates, version: 4 },
        edits: [to(rangeOf(draft, 'Withholding Rate', 0)), to(rangeOf(draft, 'Withholding Rate', 1)), to(rangeOf(draft, 'Withholding Rate', 2))],
      },
      { textDocument: { uri: uris.tables, version: null }, edits: [to(rangeOf(TABLES, 'Withholding Rate'))] },
    ]);
  });

  it('keeps bare names bare, and brackets them where the new name could not stand bare', async () => {
    const { client, uris } = await serve();
    const rename = (newName: string) =>
      client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uris.rates }, position: inside(RATES, 'Jurisdiction', 1), newName });
    const texts = (edit: WorkspaceEdit) =>
      Object.fromEntries((edit.documentChanges as TextDocumentEdit[]).map((d) => [d.textDocument.uri, applyTextEdits(uris.rates === d.textDocument.uri ? RATES : TABLES, d.edits as TextEdit[])]));

    const plain = texts(await rename('Province'));
    expect(Object.keys(plain).sort()).toEqual([uris.rates, uris.tables]);
    expect(plain[uris.rates]).toBe(RATES.replaceAll('Jurisdiction', 'Province'));
    expect(plain[uris.tables]).toBe(TABLES.replace('IF Jurisdiction', 'IF Province'));

    // `OR` is a keyword: written bare, the rule would read differently.
    const keyword = texts(await rename('Province OR Territory'));
    expect(keyword[uris.rates]).toBe(
      RATES.replace('**Jurisdiction**', '**Province OR Territory**').replaceAll('IF Jurisdiction =', 'IF [[Province OR Territory]] ='),
    );
    expect(keyword[uris.tables]).toBe(TABLES.replace('IF Jurisdiction', 'IF [[Province OR Territory]]'));
    // And the result reads back as the same knowledge under the new name.
    const reread = parseDocument('file:///w/domains/tax/rates.md', keyword[uris.rates]);
    expect(reread.definitions.map((d) => d.name)).toEqual(['Withholding Rate', 'Province OR Territory', 'Resident Status']);
    expect(reread.molecules.map((m) => m.normalized)).toContain('IF Province OR Territory = Ontario THEN Bonus Rate = 2%');
    expect(parseDocument('file:///w/domains/tax/tables.md', keyword[uris.tables]).tables[0].inputs.map((r) => r.name)).toEqual(['Province OR Territory', 'Withdrawal Amount']);
  });

  it('allows a change of case or spacing of the same atom', async () => {
    const { client, uris } = await serve();
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uris.tables }, position: inside(TABLES, 'Withholding Rate'), newName: 'withholding RATE' });
    const edits = (edit.documentChanges as TextDocumentEdit[]).flatMap((d) => d.edits as TextEdit[]);
    expect(edits).toHaveLength(6);
    expect(new Set(edits.map((e) => e.newText))).toEqual(new Set(['withholding RATE']));
  });

  it('refuses to merge two atoms, naming the existing one and where it is defined', async () => {
    const { client, uris } = await serve();
    const rename = (uri: string, position: { line: number; character: number }, newName: string) =>
      client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position, newName });
    await expect(rename(uris.tables, inside(TABLES, 'Withholding Rate'), ' jurisdiction ')).rejects.toThrow(
      "'Jurisdiction' is already an atom of domain 'tax', defined in tax/rates.md:4: renaming 'Withholding Rate' to it would merge the two atoms.",
    );
    // An atom that is only used (never defined) counts too.
    await expect(rename(uris.rates, inside(RATES, 'Bonus Rate'), 'withdrawal amount')).rejects.toThrow(
      "'Withdrawal Amount' is already an atom of domain 'tax', used in tax/forms.md:6: renaming 'Bonus Rate' to it would merge",
    );
    // SIN is a tax atom: payroll's Withholding Rate may take the name.
    const edit = await rename(uris.pay, inside(PAY, 'Withholding Rate'), 'SIN');
    expect((edit.documentChanges as TextDocumentEdit[]).map((d) => [d.textDocument.uri, d.edits.length])).toEqual([[uris.pay, 3]]);
  });

  it('refuses names that would break the syntax', async () => {
    const { client, uris } = await serve();
    const rename = (newName: string) =>
      client.request('textDocument/rename', { textDocument: { uri: uris.rates }, position: inside(RATES, 'Bonus Rate'), newName });
    await expect(rename('   ')).rejects.toThrow('The new name is empty.');
    await expect(rename('Bonus\nRate')).rejects.toThrow('must fit on one line');
    await expect(rename('[[Bonus]]')).rejects.toThrow("cannot contain '[' or ']'");
    await expect(rename('Bonus *Rate*')).rejects.toThrow("cannot contain '*'");
    await expect(rename('Bonus | Rate')).rejects.toThrow("cannot contain '|'");
    await expect(rename('Bonus Rate:')).rejects.toThrow("cannot end with ':'");
    await expect(
      client.request('textDocument/rename', { textDocument: { uri: uris.forms }, position: inside(FORMS, 'The rate'), newName: 'X' }),
    ).rejects.toThrow(/no atom name here/);
    // Colons inside a name are fine.
    const edit = await rename('Bonus: Ontario');
    expect((edit as WorkspaceEdit).documentChanges).toHaveLength(1);
  });

  it('answers with `changes` when the client does not take versioned edits', async () => {
    const { client, uris } = await serve({ capabilities: { ...CLIENT_CAPABILITIES, workspace: { ...CLIENT_CAPABILITIES.workspace, workspaceEdit: {} } } });
    client.open(uris.rates, RATES, 2);
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uris.rates }, position: inside(RATES, 'Resident Status'), newName: 'Residency' });
    expect(edit.documentChanges).toBeUndefined();
    expect(edit.changes).toEqual({
      [uris.rates]: [
        { range: rangeOf(RATES, 'Resident Status', 0), newText: 'Residency' },
        { range: rangeOf(RATES, 'Resident Status', 1), newText: 'Residency' },
      ],
    });
  });

  it('leaves a consistent knowledge base once the edits are written: no unknown atom, every place found under the new name', async () => {
    const { client, uris } = await serve();
    // The table's gap finding names its inputs: it shows when the server has read the renamed files.
    await client.diagnosticsFor(uris.tables, (d) => d.some((x) => x.code === 'table-gap' && String(x.message).includes('Withdrawal Amount')));
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uris.forms }, position: inside(FORMS, 'Withdrawal Amount'), newName: 'Withdrawal Sum' });
    const changes = edit.documentChanges as TextDocumentEdit[];
    expect(changes.map((d) => d.textDocument.uri)).toEqual([uris.forms, uris.rates, uris.tables]);
    for (const d of changes) {
      const file = fileURLToPath(d.textDocument.uri);
      fs.writeFileSync(file, applyTextEdits(fs.readFileSync(file, 'utf8'), d.edits as TextEdit[]));
    }
    expect(fs.readFileSync(fileURLToPath(uris.forms), 'utf8')).toBe(FORMS.replace('Withdrawal Amount', 'Withdrawal Sum'));
    client.notify('workspace/didChangeWatchedFiles', { changes: changes.map((d) => ({ uri: d.textDocument.uri, type: 2 })) });
    await client.diagnosticsFor(uris.tables, (d) => d.some((x) => x.code === 'table-gap' && String(x.message).includes('Withdrawal Sum')), 'the gap under the new name');
    // A request answered after that flush: every diagnostic sent before it has arrived.
    const found = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: uris.forms },
      position: inside(FORMS.replace('Withdrawal Amount', 'Withdrawal Sum'), 'Withdrawal Sum'),
      context: { includeDeclaration: true },
    });
    expect(found.map((l) => l.uri).sort()).toEqual([uris.forms, uris.rates, uris.tables]);
    for (const uri of [uris.forms, uris.rates, uris.tables]) {
      expect((client.diagnostics.get(uri) ?? []).map((d) => d.code)).not.toContain('unknown-atom');
    }
  });
});
