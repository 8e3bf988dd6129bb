/**
 * The checks carry delta-maintained state from refresh to refresh (`carried`, `Grouping`, `perItem`,
 * `Tally` in cached.ts). These tests edit documents in one workspace, keystroke after keystroke, and
 * compare every refresh with a fresh workspace that sees the same documents for the first time.
 */
import { describe, expect, it } from 'vitest';
import { applyEdits, parseDocument, type DocumentSnapshot } from '../document';
import { Workspace } from '../workspace';
import { Grouping, splice } from './cached';

const URI = 'file:///kb/domains/tax/rules.md';
const OTHER = parseDocument('file:///kb/domains/tax/other.md', '---\ndomain: tax\n---\n# Other\n\n- IF [[Jurisdiction]] = Alberta THEN Fee = 9%\n');

const TEXT = `---
domain: tax
---
# Withholding

- **Quebec Rate**: 10%
- **Jurisdiction**: one of Quebec, Ontario, Alberta
- **Status**: one of resident, non-resident
- IF [[Jurisdiction]] = Quebec THEN Withholding Rate = [[Quebec Rate]]
- IF [[Jurisdiction]] = Quebec AND Amount > $5,000 THEN Withholding Rate = 15%
  - UNLESS [[Status]] = non-resident
- IF [[Jurisdiction]] = Ontario THEN Withholding Rate = 5%
- [[Withholding Rate]] MUST BE <= 12%
- IF [[Status]] = resident THEN Bonus = 1%
- Bonus REQUIRES [[Quebec Rate]]

See [[Withholding Rat]] and [[Bonus]].

| IF Jurisdiction | IF Amount | THEN Fee |
| --- | --- | --- |
| Quebec | <= $5,000 | 5% |
| Ontario | - | 7% |
`;

/** Lines typed at line starts, character by character: rules, constraints, exceptions, definitions, REQUIRES. */
const LINES = [
  '- IF [[Jurisdiction]] = Ontario THEN Withholding Rate = 7%\n',
  '- IF [[Jurisdiction]] = Quebec THEN Withholding Rate = 20%\n',
  '- [[Bonus]] MUST BE <= 0.5%\n',
  '  - UNLESS Amount > $100\n',
  '- IF [[Jurisdiction]] = Albrta THEN Fee = 3%\n',
  '- Quebec Rate REQUIRES [[Bonus]]\n',
  '- **Status**: one of resident\n',
  '- IF [[Status]] = non-resident THEN Bonus = 1%\n',
  '- Status REQUIRES [[Bonus]]\n',
];

function fresh(docs: DocumentSnapshot[]) {
  const ws = new Workspace();
  for (const d of docs) ws.upsert(d);
  return ws.findings();
}

describe('carried check state', () => {
  it('finds what a fresh workspace finds, keystroke after keystroke', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const ws = new Workspace();
    let doc = parseDocument(URI, TEXT);
    ws.upsert(OTHER);
    ws.upsert(doc);
    const seen = new Set<string>();
    for (let step = 0; step < 40; step++) {
      const edit = random();
      if (edit < 0.7) {
        // Type a line at a random line start, checking after every keystroke.
        const line = LINES[Math.floor(random() * LINES.length)];
        let at = doc.text.indexOf('\n', Math.floor(random() * doc.text.length)) + 1;
        for (const ch of line) {
          doc = applyEdits(doc, [{ span: { start: at, end: at }, newText: ch }]);
          ws.upsert(doc);
          const found = ws.findings();
          expect(found).toEqual(fresh([OTHER, doc]));
          for (const f of found) seen.add(f.code);
          at++;
        }
      } else {
        // Delete a random line.
        const start = doc.text.indexOf('\n', Math.floor(random() * doc.text.length)) + 1;
        const end = doc.text.indexOf('\n', start) + 1;
        if (start === 0 || end === 0) continue;
        doc = applyEdits(doc, [{ span: { start, end }, newText: '' }]);
        ws.upsert(doc);
        expect(ws.findings()).toEqual(fresh([OTHER, doc]));
      }
    }
    // The edits went through every check.
    for (const code of ['rule-conflict', 'redundant-rule', 'constraint-violation', 'orphan-exception', 'unknown-atom', 'requires-cycle', 'table-gap']) {
      expect(seen, code).toContain(code);
    }
  });

  it('changes the findings when an edit changes one group’s result', () => {
    const ws = new Workspace();
    let doc = parseDocument(URI, TEXT);
    ws.upsert(doc);
    const codes = () => ws.findings().map((f) => f.code);
    const conflicts = () => codes().filter((c) => c === 'rule-conflict').length;
    const before = conflicts();
    const edit = (from: string, to: string) => {
      const start = doc.text.indexOf(from);
      expect(start, from).toBeGreaterThanOrEqual(0);
      doc = applyEdits(doc, [{ span: { start, end: start + from.length }, newText: to }]);
      ws.upsert(doc);
    };
    // Ontario's rule now overlaps Quebec's 10% rule with another value: a conflict more in the Withholding Rate group.
    edit('[[Jurisdiction]] = Ontario THEN', '[[Jurisdiction]] = Quebec THEN');
    expect(conflicts()).toBeGreaterThan(before);
    expect(ws.findings()).toEqual(fresh([doc]));
    // Its value now agrees with the 10% rule (and still differs from the 15% one): other findings.
    const conflicted = ws.findings();
    edit('THEN Withholding Rate = 5%', 'THEN Withholding Rate = 10%');
    expect(ws.findings()).not.toEqual(conflicted);
    expect(ws.findings()).toEqual(fresh([doc]));
    edit('MUST BE <= 12%', 'MUST BE <= 8%');
    expect(codes().filter((c) => c === 'constraint-violation').length).toBeGreaterThan(1);
    expect(ws.findings()).toEqual(fresh([doc]));
    // A REQUIRES that closes a cycle (Quebec Rate → Bonus → Status is not a cycle; Status → Bonus is).
    edit('- Bonus REQUIRES [[Quebec Rate]]', '- Status REQUIRES [[Bonus]]');
    expect(codes()).toContain('requires-cycle');
    edit('- Status REQUIRES [[Bonus]]', '- Status REQUIRES [[Quebec Rate]]');
    expect(codes()).not.toContain('requires-cycle');
    expect(ws.findings()).toEqual(fresh([doc]));
  });
});

