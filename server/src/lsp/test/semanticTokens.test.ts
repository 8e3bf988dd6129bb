/**
 * Semantic tokens over a real LSP connection, decoded into readable lines
 * (`line:char type[modifiers] text`): rule keywords, operators, tags, atom
 * names (declarations marked), values by type, `one of` members; sorted and
 * non-overlapping, split per line for a rule that spans lines; deltas that
 * rebuild the same list. Read-only atoms (defined only in a colleague's
 * document) are checked on the knowledge base directly: team documents need
 * a shared database to arrive over the wire.
 */
import { describe, expect, it } from 'vitest';
import type { SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver-protocol';
import { parseDocument } from '../../core/document';
import { encodedTokens, LEGEND } from '../features/semanticTokens';
import { KnowledgeBase } from '../knowledge';
import { type TestClient } from '../testing';
import { onCleanup, serve } from './serve';

const RATES = `# Rates

- **Jurisdiction**: one of Quebec, Ontario
- **Base Rate**: 10%

- IF [[Jurisdiction]] = Quebec AND Amount > $5,000 THEN [[Withholding Rate]] = 10% {block}
  - UNLESS [[Resident Status]] = non-resident
- [[Withholding Rate]] MUST BE <= 30%
- Withdrawal REQUIRES [[SIN]], [[Form T4RSP]]

Prose about [[Base Rate]] and 10% stays prose, IF it says so.
`;


async function serveAt(files: Record<string, string>): Promise<{ client: TestClient; uri: (p: string) => string }> {
  const { ws, client } = await serve(files);
  return { client, uri: ws.uri };
}

interface Decoded {
  line: number;
  char: number;
  length: number;
  type: string;
  modifiers: string[];
}

function decode(data: readonly number[]): Decoded[] {
  const out: Decoded[] = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
    const modifiers = LEGEND.tokenModifiers.filter((_, bit) => data[i + 4] & (1 << bit));
    out.push({ line, char, length: data[i + 2], type: LEGEND.tokenTypes[data[i + 3]], modifiers });
  }
  return out;
}

/** `line:char type[modifiers] text` per token. */
function render(text: string, data: readonly number[]): string[] {
  const lines = text.split('\n');
  return decode(data).map((t) => {
    const mods = t.modifiers.length ? `[${t.modifiers.join(',')}]` : '';
    return `${t.line}:${t.char} ${t.type}${mods} ${lines[t.line].slice(t.char, t.char + t.length)}`;
  });
}

/** Sorted, non-overlapping, each on one line inside its text. */
function expectWellFormed(text: string, data: readonly number[]): void {
  const lines = text.split('\n');
  let previous = { line: -1, end: 0 };
  for (const t of decode(data)) {
    expect(t.length).toBeGreaterThan(0);
    expect(t.char + t.length).toBeLessThanOrEqual(lines[t.line].length);
    if (t.line === previous.line) expect(t.char).toBeGreaterThanOrEqual(previous.end);
    else expect(t.line).toBeGreaterThan(previous.line);
    previous = { line: t.line, end: t.char + t.length };
  }
}

async function full(client: TestClient, uri: string): Promise<SemanticTokens> {
  return client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
}

