/**
 * The checks memoise their heavy work through `DomainView.memo`. These tests
 * run them over a view with a real caching memo, edit the document between
 * runs (re-parsed with `applyEdits`, so unchanged molecules keep their
 * identity) and compare with a fresh, uncached run.
 */
import { describe, expect, it } from 'vitest';
import { applyEdits, parseDocument, type DocumentSnapshot } from '../document';
import type { Finding } from '../model';
import { Workspace } from '../workspace';
import { checkUnknownAtoms } from './atoms';
import { checkConflicts } from './conflicts';
import { checkConstraints } from './constraints';
import { memoKey, noMemo, type DomainView, type MemoKey } from './context';
import { checkExceptions } from './exceptions';
import { checkRequiresCycles, checkRequiresMissing } from './requires';
import { checkTableGaps } from './tableGap';
import { constraint, define, domainView, exception, is, rule } from './testing';

const CHECKS = { checkConflicts, checkConstraints, checkExceptions, checkTableGaps, checkUnknownAtoms, checkRequiresMissing, checkRequiresCycles };

/** The workspace's memo store (entries unused during a refresh are dropped), counting computations. */
class SpyMemo {
  private readonly entries = new Map<string, { deps: readonly unknown[]; structure?: readonly unknown[]; value: unknown; used: number }>();
  private generation = 0;
  computed = 0;
  hits = 0;
  /** Hits through `structure` (deps changed, names did not). */
  structureHits = 0;

  refresh<T>(run: () => T): T {
    this.generation++;
    this.computed = 0;
    this.hits = 0;
    this.structureHits = 0;
    try {
      return run();
    } finally {
      for (const [key, entry] of this.entries) if (entry.used !== this.generation) this.entries.delete(key);
    }
  }

  readonly memo = <T,>(made: MemoKey, deps: readonly unknown[], compute: () => T, structure?: () => readonly unknown[]): T => {
    const key = memoKey(made);
    const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((d, i) => d === b[i]);
    const hit = this.entries.get(key);
    if (hit && same(hit.deps, deps)) {
      hit.used = this.generation;
      this.hits++;
      return hit.value as T;
    }
    const shape = structure?.();
    if (hit && shape && hit.structure && same(hit.structure, shape)) {
      hit.deps = deps;
      hit.used = this.generation;
      this.structureHits++;
      return hit.value as T;
    }
    // A key computed twice in one refresh would mean two computations share it.
    expect(hit?.used, `memo key used twice in one refresh: ${key}`).not.toBe(this.generation);
    this.computed++;
    const value = compute();
    this.entries.set(key, { deps, structure: shape, value, used: this.generation });
    return value;
  };
}

const URI = 'file:///kb/domains/tax/rules.md';

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
- IF [[Jurisdiction]] = Ontario AND Amount > $1,000 THEN Withholding Rate = 5%
- IF [[Jurisdiction]] = Manitoba THEN Fee = 3%
- IF [[Jurisdiction]] = Alberta THEN Fee = 4%
  - UNLESS [[Jurisdiction]] = Quebec
- [[Withholding Rate]] MUST BE <= 12%
- IF [[Status]] = resident THEN Bonus = 1%

Some prose about Quebec.

