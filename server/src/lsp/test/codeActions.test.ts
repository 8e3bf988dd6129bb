/**
 * Quick fixes over a real LSP connection: each fix is asked for with the
 * diagnostic the server published, applied to the editor's text like an
 * editor would, and the diagnostic must then go away. Conflicts offer a
 * command that opens the other rule.
 */
import { describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, Position, TextEdit } from 'vscode-languageserver-protocol';
import { COMMANDS } from '../../../../shared/src/protocol';
import { type TestClient } from '../testing';
import { onCleanup, serve } from './serve';

const RATES = `# Rates

## Definitions

- **Quebec Tax Rate**: 10%
- **Jurisdiction**: one of Quebec, Ontario

## Rules

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = [[Quebec Tax Rat]]

See also [[Brand New Thing]].
`;


async function serveAt(files: Record<string, string>) {
  const { ws, client } = await serve(files);
  return { client, uri: ws.uri };
}

async function actionsFor(client: TestClient, uri: string, diagnostic: Diagnostic, only?: string[]): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: diagnostic.range,
    context: { diagnostics: [diagnostic], ...(only ? { only } : {}) },
  });
}

function offsetOf(text: string, p: Position): number {
  const lines = text.split('\n');
  return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
}

/** Applies an action's edits to `text`, as an editor would (edits do not overlap; last first). */
function applyAction(text: string, uri: string, action: CodeAction): string {
  const edits: TextEdit[] = action.edit?.changes?.[uri] ?? [];
  expect(edits.length).toBeGreaterThan(0);
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetOf(out, e.range.start)) + e.newText + out.slice(offsetOf(out, e.range.end));
  return out;
}

/** Opens `uri` with `text`, applies `action`, and waits until no diagnostic `code` says `name` any more. */
async function applyAndSettle(client: TestClient, uri: string, text: string, action: CodeAction, code: string, name: string): Promise<string> {
  const next = applyAction(text, uri, action);
  client.open(uri, text);
  client.replace(uri, next);
  await client.diagnosticsFor(uri, (d) => !d.some((x) => x.code === code && String(x.message).includes(name)), `no ${code} for ${name}`);
  return next;
}

const byName = (diags: Diagnostic[], code: string, name: string) => {
  const found = diags.find((d) => d.code === code && String(d.message).includes(name));
  if (!found) throw new Error(`no ${code} for ${name} in ${JSON.stringify(diags.map((d) => d.message))}`);
  return found;
};