describe('domains that do not keep the check state', () => {
  it('drop it after a refresh and on release, and find what a keeping workspace finds', () => {
    const hot = new Set<string>();
    const ws = new Workspace({ keepState: (domain) => hot.has(domain) });
    const keeping = new Workspace();
    const pay = parseDocument('file:///kb/domains/pay/a.md', '# Pay\n\n- IF [[Band]] = 1 THEN Fee = 2%\n- IF [[Band]] = 1 THEN Fee = 3%\n');
    let doc = parseDocument(URI, TEXT);
    for (const d of [OTHER, doc, pay]) {
      ws.upsert(d);
      keeping.upsert(d);
    }
    expect(ws.findings()).toEqual(keeping.findings());
    expect(ws.statefulDomains()).toEqual([]);
    expect(keeping.statefulDomains()).toEqual(['pay', 'tax']);
    const edit = (from: string, to: string) => {
      const start = doc.text.indexOf(from);
      doc = applyEdits(doc, [{ span: { start, end: start + from.length }, newText: to }]);
      ws.upsert(doc);
      keeping.upsert(doc);
      expect(ws.findings()).toEqual(keeping.findings());
    };
    // Cold: every refresh starts from scratch and leaves nothing behind.
    edit('[[Jurisdiction]] = Ontario THEN', '[[Jurisdiction]] = Quebec THEN');
    expect(ws.statefulDomains()).toEqual([]);
    // Someone edits in tax: its state stays from refresh to refresh, pay's does not come back.
    hot.add('tax');
    edit('MUST BE <= 12%', 'MUST BE <= 8%');
    expect(ws.statefulDomains()).toEqual(['tax']);
    edit('- Bonus REQUIRES [[Quebec Rate]]', '- Status REQUIRES [[Bonus]]');
    expect(ws.findings().map((f) => f.code)).toContain('requires-cycle');
    // Released while dirty: dropped at the refresh, after which findings still agree.
    hot.delete('tax');
    edit('- Status REQUIRES [[Bonus]]', '- Status REQUIRES [[Quebec Rate]]');
    ws.release();
    expect(ws.statefulDomains()).toEqual([]);
    hot.add('tax');
    edit('THEN Withholding Rate = 5%', 'THEN Withholding Rate = 10%');
    expect(ws.statefulDomains()).toEqual(['tax']);
    hot.clear();
    ws.release();
    expect(ws.statefulDomains()).toEqual([]);
    expect(ws.findings()).toEqual(fresh([OTHER, doc, pay]));
  });
});

