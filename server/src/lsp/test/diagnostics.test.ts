/** Diagnostics over a real LSP connection: published while typing, in every file a finding reaches, never stale. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATS_REQUEST, type ServerStats } from '../../../../shared/src/protocol';
import { type TestClient } from '../testing';
import { onCleanup, serve } from './serve';

const RATES = `# Rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}
`;
const OTHER = `# Other rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {block}
`;



const codes = (c: TestClient, uri: string) => (c.diagnostics.get(uri) ?? []).map((d) => d.code);

describe('diagnostics over LSP', () => {
  it('indexes the workspace from disk and reports a conflict in both files, with related information', async () => {
    const { ws, client } = await serve({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': OTHER, 'node_modules/x/ignored.md': OTHER });
    const [a] = await client.diagnosticsFor(ws.uri('domains/tax/rates.md'), (d) => d.length === 1);
    const [b] = await client.diagnosticsFor(ws.uri('domains/tax/other.md'), (d) => d.length === 1);
    expect(a.code).toBe('rule-conflict');
    expect(a.severity).toBe(1);
    expect(a.source).toBe('knowledge');
    expect(a.range.start.line).toBe(2);
    expect(a.relatedInformation?.[0].location.uri).toBe(ws.uri('domains/tax/other.md'));
    expect(b.relatedInformation?.[0].location.uri).toBe(ws.uri('domains/tax/rates.md'));
    expect(client.diagnostics.has(ws.uri('node_modules/x/ignored.md'))).toBe(false);
  });

  it('publishes after each edit, for the edited file and the other file whose findings changed', async () => {
    const { ws, client } = await serve({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': OTHER });
    const rates = ws.uri('domains/tax/rates.md');
    const other = ws.uri('domains/tax/other.md');
    // Both files' first diagnostics, so that no wait below is met by a file not published yet.
    await client.diagnosticsFor(other, (d) => d.length === 1);
    await client.diagnosticsFor(rates, (d) => d.length === 1);
    client.open(rates, RATES);
    // Typing 5% instead of 10%: both rules agree, the conflict disappears in both files (one rule is now redundant).
    const line = 2;
    const character = RATES.split('\n')[2].indexOf('10%');
    client.change(rates, [{ range: { start: { line, character }, end: { line, character: character + 2 } }, text: '5' }]);
    await client.diagnosticsFor(rates, (d) => !d.some((x) => x.code === 'rule-conflict'), 'no conflict in the edited file');
    await client.diagnosticsFor(other, (d) => !d.some((x) => x.code === 'rule-conflict'), 'no conflict in the other file');
    expect(codes(client, rates).concat(codes(client, other))).toContain('redundant-rule');
    // And back: it reappears in both.
    client.change(rates, [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: '12' }]);
    await client.diagnosticsFor(rates, (d) => d.length === 1 && d[0].code === 'rule-conflict' && String(d[0].message).includes('12%'));
    await client.diagnosticsFor(other, (d) => d.length === 1 && d[0].code === 'rule-conflict' && String(d[0].message).includes('12%'));
  });

  it('leaves nothing stale when a file is deleted or renamed on disk', async () => {
    const { ws, client } = await serve({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': OTHER });
    const rates = ws.uri('domains/tax/rates.md');
    const other = ws.uri('domains/tax/other.md');
    await client.diagnosticsFor(rates, (d) => d.length === 1);
    // Rename other.md → moved.md: a delete and a create.
    fs.renameSync(path.join(ws.root, 'domains/tax/other.md'), path.join(ws.root, 'domains/tax/moved.md'));
    client.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: other, type: 3 },
        { uri: ws.uri('domains/tax/moved.md'), type: 1 },
      ],
    });
    await client.diagnosticsFor(other, (d) => d.length === 0, 'the old name cleared');
    const [moved] = await client.diagnosticsFor(ws.uri('domains/tax/moved.md'), (d) => d.length === 1);
    expect(moved.relatedInformation?.[0].location.uri).toBe(rates);
    // Deleting it clears the conflict everywhere.
    fs.rmSync(path.join(ws.root, 'domains/tax/moved.md'));
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: ws.uri('domains/tax/moved.md'), type: 3 }] });
    await client.diagnosticsFor(rates, (d) => d.length === 0);
    await client.diagnosticsFor(ws.uri('domains/tax/moved.md'), (d) => d.length === 0);
  });

  it('picks up a file changed on disk, but not for a document open in the editor', async () => {
    const { ws, client } = await serve({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': '# Other\n' });
    const rates = ws.uri('domains/tax/rates.md');
    const other = ws.uri('domains/tax/other.md');
    client.open(rates, RATES);
    fs.writeFileSync(path.join(ws.root, 'domains/tax/other.md'), OTHER);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: other, type: 2 }] });
    await client.diagnosticsFor(rates, (d) => d.length === 1);
    // The open buffer wins over its file on disk.
    fs.writeFileSync(path.join(ws.root, 'domains/tax/rates.md'), '# Emptied on disk\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: rates, type: 2 }] });
    client.change(rates, [{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 2 } }, text: 'Tax ' }]);
    await client.diagnosticsFor(rates, (d) => d.length === 1 && d[0].range.start.line === 2);
    // Closing hands the document back to the disk text: no rule, no conflict.
    client.close(rates);
    await client.diagnosticsFor(other, (d) => d.length === 0);
  });

  it('clears the diagnostics of an unsaved new document when it is closed', async () => {
    const { ws, client } = await serve({ 'domains/tax/other.md': OTHER });
    const scratch = ws.uri('domains/tax/scratch.md');
    client.open(scratch, RATES);
    await client.diagnosticsFor(scratch, (d) => d.length === 1);
    client.close(scratch);
    await client.diagnosticsFor(scratch, (d) => d.length === 0);
    await client.diagnosticsFor(ws.uri('domains/tax/other.md'), (d) => d.length === 0);
    expect(codes(client, scratch)).toEqual([]);
  });

  it('keeps the check state only for domains with an open document, and finds the same either way', async () => {
    const { ws, client } = await serve({
      'domains/tax/rates.md': RATES,
      'domains/tax/other.md': OTHER,
      'domains/pay/fees.md': '# Fees\n\n- IF [[Band]] = 1 THEN [[Fee]] = 2%\n',
    });
    const rates = ws.uri('domains/tax/rates.md');
    const fees = ws.uri('domains/pay/fees.md');
    const checkState = async () => (await client.request<ServerStats>(STATS_REQUEST, {})).checkState;
    await client.indexed();
    await client.diagnosticsFor(rates, (d) => d.length === 1);
    await expect.poll(checkState).toEqual([]);
    client.open(rates, RATES);
    const line = 2;
    const character = RATES.split('\n')[2].indexOf('10%');
    client.change(rates, [{ range: { start: { line, character }, end: { line, character: character + 2 } }, text: '5' }]);
    await client.diagnosticsFor(rates, (d) => !d.some((x) => x.code === 'rule-conflict'), 'no conflict while tax is edited');
    expect(await checkState()).toEqual(['tax']);
    client.change(rates, [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: '12' }]);
    await client.diagnosticsFor(rates, (d) => d.length === 1 && String(d[0].message).includes('12%'));
    // Closing hands tax back to the disk (10%, a conflict with 5%) and drops its state.
    client.close(rates);
    await client.diagnosticsFor(rates, (d) => d.length === 1 && String(d[0].message).includes('10%'));
    expect(await checkState()).toEqual([]);
    // A cold domain changed on disk is checked from scratch, and right.
    fs.writeFileSync(path.join(ws.root, 'domains/pay/fees.md'), '# Fees\n\n- IF [[Band]] = 1 THEN [[Fee]] = 2%\n- IF [[Band]] = 1 THEN [[Fee]] = 4%\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fees, type: 2 }] });
    await client.diagnosticsFor(fees, (d) => d.filter((x) => x.code === 'rule-conflict').length === 2);
    expect(await checkState()).toEqual([]);
  });

  it('reports severities from enforcement and stable codes with a description link', async () => {
    const { ws, client } = await serve({
      'a.md': '# A\n\n- IF [[X]] = 1 THEN [[Y]] = 2 {warn}\n- IF [[X]] = 1 THEN [[Y]] = 3 {inform}\n- [[Z]] REQUIRES [[Nowhere]]\n',
    });
    const diags = await client.diagnosticsFor(ws.uri('a.md'), (d) => d.length >= 3);
    const conflict = diags.filter((d) => d.code === 'rule-conflict');
    // A conflict is as severe as the stricter of its two rules ({warn}), in both places.
    expect(conflict.map((d) => d.severity)).toEqual([2, 2]);
    expect(diags.every((d) => d.codeDescription?.href.endsWith(`#${d.code}`))).toBe(true);
    expect(diags.some((d) => d.code === 'requires-missing')).toBe(true);
  });
});
