/**
 * `rule-conflict` and `redundant-rule` (knowledge-markdown §4).
 *
 * A rule's *effective region* is its condition minus its exceptions. Two
 * rules conflict when they set one target to different values and their
 * effective regions overlap; a rule is redundant when another rule sets
 * every one of its targets to equal values wherever it applies.
 *
 * Rules are grouped by target first, so only rules that share a target are
 * ever compared.
 */
import type { Assignment, Enforcement, Finding, Value } from '../model';
import { enforcementSeverity } from '../model';
import { effectiveRegion, memoChunks } from './cached';
import { finding, moleculeKey, type DomainView, type Place } from './context';
import { collectNames, describeCase, intersect, isEmpty, isSubset, valuesEqual, type Region } from './region';

/** One `THEN target = value` of a rule, by the rule's index in `view.rules`. */
interface Result {
  rule: number;
  assignment: Assignment;
}

/**
 * What the rules that set one target amount to, by index into that target's
 * results. Position-free, so it is memoised: while the target's rules (and
 * the definitions) stay the same, a refresh reuses it.
 */
interface TargetAnalysis {
  /** Pairs that set the target to different values and whose effective regions overlap, in pair order. */
  conflicts: { a: number; b: number; overlap: Region }[];
  /** Results that set the target to the same value as another result, in the order they first do. */
  agreeing: number[];
  /** `rule` agrees with `other` and `other` covers it (`mutual`: `rule` covers `other` too), in pair order. */
  covered: { rule: number; other: number; mutual: boolean }[];
}

export function checkConflicts(view: DomainView): Finding[] {
  // Position-free, so memoised whole while the rules are the same (the same list, or the same entries).
  const rules = view.rules;
  const { targets, analyses } = view.memo('whole:conflicts', [view.epoch, rules], () => analyseTargets(view), () => [view.epoch, ...rules]);
  const findings: Finding[] = [];
  const conflicting = new Set<string>();
  /** For each rule that agrees with another (in the order they first do), the rules that cover it → whether it covers them too. */
  const agreeing = new Map<number, Map<number, boolean>>();
  let names: ReadonlyMap<string, string> | undefined;
  for (let t = 0; t < targets.length; t++) {
    const analysis = analyses[t];
    if (analysis.conflicts.length === 0 && analysis.agreeing.length === 0) continue;
    const results = resultsOf(view, targets[t].pairs);
    for (const { a, b, overlap } of analysis.conflicts) {
      const ra = results[a];
      const rb = results[b];
      conflicting.add(`${ra.rule}|${rb.rule}`).add(`${rb.rule}|${ra.rule}`);
      findings.push(...conflict(view, (names ??= ruleNames(view)), ra, rb, overlap));
    }
    for (const i of analysis.agreeing) if (!agreeing.has(results[i].rule)) agreeing.set(results[i].rule, new Map());
    for (const { rule, other, mutual } of analysis.covered) {
      const partners = agreeing.get(results[rule].rule)!;
      if (!partners.has(results[other].rule)) partners.set(results[other].rule, mutual);
    }
  }

  for (const [rule, partners] of agreeing) {
    const covering: number[] = [];
    for (const [other, mutual] of partners) {
      // When the two cover each other exactly, only the later one (in document order) is redundant.
      if (!conflicting.has(`${rule}|${other}`) && (!mutual || later(view, rule, other))) covering.push(other);
    }
    if (covering.length > 0) findings.push(redundant(view, rule, covering));
  }
  return findings;
}


/** Every target that more than one result sets, with the analysis of its rules (memoised in chunks). */
function analyseTargets(view: DomainView): { targets: { key: string; pairs: number[] }[]; analyses: TargetAnalysis[] } {
  const rules = view.rules;
  // Target → its results as flat (rule index, result index) pairs.
  const byTarget = new Map<string, number[]>();
  for (let rule = 0; rule < rules.length; rule++) {
    const results = rules[rule].molecule.results;
    for (let k = 0; k < results.length; k++) {
      const key = results[k].target.key;
      const list = byTarget.get(key);
      if (list) list.push(rule, k);
      else byTarget.set(key, [rule, k]);
    }
  }

  const targets: { key: string; pairs: number[] }[] = [];
  for (const [key, pairs] of byTarget) if (pairs.length > 2) targets.push({ key, pairs });
  const analyses = memoChunks(view, 'conflicts', targets, {
    id: (t) => t.key,
    key: (t) => t.key,
    deps: (t, into) => {
      const { pairs } = t;
      into.push(pairs.length);
      for (let p = 0; p < pairs.length; p += 2) {
        const { uri, molecule, exceptions } = rules[pairs[p]];
        into.push(uri, molecule);
        if (exceptions.length === 0) into.push(0);
        else into.push(exceptions.length, ...exceptions);
      }
    },
    compute: (t) => analyseTarget(view, resultsOf(view, t.pairs)),
    average: 4,
    // Many rules setting one target make its analysis costly: it is memoised on its own.
    alone: (t) => t.pairs.length > 16,
  });
  return { targets, analyses };
}

function resultsOf(view: DomainView, pairs: readonly number[]): Result[] {
  const results: Result[] = [];
  for (let p = 0; p < pairs.length; p += 2) results.push({ rule: pairs[p], assignment: view.rules[pairs[p]].molecule.results[pairs[p + 1]] });
  return results;
}