describe('a workspace that lets go of snapshots', () => {
  it('reloads them to check a domain again, takes them back when the domain keeps its state, and finds the same', () => {
    const hot = new Set<string>();
    const owned = new Map<string, DocumentSnapshot>();
    const reloaded: string[] = [];
    const released: string[] = [];
    const ws = new Workspace({
      keepState: (domain) => hot.has(domain),
      documents: {
        reload: (uri) => {
          reloaded.push(uri);
          return owned.get(uri);
        },
        released: (uri) => released.push(uri),
      },
    });
    const keeping = new Workspace();
    const put = (d: DocumentSnapshot) => {
      owned.set(d.uri, d);
      ws.upsert(d);
      keeping.upsert(d);
    };
    const pay = parseDocument('file:///kb/domains/pay/a.md', '# Pay\n\n- IF [[Band]] = 1 THEN Fee = 2%\n- IF [[Band]] = 1 THEN Fee = 3%\n');
    let doc = parseDocument(URI, TEXT);
    for (const d of [OTHER, doc, pay]) put(d);
    expect(ws.findings()).toEqual(keeping.findings());
    expect(ws.releasedDocuments()).toEqual([OTHER.uri, pay.uri, URI].sort());
    expect(released.sort()).toEqual(ws.releasedDocuments());
    expect(reloaded).toEqual([]);
    // Findings of a document let go of are still there; its snapshot comes from the owner.
    expect(ws.findingsFor(pay.uri)).toEqual(keeping.findingsFor(pay.uri));
    expect(ws.get(pay.uri)).toBe(pay);
    reloaded.length = 0;
    // An edit in tax reloads tax's other document only, and lets go of both again.
    const edit = (from: string, to: string) => {
      const start = doc.text.indexOf(from);
      doc = applyEdits(doc, [{ span: { start, end: start + from.length }, newText: to }]);
      put(doc);
      expect(ws.findings()).toEqual(keeping.findings());
    };
    edit('[[Jurisdiction]] = Ontario THEN', '[[Jurisdiction]] = Quebec THEN');
    expect(reloaded).toEqual([OTHER.uri]);
    expect(ws.releasedDocuments()).toEqual([OTHER.uri, pay.uri, URI].sort());
    // Tax is being edited: its snapshots come back and stay.
    hot.add('tax');
    edit('MUST BE <= 12%', 'MUST BE <= 8%');
    expect(ws.releasedDocuments()).toEqual([pay.uri]);
    reloaded.length = 0;
    edit('- Bonus REQUIRES [[Quebec Rate]]', '- Status REQUIRES [[Bonus]]');
    expect(reloaded).toEqual([]);
    hot.clear();
    ws.release();
    expect(ws.releasedDocuments()).toEqual([OTHER.uri, pay.uri, URI].sort());
    // Removing a document let go of.
    ws.remove(pay.uri);
    keeping.remove(pay.uri);
    expect(ws.findings()).toEqual(keeping.findings());
    expect(ws.releasedDocuments()).toEqual([OTHER.uri, URI].sort());
    expect(ws.findings()).toEqual(fresh([OTHER, doc]));
  });
});

describe('Grouping', () => {
  it('keeps every group equal to one built afresh, and unchanged groups the same arrays', () => {
    type E = { keys: string[] };
    const make = () => new Grouping<E, { entry: E; i: number }>((entry, add) => entry.keys.forEach((k, i) => add(k, { entry, i })), (m) => m.entry);
    const pool: E[] = Array.from({ length: 30 }, (_, n) => ({ keys: [`k${n % 5}`, ...(n % 3 === 0 ? [`k${(n + 1) % 5}`] : [])] }));
    let seed = 3;
    const random = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * n);
    const grouping = make();
    let list: E[] = pool.slice(0, 10);
    grouping.update(list);
    for (let step = 0; step < 200; step++) {
      const next = [...list];
      const at = random(next.length + 1);
      // Entries are unique in a list (one per molecule).
      const inserted = [...new Set(Array.from({ length: random(3) }, () => pool[random(pool.length)]))].filter((e) => !next.includes(e));
      next.splice(at, random(3), ...inserted);
      const before = new Map([...grouping.keys()].map((k) => [k, grouping.get(k)]));
      const changed = grouping.update(next);
      const reference = make();
      reference.update(next);
      expect(new Set(grouping.keys())).toEqual(new Set(reference.keys()));
      for (const key of reference.keys()) expect(grouping.get(key)).toEqual(reference.get(key));
      for (const [key, group] of before) if (!changed.has(key)) expect(grouping.get(key)).toBe(group);
      list = next;
    }
  });

  it('splice finds the one replaced stretch', () => {
    const [a, b, c, d, e] = [{}, {}, {}, {}, {}];
    expect(splice([a, b, c, d], [a, e, d])).toEqual({ start: 1, removed: [b, c], added: [e] });
    expect(splice([a, b], [a, b, c])).toEqual({ start: 2, removed: [], added: [c] });
    expect(splice([a, a], [a])).toEqual({ start: 1, removed: [a], added: [] });
  });
});
