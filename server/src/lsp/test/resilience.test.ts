/**
 * The server under abuse, over a real connection: malformed messages, a
 * 10 MB document, an edit storm of 1,000 changes in a second. It keeps
 * answering and its diagnostics stay correct (equal to what a fresh parse of
 * the final text gives).
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../core/document';
import { Workspace } from '../../core/workspace';
import { STATS_REQUEST, type ServerStats } from '../../../../shared/src/protocol';
import { type TestClient } from '../testing';
import { onCleanup, serve } from './serve';



const RULES = `# Rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}
- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {block}
`;

/** Codes and lines of what a fresh parse of `text` reports. */
function expected(uri: string, text: string): string[] {
  const ws = new Workspace();
  ws.upsert(parseDocument(uri, text));
  return ws.findingsFor(uri).map((f) => `${f.code}@${f.range.start.line}`);
}
const got = (c: TestClient, uri: string) => (c.diagnostics.get(uri) ?? []).map((d) => `${d.code}@${d.range.start.line}`);

describe('resilience over LSP', () => {
  it('answers errors to malformed requests and garbage on the wire, and keeps working', async () => {
    const { ws, client } = await serve();
    await expect(client.request('knowledge/noSuchMethod', {})).rejects.toThrow(/Unhandled method|not found/i);
    // Parameters of the wrong shape: an error or an empty answer, never a crash.
    await client.request('textDocument/hover', { textDocument: 42, position: 'x' }).catch((e: Error) => e);
    await client.request('textDocument/definition', null).catch((e: Error) => e);
    // A message that is not JSON at all.
    const junk = '{"jsonrpc": "2.0", "id": 99, "method": ';
    client.process.stdin!.write(`Content-Length: ${Buffer.byteLength(junk)}\r\n\r\n${junk}`);
    const uri = ws.uri('a.md');
    client.open(uri, RULES);
    await client.diagnosticsFor(uri, (d) => d.filter((x) => x.code === 'rule-conflict').length === 2, 'diagnostics after the junk');
    const stats = await client.request<ServerStats>(STATS_REQUEST, {});
    expect(stats.documents.open).toBe(1);
  });

  it('handles a 10 MB document: diagnostics for it, edits at its end, and answers meanwhile', async () => {
    const { ws, client } = await serve();
    const uri = ws.uri('big.md');
    const parts: string[] = ['# Big\n\n'];
    let size = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const chunk =
        i % 50 === 0
          ? `## Section ${i}\n\n- **Atom ${i}**: ${i}\n- IF [[Input ${i}]] = ${i} THEN [[Atom ${i}]] = ${i}\n\n`
          : `Some prose about case ${i}, with a rate of ${i % 100}% and an amount of $${i}.00 in it, and more words to make a paragraph.\n\n`;
      parts.push(chunk);
      size += chunk.length;
    }
    const text = parts.join('') + RULES.replace('# Rates\n', '');
    const lines = text.split('\n').length;
    client.open(uri, text);
    // It is parsed off the main thread: the server answers at once meanwhile.
    const stats = await client.request<ServerStats>(STATS_REQUEST, {});
    expect(stats.documents.open).toBe(1);
    await client.diagnosticsFor(uri, (d) => d.filter((x) => x.code === 'rule-conflict').length === 2, 'the conflict at the end of 10 MB', 150_000);
    // Make the last rule agree with the one before it.
    const last = text.split('\n')[lines - 2];
    const at = last.indexOf('5%');
    client.change(uri, [{ range: { start: { line: lines - 2, character: at }, end: { line: lines - 2, character: at + 1 } }, text: '10' }]);
    await client.diagnosticsFor(uri, (d) => !d.some((x) => x.code === 'rule-conflict'), 'no conflict after the edit', 150_000);
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.length).toBeGreaterThan(0);
  }, 400_000);

  it('keeps diagnostics correct through an edit storm of 1,000 changes in a second', async () => {
    const { ws, client } = await serve();
    const uri = ws.uri('storm.md');
    let text = RULES;
    client.open(uri, text);
    await client.diagnosticsFor(uri, (d) => d.length === 2);
    // Typing a new rule character by character, with backspaces, then a conflicting value.
    const typed = '- IF [[Jurisdiction]] = Ontario THEN [[Withholding Rate]] = 20% {warn}\n';
    let version = 0;
    const started = Date.now();
    for (let round = 0; version < 1000; round++) {
      for (const ch of typed) {
        if (version >= 1000) break;
        const offset = text.length;
        const line = text.split('\n').length - 1;
        const character = offset - (text.lastIndexOf('\n') + 1);
        if (ch === '\n') {
          text += ch;
        } else {
          text += ch;
        }
        version = client.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: ch }]);
        // Every tenth keystroke is a typo fixed at once: type 'x', then delete it.
        if (version % 10 === 0 && version < 999) {
          const l = text.split('\n').length - 1;
          const c = text.length - (text.lastIndexOf('\n') + 1);
          client.change(uri, [{ range: { start: { line: l, character: c }, end: { line: l, character: c } }, text: 'x' }]);
          version = client.change(uri, [{ range: { start: { line: l, character: c }, end: { line: l, character: c + 1 } }, text: '' }]);
        }
      }
      if (round > 100) break;
    }
    const sendMs = Date.now() - started;
    const want = expected(uri, text);
    await client.waitFor(() => JSON.stringify(got(client, uri)) === JSON.stringify(want), `diagnostics of the final text (${want.length})`, 60_000);
    expect(sendMs).toBeLessThan(1000);
    expect(want.length).toBeGreaterThan(2);
    // The server coalesced the storm: far fewer publishes than changes.
    expect(client.publishCount.get(uri)!).toBeLessThan(1000);
    const stats = await client.request<ServerStats>(STATS_REQUEST, {});
    expect(stats.documents.open).toBe(1);
  }, 120_000);
});
