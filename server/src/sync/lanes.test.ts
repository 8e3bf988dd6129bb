/** The worker's lanes: concurrent graph transactions, each for its own domains. */
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { MemoryGraphStore } from '../graph/memory';
import { sortGraph, toGraph, type DocumentGraph } from '../graph/model';
import type { GraphStore } from '../graph/store';
import { atomId, documentId } from '../persistence/ids';
import { backends, useDatabase } from '../persistence/testing';
import { writeDocumentWithSource } from './sources';
import { drainSyncState } from './worker';

describe('sync worker lanes', () => {
  const db = useDatabase(backends()[0]);
  // Three domains; `moved` sits under domains/tax but its front matter puts it in `payroll`.
  const docs = [
    ...['a', 'b', 'c'].map((n, i) => ({ uri: `file:///kb/domains/tax/${n}.md`, text: `# ${n}\n\n- **Rate**: ${i + 1}%\n- [[Rate]] MUST BE <= 30%\n` })),
    ...['d', 'e'].map((n) => ({ uri: `file:///kb/domains/payroll/${n}.md`, text: `# ${n}\n\n- IF [[Rate]] > 1% THEN [[Tax]] = 2%\n` })),
    { uri: 'file:///kb/domains/tax/moved.md', text: '---\ndomain: payroll\n---\n# Moved\n\n- **Rate**: 9%\n' },
    { uri: 'file:///kb/domains/legal/f.md', text: '# f\n\n- **Limit**: 10%\n' },
  ];

  it('run at the same time, never split a domain, and leave what one lane leaves', async () => {
    const t = db.tenant;
    for (const d of docs) await writeDocumentWithSource(db.client, t, parseDocument(d.uri, d.text), d.text);
    const inner = new MemoryGraphStore();
    const calls: { domains: string[]; start: number; end: number }[] = [];
    let clock = 0;
    const watched: GraphStore = Object.assign(Object.create(inner) as GraphStore, {
      replaceDocuments: async (tenant: string, graphs: DocumentGraph[]) => {
        const call = { domains: [...new Set(graphs.map((g) => g.domain.name))], start: clock++, end: -1 };
        calls.push(call);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await inner.replaceDocuments(tenant, graphs);
        call.end = clock++;
      },
    });
    const result = await drainSyncState(db.client, t, watched, { lanes: 2, batchSize: 1 });
    expect(result).toMatchObject({ failed: 0, documents: docs.length, errors: [] });

    // Two lanes: the second starts before the first ends.
    expect(calls[1].start).toBeLessThan(calls[0].end);
    // Each domain's documents went through one lane only, one after the other.
    for (const domain of ['tax', 'payroll', 'legal']) {
      const mine = calls.filter((c) => c.domains.includes(domain));
      for (let i = 1; i < mine.length; i++) expect(mine[i].start).toBeGreaterThan(mine[i - 1].end);
    }
    // Atoms by id: a shared atom carries the value of the document that defined it last.
    const shape = (g: DocumentGraph | null) => g && { ...g, atoms: g.atoms.map((a) => a.id) };
    for (const d of docs) {
      expect(shape(await inner.readDocument(t.id, documentId(t.id, d.uri)))).toEqual(shape(sortGraph(toGraph(t.id, parseDocument(d.uri, d.text)))));
    }
    // The later of two documents defining an atom gives its value, as in one lane (documents go in uri order).
    expect((await inner.impact(t.id, atomId(t.id, 'tax', 'rate'), 1))?.atom.canonical).toBe('3%');
    expect((await inner.impact(t.id, atomId(t.id, 'payroll', 'rate'), 1))?.atom.canonical).toBe('9%');
  });
});