describe('semantic tokens over LSP', () => {
  it('colours keywords, operators, tags, names, values and one-of members, and leaves prose alone', async () => {
    const { client, uri } = await serveAt({ 'domains/tax/rates.md': RATES });
    const tokens = await full(client, uri('domains/tax/rates.md'));
    expect(render(RATES, tokens.data)).toEqual([
      '2:4 variable[declaration] Jurisdiction',
      '2:20 keyword one of',
      '2:27 enumMember Quebec',
      '2:35 enumMember Ontario',
      '3:4 variable[declaration] Base Rate',
      '3:17 number 10%',
      '5:2 keyword IF',
      '5:7 variable Jurisdiction',
      '5:22 operator =',
      '5:24 enumMember Quebec',
      '5:31 keyword AND',
      '5:35 variable Amount',
      '5:42 operator >',
      '5:44 number $5,000',
      '5:51 keyword THEN',
      '5:58 variable Withholding Rate',
      '5:77 operator =',
      '5:79 number 10%',
      '5:83 decorator {block}',
      '6:4 keyword UNLESS',
      '6:13 variable Resident Status',
      '6:31 operator =',
      '6:33 string non-resident',
      '7:4 variable Withholding Rate',
      '7:23 keyword MUST',
      '7:28 keyword BE',
      '7:31 operator <=',
      '7:34 number 30%',
      '8:2 variable Withdrawal',
      '8:13 keyword REQUIRES',
      '8:24 variable SIN',
      '8:33 variable Form T4RSP',
      '10:14 variable Base Rate',
    ]);
    expectWellFormed(RATES, tokens.data);
  });

  it('splits a rule written over two lines into tokens per line, without the indentation', async () => {
    const text = '# Notes\n\n- IF [[Jurisdiction]] = Quebec\n  THEN [[Note]] = a long\n  text value\n';
    const { client, uri } = await serveAt({ 'notes.md': text });
    const tokens = await full(client, uri('notes.md'));
    expect(render(text, tokens.data)).toEqual([
      '2:2 keyword IF',
      '2:7 variable Jurisdiction',
      '2:22 operator =',
      '2:24 string Quebec',
      '3:2 keyword THEN',
      '3:9 variable Note',
      '3:16 operator =',
      '3:18 string a long',
      '4:2 string text value',
    ]);
    expectWellFormed(text, tokens.data);
  });

  it('answers a delta that rebuilds the new list, after an edit', async () => {
    const { client, uri } = await serveAt({ 'domains/tax/rates.md': RATES });
    const rates = uri('domains/tax/rates.md');
    client.open(rates, RATES);
    const first = await full(client, rates);
    expect(first.resultId).toBeTruthy();
    // Turn the prose line into a rule.
    const edited = RATES.replace('Prose about [[Base Rate]] and 10% stays prose, IF it says so.', '- [[Base Rate]] MUST BE >= 5% {warn}');
    client.replace(rates, edited);
    const delta = await client.request<SemanticTokensDelta | SemanticTokens>('textDocument/semanticTokens/full/delta', {
      textDocument: { uri: rates },
      previousResultId: first.resultId,
    });
    expect('edits' in delta).toBe(true);
    const data = [...first.data];
    for (const e of [...(delta as SemanticTokensDelta).edits].reverse()) data.splice(e.start, e.deleteCount, ...(e.data ?? []));
    expect(data).toEqual((await full(client, rates)).data);
    expect(render(edited, data).slice(-6)).toEqual([
      '10:4 variable Base Rate',
      '10:16 keyword MUST',
      '10:21 keyword BE',
      '10:24 operator >=',
      '10:27 number 5%',
      '10:30 decorator {warn}',
    ]);
    // An unknown previous result gets a full answer.
    const unknown = await client.request<SemanticTokens>('textDocument/semanticTokens/full/delta', { textDocument: { uri: rates }, previousResultId: 'nope' });
    expect(unknown.data).toEqual(data);
  });

  it('colours decision tables: header keywords and names, cell operators and values', async () => {
    const text = '# T\n\n- **Jurisdiction**: one of Quebec, Ontario\n\n| IF Jurisdiction | IF Amount | THEN Rate |\n| --- | --- | --- |\n| Quebec | <= $5,000 | 5% |\n';
    const { client, uri } = await serveAt({ 't.md': text });
    const tokens = await full(client, uri('t.md'));
    expect(render(text, tokens.data).slice(4)).toEqual([
      '4:2 keyword IF',
      '4:5 variable Jurisdiction',
      '4:20 keyword IF',
      '4:23 variable Amount',
      '4:32 keyword THEN',
      '4:37 variable Rate',
      '6:2 enumMember Quebec',
      '6:11 operator <=',
      '6:14 number $5,000',
      '6:23 number 5%',
    ]);
    expectWellFormed(text, tokens.data);
  });
});

describe('read-only atoms', () => {
  it('marks names defined only in a colleague’s document readonly, and every name of a colleague’s document', () => {
    const kb = new KnowledgeBase('default');
    const mine = parseDocument('file:///ws/domains/tax/mine.md', '# Mine\n\n- **Local**: 1\n- [[Shared Rate]] MUST BE <= [[Local]]\n');
    const theirs = parseDocument('file:///team/domains/tax/theirs.md', '# Theirs\n\n- **Shared Rate**: 5%\n');
    kb.upsert(mine, 'open');
    kb.upsert(theirs, 'team');
    expect(render(mine.text, encodedTokens(kb, mine))).toEqual([
      '2:4 variable[declaration] Local',
      '2:13 number 1',
      '3:4 variable[readonly] Shared Rate',
      '3:18 keyword MUST',
      '3:23 keyword BE',
      '3:26 operator <=',
      '3:31 variable Local',
    ]);
    expect(render(theirs.text, encodedTokens(kb, theirs))).toEqual(['2:4 variable[declaration,readonly] Shared Rate', '2:19 number 5%']);
    // A local definition makes it writable again.
    const defined = parseDocument(mine.uri, `${mine.text}- **Shared Rate**: 4%\n`);
    kb.upsert(defined, 'open');
    expect(render(defined.text, encodedTokens(kb, defined))).toContain('3:4 variable Shared Rate');
  });
});