/** Compares every two results of one target. */
function analyseTarget(view: DomainView, results: readonly Result[]): TargetAnalysis {
  const entries = results.map((r) => view.rules[r.rule]);
  const keys = entries.map((e) => moleculeKey(e.uri, e.molecule.id));
  const values = results.map((r) => view.resolve(r.assignment.operand));
  const region = (i: number) => effectiveRegion(view, entries[i].uri, entries[i].molecule, entries[i].exceptions);
  /** The overlap of two results' rules; `i < j` is their order in `view.rules`. */
  const overlap = (i: number, j: number): Region => {
    const [ri, rj] = [region(i), region(j)];
    return view.memo(`overlap:${keys[i]}|${keys[j]}`, [ri, rj], () => intersect(ri, rj));
  };
  /** Whether `cover`'s rule sets each target of `rule`'s rule to an equal value wherever `rule` applies. */
  const covers = (cover: number, rule: number): boolean => {
    const [rc, rr] = [region(cover), region(rule)];
    const c = entries[cover].molecule;
    const r = entries[rule].molecule;
    return view.memo(`covers:${keys[cover]}|${keys[rule]}`, [view.epoch, c, r, rc, rr], () => {
      const coveredResults = r.results.every((mine) => {
        const value = view.resolve(mine.operand);
        return value && c.results.some((o) => o.target.key === mine.target.key && sameValue(view.resolve(o.operand), value));
      });
      // A rule that can never apply is a different problem, not a redundant one.
      return (
        coveredResults &&
        !isEmpty(rr) &&
        !isEmpty(overlap(Math.min(rule, cover), Math.max(rule, cover))) && // cheap, shared with the conflict check
        isSubset(rr, rc)
      );
    });
  };

  const analysis: TargetAnalysis = { conflicts: [], agreeing: [], covered: [] };
  const seen = new Set<number>();
  for (let i = 0; i < results.length; i++) {
    for (let j = i + 1; j < results.length; j++) {
      const a = values[i];
      const b = values[j];
      if (results[i].rule === results[j].rule || !a || !b) continue;
      if (valuesEqual(a, b)) {
        for (const k of [i, j]) if (!seen.has(k)) analysis.agreeing.push(k), seen.add(k);
        if (covers(j, i)) analysis.covered.push({ rule: i, other: j, mutual: covers(i, j) });
        if (covers(i, j)) analysis.covered.push({ rule: j, other: i, mutual: covers(j, i) });
        continue;
      }
      const o = overlap(i, j);
      if (!isEmpty(o)) analysis.conflicts.push({ a: i, b: j, overlap: o });
    }
  }
  return analysis;
}

/** The display name of every subject the rules test (first written form wins). */
function ruleNames(view: DomainView): ReadonlyMap<string, string> {
  const conditions: unknown[] = [];
  for (const { molecule, exceptions } of view.rules) conditions.push(molecule, ...exceptions);
  return view.memo('conflicts:names', conditions, () => {
    const names = new Map<string, string>();
    for (const { molecule, exceptions } of view.rules) {
      collectNames(molecule.condition, names);
      for (const e of exceptions) collectNames(e.condition, names);
    }
    return names;
  });
}

function place(view: DomainView, rule: number): Place {
  const { uri, molecule } = view.rules[rule];
  return { uri, blockId: molecule.blockId, span: molecule.span };
}

/**
 * Document order: by uri, then by position in the document. (Molecule
 * spans are relative to their block, so positions come from `view.range`.)
 */
function later(view: DomainView, a: number, b: number): boolean {
  const pa = place(view, a);
  const pb = place(view, b);
  if (pa.uri !== pb.uri) return pa.uri > pb.uri;
  const ra = view.range(pa).start;
  const rb = view.range(pb).start;
  return ra.line !== rb.line ? ra.line > rb.line : ra.character !== rb.character ? ra.character > rb.character : a > b;
}

function sameValue(a: Value | undefined, b: Value): boolean {
  return a !== undefined && valuesEqual(a, b);
}

function conflict(view: DomainView, names: ReadonlyMap<string, string>, a: Result, b: Result, overlap: Region): Finding[] {
  const when = describeCase(overlap, names);
  const severity = enforcementSeverity(stricter(view.rules[a.rule].molecule.enforcement, view.rules[b.rule].molecule.enforcement));
  const at = (here: Result, there: Result) => {
    const other = view.rules[there.rule];
    const target = here.assignment.target.name;
    // Both resolve: the analysis only reports results whose values are known.
    const hereValue = view.resolve(here.assignment.operand)!;
    const thereValue = view.resolve(there.assignment.operand)!;
    return finding(
      view,
      'rule-conflict',
      severity,
      place(view, here.rule),
      `Conflicts with the rule at ${view.describe(place(view, there.rule))}: both apply ${when} but set ${target} to ` +
        `${hereValue.canonical} here and ${thereValue.canonical} there`,
      [{ place: place(view, there.rule), message: `This rule sets ${target} to ${thereValue.canonical}` }],
      { otherRuleId: other.molecule.id, otherUri: other.uri, target: here.assignment.target.key },
    );
  };
  return [at(a, b), at(b, a)];
}

function redundant(view: DomainView, rule: number, covering: number[]): Finding {
  const results = view.rules[rule].molecule.results
    .map((r) => `${r.target.name} to ${view.resolve(r.operand)?.canonical}`) // resolved: covered rules' results are known
    .join(' and ');
  const first = place(view, covering[0]);
  const more = covering.length > 1 ? ` (as do ${covering.length - 1} more)` : '';
  const other = view.rules[covering[0]];
  return finding(
    view,
    'redundant-rule',
    'information',
    place(view, rule),
    `Redundant: the rule at ${view.describe(first)} already sets ${results} whenever this rule applies${more}`,
    covering.map((c) => ({ place: place(view, c), message: 'This rule covers it' })),
    { otherRuleId: other.molecule.id, otherUri: other.uri },
  );
}

const STRICTNESS: Record<Enforcement, number> = { block: 2, warn: 1, inform: 0 };

function stricter(a: Enforcement, b: Enforcement): Enforcement {
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}