describe('quick fixes for unknown names', () => {
  it('corrects a near miss to the name the checker suggests', async () => {
    const { client, uri } = await serveAt({ 'domains/tax/rates.md': RATES });
    const rates = uri('domains/tax/rates.md');
    const diags = await client.diagnosticsFor(rates, (d) => d.filter((x) => x.code === 'unknown-atom').length === 2);
    const typo = byName(diags, 'unknown-atom', 'Quebec Tax Rat');
    const actions = await actionsFor(client, rates, typo);
    expect(actions.map((a) => a.title)).toEqual(['Change to Quebec Tax Rate', 'Define Quebec Tax Rat']);
    expect(actions.every((a) => a.kind === 'quickfix')).toBe(true);
    expect(actions[0].isPreferred).toBe(true);
    const next = await applyAndSettle(client, rates, RATES, actions[0], 'unknown-atom', 'Quebec Tax Rat');
    expect(next).toContain('= [[Quebec Tax Rate]]\n');
    // The other unknown name is still reported: only the fixed one went away.
    expect(client.diagnostics.get(rates)?.some((d) => d.code === 'unknown-atom' && String(d.message).includes('Brand New Thing'))).toBe(true);
  });

  it('defines a missing name at the end of the Definitions section', async () => {
    const { client, uri } = await serveAt({ 'domains/tax/rates.md': RATES });
    const rates = uri('domains/tax/rates.md');
    const diags = await client.diagnosticsFor(rates, (d) => d.some((x) => x.code === 'unknown-atom'));
    const actions = await actionsFor(client, rates, byName(diags, 'unknown-atom', 'Brand New Thing'));
    expect(actions.map((a) => a.title)).toEqual(['Define Brand New Thing']);
    expect(actions[0].isPreferred).toBe(true);
    const next = await applyAndSettle(client, rates, RATES, actions[0], 'unknown-atom', 'Brand New Thing');
    expect(next).toContain('- **Jurisdiction**: one of Quebec, Ontario\n- **Brand New Thing**: \n\n## Rules');
  });

  it('defines a missing REQUIRES name after the last definition, or at the end of a document without one', async () => {
    const withDefinition = '# Forms\n\n- **Form T4RSP**: yes\n\nSome text.\n\n- [[Withdrawal]] REQUIRES [[SIN]], [[Form T4RSP]]\n';
    const without = '# Forms\n\n- [[Withdrawal]] REQUIRES [[Proof]]';
    const { client, uri } = await serveAt({ 'domains/tax/forms.md': withDefinition, 'domains/tax/bare.md': without });
    const forms = uri('domains/tax/forms.md');
    const [missing] = await client.diagnosticsFor(forms, (d) => d.some((x) => x.code === 'requires-missing'));
    const [define] = await actionsFor(client, forms, missing);
    expect(define.title).toBe('Define SIN');
    const next = await applyAndSettle(client, forms, withDefinition, define, 'requires-missing', 'SIN');
    expect(next).toBe('# Forms\n\n- **Form T4RSP**: yes\n- **SIN**: \n\nSome text.\n\n- [[Withdrawal]] REQUIRES [[SIN]], [[Form T4RSP]]\n');

    const bare = uri('domains/tax/bare.md');
    const [alsoMissing] = await client.diagnosticsFor(bare, (d) => d.some((x) => x.code === 'requires-missing'));
    const [atEnd] = await actionsFor(client, bare, alsoMissing);
    expect(atEnd.title).toBe('Define Proof');
    const appended = await applyAndSettle(client, bare, without, atEnd, 'requires-missing', 'Proof');
    expect(appended).toBe('# Forms\n\n- [[Withdrawal]] REQUIRES [[Proof]]\n\n- **Proof**: \n');
  });

  it('corrects a value outside a one-of list to the member the checker suggests', async () => {
    const text = '# Q\n\n- **Jurisdiction**: one of Quebec, Ontario\n- IF [[Jurisdiction]] = Quebek THEN [[Rate]] = 1%\n';
    const { client, uri } = await serveAt({ 'domains/tax/q.md': text });
    const q = uri('domains/tax/q.md');
    const [violation] = await client.diagnosticsFor(q, (d) => d.some((x) => x.code === 'constraint-violation'));
    const actions = await actionsFor(client, q, violation);
    expect(actions.map((a) => a.title)).toEqual(['Change to Quebec']);
    const next = await applyAndSettle(client, q, text, actions[0], 'constraint-violation', 'Quebek');
    expect(next).toContain('= Quebec THEN');
  });

  it('offers nothing when only refactorings are asked for', async () => {
    const { client, uri } = await serveAt({ 'domains/tax/rates.md': RATES });
    const rates = uri('domains/tax/rates.md');
    const [first] = await client.diagnosticsFor(rates, (d) => d.some((x) => x.code === 'unknown-atom'));
    expect(await actionsFor(client, rates, first, ['refactor'])).toEqual([]);
    expect((await actionsFor(client, rates, first, ['quickfix'])).length).toBeGreaterThan(0);
  });
});

describe('quick fixes for conflicts', () => {
  it('opens the conflicting rule in the other file, and the rule that makes one redundant', async () => {
    const { client, uri } = await serveAt({
      'domains/tax/rates.md': '# Rates\n\n- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}\n',
      'domains/tax/other.md': '# Other\n\nIntro.\n\n- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {block}\n',
      'domains/tax/same.md': '# Same\n\n- IF [[Province]] = Ontario THEN [[Bonus]] = 1%\n- IF [[Province]] = Ontario THEN [[Bonus]] = 1%\n',
    });
    const rates = uri('domains/tax/rates.md');
    const other = uri('domains/tax/other.md');
    const [conflict] = await client.diagnosticsFor(rates, (d) => d.some((x) => x.code === 'rule-conflict'));
    const [open] = await actionsFor(client, rates, conflict);
    expect(open.title).toBe('Open the conflicting rule (other.md:5)');
    expect(open.command?.command).toBe(COMMANDS.showLocations);
    const [at, position, locations] = open.command!.arguments as [string, Position, { uri: string; range: { start: Position } }[]];
    expect(at).toBe(rates);
    expect(position).toEqual(conflict.range.start);
    expect(locations.map((l) => [l.uri, l.range.start.line])).toEqual([[other, 4]]);

    const same = uri('domains/tax/same.md');
    const diags = await client.diagnosticsFor(same, (d) => d.some((x) => x.code === 'redundant-rule'));
    const redundant = diags.find((d) => d.code === 'redundant-rule')!;
    const [covering] = await actionsFor(client, same, redundant);
    expect(covering.title).toMatch(/^Open the covering rule \(same\.md:[34]\)$/);
    expect(covering.title).not.toContain(`same.md:${redundant.range.start.line + 1}`);
  });
});
