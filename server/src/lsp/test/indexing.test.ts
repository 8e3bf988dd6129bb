/**
 * Indexing a workspace large enough to be parsed in worker threads (more
 * than 400 files): every file's knowledge reaches the index, findings are
 * published for disk files, and what is open in the editor is never replaced
 * by the disk text.
 */
import { describe, expect, it } from 'vitest';
import type { SymbolInformation } from 'vscode-languageserver-protocol';
import { startServer, workspaceOf } from '../testing';
import { onCleanup } from './serve';

const FILES = 450;

describe('indexing a large workspace', () => {
  it('indexes every file through the worker threads, publishes findings and keeps open documents', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`domains/d${i % 3}/f${String(i).padStart(3, '0')}.md`] = `# File ${i}\n\n- **Item ${i}**: ${i}%\n`;
    // Two rules that conflict, in a disk file.
    files['domains/d0/conflict.md'] = '# Conflict\n\n- IF [[Item 0]] > 1% THEN Fee = 5%\n- IF [[Item 0]] > 1% THEN Fee = 7%\n';
    const ws = workspaceOf(files);
    const client = await startServer({ folders: [ws.root], jobs: 2 });
    onCleanup(ws.cleanup, () => client.stop());
    // Opened before the index reaches it: the editor's text wins.
    const open = ws.uri('domains/d1/f001.md');
    client.open(open, '# File 1\n\n- **Edited Item**: 1%\n');

    expect(await client.indexed()).toMatch(new RegExp(`^indexed ${FILES + 1} files`));
    for (const query of ['Item 0', 'Item 449', 'Item 225']) {
      const found = await client.request<SymbolInformation[]>('workspace/symbol', { query });
      expect(found.map((s) => s.name), query).toContain(query);
    }
    const edited = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'Edited Item' });
    expect(edited.map((s) => s.location.uri)).toEqual([open]);
    const stale = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'Item 1' });
    expect(stale.filter((s) => s.name === 'Item 1')).toEqual([]);

    const conflict = ws.uri('domains/d0/conflict.md');
    await client.waitFor(() => (client.diagnostics.get(conflict) ?? []).some((d) => d.code === 'rule-conflict'), 'the conflict on disk');
  }, 60_000);
});