| IF Jurisdiction | IF Amount | THEN Fee |
| --- | --- | --- |
| Quebec | <= $5,000 | 5% |
| Ontario | - | 7% |
`;

/** A second document keeps the domain alive in the workspace across upserts of the first. */
const OTHER = parseDocument('file:///kb/domains/tax/other.md', '---\ndomain: tax\n---\n# Other\n\n- IF [[Jurisdiction]] = Alberta THEN Fee = 9%\n');

function replace(doc: DocumentSnapshot, from: string, to: string): DocumentSnapshot {
  const start = doc.text.indexOf(from);
  expect(start, `"${from}" in the document`).toBeGreaterThanOrEqual(0);
  return applyEdits(doc, [{ span: { start, end: start + from.length }, newText: to }]);
}

class Harness {
  readonly ws = new Workspace();
  readonly spy = new SpyMemo();
  doc = parseDocument(URI, TEXT);

  constructor() {
    this.ws.upsert(OTHER);
    this.ws.upsert(this.doc);
  }

  edit(from: string, to: string): void {
    this.doc = replace(this.doc, from, to);
    this.ws.upsert(this.doc);
  }

  /** Runs every check with the caching memo and checks the findings against an uncached run. */
  run(): Record<string, Finding[]> {
    const view = this.ws.view('tax');
    const cached: DomainView = { ...view, memo: this.spy.memo };
    const found = this.spy.refresh(() => Object.fromEntries(Object.entries(CHECKS).map(([name, check]) => [name, check(cached)])));
    const fresh = Object.fromEntries(Object.entries(CHECKS).map(([name, check]) => [name, check({ ...view, memo: noMemo })]));
    expect(found).toEqual(fresh);
    return found;
  }
}

const codes = (found: Record<string, Finding[]>) =>
  Object.values(found)
    .flat()
    .map((f) => f.code)
    .sort();

describe('memoised checks', () => {
  it('find what an uncached run finds, edit after edit', () => {
    const h = new Harness();
    const first = h.run();
    // The document exercises every check.
    expect(new Set(codes(first))).toEqual(new Set(['rule-conflict', 'redundant-rule', 'constraint-violation', 'orphan-exception', 'table-gap']));
    expect(h.spy.computed).toBeGreaterThan(0);

    // Prose only: every molecule and definition is unchanged, so nothing is recomputed.
    h.edit('Some prose about Quebec.', 'Some more prose about Quebec.');
    h.run();
    expect(h.spy.computed).toBe(0);
    expect(h.spy.hits).toBeGreaterThan(0);

    // One rule: its value changes (a new conflict and a constraint violation go away, others appear).
    h.edit('Amount > $5,000 THEN Withholding Rate = 15%', 'Amount > $5,000 THEN Withholding Rate = 10%');
    const afterRule = h.run();
    expect(codes(afterRule)).not.toEqual(codes(first));

    // A definition: the regions of the molecules that ask about it are recomputed.
    h.edit('**Quebec Rate**: 10%', '**Quebec Rate**: 20%');
    h.run();
    h.edit('one of Quebec, Ontario, Alberta', 'one of Quebec, Ontario, Alberta, Manitoba');
    h.run();

    // An exception added to a rule (and one removed).
    h.edit('THEN Withholding Rate = 5%\n- IF', 'THEN Withholding Rate = 5%\n  - UNLESS Amount > $100\n- IF');
    h.run();
    h.edit('  - UNLESS [[Status]] = non-resident\n', '');
    h.run();

    // A rule inserted before the others (every index shifts), then removed again.
    h.edit('- IF [[Jurisdiction]] = Quebec THEN', '- IF [[Jurisdiction]] = Ontario THEN Withholding Rate = 6%\n- IF [[Jurisdiction]] = Quebec THEN');
    h.run();
    h.edit('- IF [[Jurisdiction]] = Ontario THEN Withholding Rate = 6%\n', '');
    h.run();

    // A table row and a constraint.
    h.edit('| Ontario | - | 7% |', '| Ontario, Alberta | - | 7% |');
    h.run();
    h.edit('MUST BE <= 12%', 'MUST BE <= 4%');
    h.run();

    // A dependency cycle appears (Bonus is set from Status; Status now requires Bonus), its rule's value
    // changes (the names, and so the cycle, stay), then a name breaks it; an unknown reference comes and goes.
    h.edit('Some more prose about Quebec.', '- Status REQUIRES [[Bonus]]\n\nSee [[Bonnus]].');
    expect(codes(h.run())).toEqual(expect.arrayContaining(['requires-cycle', 'unknown-atom']));
    h.edit('THEN Bonus = 1%', 'THEN Bonus = 3%');
    expect(codes(h.run())).toContain('requires-cycle');
    h.edit('THEN Bonus = 3%', 'THEN Bonuses = 3%');
    expect(codes(h.run())).not.toContain('requires-cycle');
    h.edit('See [[Bonnus]].', 'See [[Bonuses]].');
    expect(codes(h.run())).not.toContain('unknown-atom');
  });

  it('recompute the table gaps that a changed definition reaches, through a row or an input', () => {
    const h = new Harness();
    h.edit('| Ontario | - | 7% |\n', '| Ontario | - | 7% |\n\n- **Cap**: $5,000\n\n| IF Status | IF Amount | THEN Bonus |\n| --- | --- | --- |\n| - | <= [[Cap]] | 2% |\n');
    const gap = () => h.run().checkTableGaps.map((f) => f.message).filter((m) => m.includes('Status ='));
    expect(gap().join()).toContain('$5,000');
    // A row asks about Cap.
    h.edit('**Cap**: $5,000', '**Cap**: $6,000');
    expect(gap().join()).toContain('$6,000');
    // No row asks about Status (every cell is '-'), but without its `one of` list the table is not enumerable.
    h.edit('**Status**: one of resident, non-resident', '**Status**: resident');
    expect(gap()).toEqual([]);
  });

  it('recompute only a little after a one-rule edit', () => {
    const h = new Harness();
    h.run();
    const full = h.spy.computed;
    h.edit('THEN Bonus = 1%', 'THEN Bonus = 2%');
    h.run();
    expect(h.spy.computed).toBeGreaterThan(0);
    expect(h.spy.computed).toBeLessThan(full / 2);
    // Nothing is recomputed through a name-only structure: the name lists and the dependency graph are
    // carried and counted per molecule, and the table gaps hit on their deps (the view keeps its table list).
    expect(h.spy.structureHits).toBe(0);
    // A definition one rule asks about: the work of that rule's target (this spy keeps no entry the last
    // refresh left unused, so the target's other regions are computed again too), and no other.
    h.edit('**Quebec Rate**: 10%', '**Quebec Rate**: 11%');
    h.run();
    expect(h.spy.computed).toBeGreaterThan(0);
    expect(h.spy.computed).toBeLessThan(full / 2);
  });

  it('notice exceptions that change while their rule molecule stays the same', () => {
    const spy = new SpyMemo();
    const jurisdiction = define('tax/inputs.md:1', 'Jurisdiction', ['Quebec', 'Ontario']);
    const quebec = rule('tax/a.md:1', { when: is('Jurisdiction', '=', 'Quebec'), then: { 'Withholding Rate': '10%' } });
    const other = rule('tax/a.md:5', { when: is('Amount', '>', '$5'), then: { 'Withholding Rate': '40%' } });
    const cap = constraint('tax/a.md:9', is('Withholding Rate', '<=', '30%'));
    const unless = exception('tax/a.md:6', is('Amount', '>', '$1'), other.molecule.id).molecule;
    const run = (exceptions: typeof other.exceptions) => {
      const view = { ...domainView({ definitions: [jurisdiction], rules: [quebec, { ...other, exceptions }], constraints: [cap] }) };
      const found = spy.refresh(() => Object.values(CHECKS).map((check) => check({ ...view, memo: spy.memo })));
      expect(found).toEqual(Object.values(CHECKS).map((check) => check(view)));
      return found.flat();
    };
    const before = run([]);
    const after = run([unless]);
    expect(after).not.toEqual(before);
    expect(run([])).toEqual(before);
  });
});
