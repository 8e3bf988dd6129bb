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
import { asksChanged, carried, effectiveRegion, Grouping } from './cached';
import { finding, moleculeKey, type DomainView, type Place, type RuleEntry } from './context';
import { collectNames, describeCase, intersect, isEmpty, isSubset, regionsOverlap, valuesEqual, type Region } from './region';

/** One `THEN target = value` of a rule, by the rule's index in `view.rules`. */
interface Result {
  rule: number;
  assignment: Assignment;
}

/** One `THEN target = value` of a rule: the rule's entry and the result's index in it. */
interface Member {
  entry: RuleEntry;
  result: number;
}

/**
 * What the rules that set one target amount to, by index into that target's
 * members. Position-free, so it is carried across refreshes: while the
 * target's rules (and what the definitions answer for their names) stay the
 * same, a refresh reuses it.
 */
interface TargetAnalysis {
  /** Pairs that set the target to different values and whose effective regions overlap, in pair order. */
  conflicts: { a: number; b: number; overlap: Region }[];
  /** Results that set the target to the same value as another result, in the order they first do. */
  agreeing: number[];
  /** `rule` agrees with `other` and `other` covers it (`mutual`: `rule` covers `other` too), in pair order. */
  covered: { rule: number; other: number; mutual: boolean }[];
}

/** What the check carries from refresh to refresh: the results by target, and each target's analysis. */
interface ConflictState {
  targets: Grouping<RuleEntry, Member>;
  /** The generation of `view.answers` the analyses are up to. */
  generation: number;
  /** Per target set by more than one result: its analysis, of exactly these members. */
  analyses: Map<string, { members: readonly Member[]; analysis: TargetAnalysis }>;
  /** The targets whose analysis finds something. */
  found: Set<string>;
}

export function checkConflicts(view: DomainView): Finding[] {
  const analysed = analyseTargets(view);
  const findings: Finding[] = [];
  const conflicting = new Set<string>();
  /** For each rule that agrees with another (in the order they first do), the rules that cover it → whether it covers them too. */
  const agreeing = new Map<number, Map<number, boolean>>();
  let names: ReadonlyMap<string, string> | undefined;
  for (const { results, analysis } of analysed) {
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

/**
 * The targets whose analysis finds something, in the order they are first set, with their results (by
 * rule index). The results are grouped by target and each target's analysis carried across refreshes:
 * a refresh analyses again only the targets of the rules an edit replaced or whose names' definitions
 * changed, and looks up rule indexes only for the targets with findings.
 */
function analyseTargets(view: DomainView): { results: Result[]; analysis: TargetAnalysis }[] {
  const state = carried<ConflictState>(view, 'conflicts', () => ({
    targets: new Grouping<RuleEntry, Member>(
      (entry, add) => entry.molecule.results.forEach((r, result) => add(r.target.key, { entry, result })),
      (m) => m.entry,
    ),
    generation: view.answers.generation,
    analyses: new Map(),
    found: new Set(),
  }));
  const changed = state.targets.update(view.rules);
  // Targets whose rules ask about a definition that changed are analysed again.
  const stale = new Set<string>();
  if (state.generation !== view.answers.generation) {
    const since = state.generation;
    state.generation = view.answers.generation;
    for (const [key, { members }] of state.analyses) if (members.some((m) => asksChanged(view, m.entry, since))) stale.add(key);
  }
  for (const key of stale.size > 0 ? new Set([...changed, ...stale]) : changed) {
    const members = state.targets.get(key);
    const known = state.analyses.get(key);
    if (!stale.has(key) && known?.members === members) continue;
    state.found.delete(key);
    if (!members || members.length < 2) {
      state.analyses.delete(key);
      continue;
    }
    const analysis = analyseTarget(view, members);
    state.analyses.set(key, { members, analysis });
    if (analysis.conflicts.length > 0 || analysis.agreeing.length > 0) state.found.add(key);
  }
  if (state.found.size === 0) return [];
  // Rule indexes, for the targets with findings only.
  const index = new Map<RuleEntry, number>();
  const indexOf = (entry: RuleEntry) => {
    let i = index.get(entry);
    if (i === undefined) index.set(entry, (i = view.rules.indexOf(entry)));
    return i;
  };
  const out = [...state.found].map((key) => {
    const { members, analysis } = state.analyses.get(key)!;
    const results = members.map(({ entry, result }) => ({ rule: indexOf(entry), assignment: entry.molecule.results[result] }));
    return { first: members[0], results, analysis };
  });
  // The order in which the targets are first set: by rule, then by result.
  out.sort((x, y) => x.results[0].rule - y.results[0].rule || x.first.result - y.first.result);
  return out;
}

/** Compares every two results of one target. */
function analyseTarget(view: DomainView, members: readonly Member[]): TargetAnalysis {
  const entries = members.map((m) => m.entry);
  const keys: string[] = [];
  const key = (i: number) => (keys[i] ??= moleculeKey(entries[i].uri, entries[i].molecule.id));
  const values = members.map((m) => view.resolve(m.entry.molecule.results[m.result].operand));
  // Each rule's region once per analysis (a view without a memo would compute it again for every pair).
  const regions: Region[] = [];
  const region = (i: number) => (regions[i] ??= effectiveRegion(view, entries[i].uri, entries[i].molecule, entries[i].exceptions));
  /** The overlap of two results' rules; `i < j` is their order in `view.rules`. */
  const overlap = (i: number, j: number): Region => {
    const [ri, rj] = [region(i), region(j)];
    return view.memo(() => `overlap:${key(i)}|${key(j)}`, [ri, rj], () => intersect(ri, rj));
  };
  /** Whether `cover`'s rule sets each target of `rule`'s rule to an equal value wherever `rule` applies. */
  const covers = (cover: number, rule: number): boolean => {
    const [rc, rr] = [region(cover), region(rule)];
    const c = entries[cover].molecule;
    const r = entries[rule].molecule;
    return view.memo(() => `covers:${key(cover)}|${key(rule)}`, [view.answers.token(c), view.answers.token(r), c, r, rc, rr], () => {
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
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      const a = values[i];
      const b = values[j];
      if (entries[i] === entries[j] || !a || !b) continue;
      if (valuesEqual(a, b)) {
        for (const k of [i, j]) if (!seen.has(k)) analysis.agreeing.push(k), seen.add(k);
        if (covers(j, i)) analysis.covered.push({ rule: i, other: j, mutual: covers(i, j) });
        if (covers(i, j)) analysis.covered.push({ rule: j, other: i, mutual: covers(j, i) });
        continue;
      }
      // Most pairs of rules that set a target to different values never apply together: tell so before
      // making their overlap.
      if (!regionsOverlap(region(i), region(j))) continue;
      analysis.conflicts.push({ a: i, b: j, overlap: overlap(i, j) });
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
