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
import { finding, type DomainView, type Place, type RuleEntry } from './context';
import { collectNames, conditionToRegion, describeCase, intersect, isEmpty, isSubset, subtract, valuesEqual, type Region } from './region';

/** One `THEN target = value` of a rule; `value` is undefined when it cannot be resolved (never conflicts). */
interface Result {
  rule: number;
  assignment: Assignment;
  value: Value | undefined;
}

type Resolved = Result & { value: Value };

const resolved = (r: Result): r is Resolved => r.value !== undefined;

export function checkConflicts(view: DomainView): Finding[] {
  const rules = new RuleSet(view);
  const byTarget = new Map<string, Result[]>();
  view.rules.forEach((entry, rule) => {
    for (const assignment of entry.molecule.results) {
      const list = byTarget.get(assignment.target.key) ?? [];
      list.push({ rule, assignment, value: view.resolve(assignment.operand) });
      byTarget.set(assignment.target.key, list);
    }
  });

  const findings: Finding[] = [];
  const conflicting = new Set<string>();
  /** For each rule, the rules that set some shared target to an equal value (redundancy candidates). */
  const agreeing = new Map<number, Set<number>>();
  for (const results of byTarget.values()) {
    for (let i = 0; i < results.length; i++) {
      for (let j = i + 1; j < results.length; j++) {
        const a = results[i];
        const b = results[j];
        if (a.rule === b.rule || !resolved(a) || !resolved(b)) continue;
        if (valuesEqual(a.value, b.value)) {
          addTo(agreeing, a.rule, b.rule);
          addTo(agreeing, b.rule, a.rule);
          continue;
        }
        const overlap = rules.overlap(a.rule, b.rule);
        if (isEmpty(overlap)) continue;
        conflicting.add(`${a.rule}|${b.rule}`).add(`${b.rule}|${a.rule}`);
        findings.push(...conflict(view, rules, a, b, overlap));
      }
    }
  }

  for (const [rule, partners] of agreeing) {
    const covering = [...partners].filter((other) => !conflicting.has(`${rule}|${other}`) && rules.redundantWith(rule, other));
    if (covering.length > 0) findings.push(redundant(view, rules, rule, covering));
  }
  return findings;
}

/** The rules of a view with their places and (lazily computed) effective regions. */
class RuleSet {
  readonly names = new Map<string, string>();
  private readonly regions = new Map<number, Region>();
  private readonly overlaps = new Map<number, Region>();

  constructor(private readonly view: DomainView) {
    for (const { molecule, exceptions } of view.rules) {
      collectNames(molecule.condition, this.names);
      for (const e of exceptions) collectNames(e.condition, this.names);
    }
  }

  entry(rule: number): RuleEntry {
    return this.view.rules[rule];
  }

  place(rule: number): Place {
    const { uri, molecule } = this.entry(rule);
    return { uri, blockId: molecule.blockId, span: molecule.span };
  }

  /** Condition minus exceptions. */
  region(rule: number): Region {
    let region = this.regions.get(rule);
    if (!region) {
      const { molecule, exceptions } = this.entry(rule);
      const { resolve, enumeration } = this.view;
      region = conditionToRegion(molecule.condition, resolve, enumeration);
      for (const e of exceptions) region = subtract(region, conditionToRegion(e.condition, resolve, enumeration));
      this.regions.set(rule, region);
    }
    return region;
  }

  overlap(a: number, b: number): Region {
    const key = Math.min(a, b) * this.view.rules.length + Math.max(a, b);
    let region = this.overlaps.get(key);
    if (!region) {
      region = intersect(this.region(a), this.region(b));
      this.overlaps.set(key, region);
    }
    return region;
  }

  /**
   * `rule` is redundant with `other` when `other` sets each of its targets
   * to an equal value wherever `rule` applies. When the two cover each other
   * exactly, only the later one (in document order) is redundant.
   */
  redundantWith(rule: number, other: number): boolean {
    if (!this.covers(other, rule)) return false;
    return !this.covers(rule, other) || this.later(rule, other);
  }

  private covers(cover: number, rule: number): boolean {
    const { resolve } = this.view;
    const results = this.entry(cover).molecule.results;
    const coveredResults = this.entry(rule).molecule.results.every((mine) => {
      const value = resolve(mine.operand);
      return value && results.some((r) => r.target.key === mine.target.key && sameValue(resolve(r.operand), value));
    });
    // A rule that can never apply is a different problem, not a redundant one.
    return (
      coveredResults &&
      !isEmpty(this.region(rule)) &&
      !isEmpty(this.overlap(rule, cover)) && // cheap, shared with the conflict check
      isSubset(this.region(rule), this.region(cover))
    );
  }

  /**
   * Document order: by uri, then by position in the document. (Molecule
   * spans are relative to their block, so positions come from `view.range`.)
   */
  private later(a: number, b: number): boolean {
    const pa = this.place(a);
    const pb = this.place(b);
    if (pa.uri !== pb.uri) return pa.uri > pb.uri;
    const ra = this.view.range(pa).start;
    const rb = this.view.range(pb).start;
    return ra.line !== rb.line ? ra.line > rb.line : ra.character !== rb.character ? ra.character > rb.character : a > b;
  }
}

function sameValue(a: Value | undefined, b: Value): boolean {
  return a !== undefined && valuesEqual(a, b);
}

function conflict(view: DomainView, rules: RuleSet, a: Resolved, b: Resolved, overlap: Region): Finding[] {
  const when = describeCase(overlap, rules.names);
  const severity = enforcementSeverity(stricter(rules.entry(a.rule).molecule.enforcement, rules.entry(b.rule).molecule.enforcement));
  const at = (here: Resolved, there: Resolved) => {
    const other = rules.entry(there.rule);
    const target = here.assignment.target.name;
    return finding(
      view,
      'rule-conflict',
      severity,
      rules.place(here.rule),
      `Conflicts with the rule at ${view.describe(rules.place(there.rule))}: both apply ${when} but set ${target} to ` +
        `${here.value.canonical} here and ${there.value.canonical} there`,
      [{ place: rules.place(there.rule), message: `This rule sets ${target} to ${there.value.canonical}` }],
      { otherRuleId: other.molecule.id, otherUri: other.uri, target: here.assignment.target.key },
    );
  };
  return [at(a, b), at(b, a)];
}

function redundant(view: DomainView, rules: RuleSet, rule: number, covering: number[]): Finding {
  const results = rules
    .entry(rule)
    .molecule.results.map((r) => `${r.target.name} to ${view.resolve(r.operand)?.canonical}`) // resolved: covered rules' results are known
    .join(' and ');
  const first = rules.place(covering[0]);
  const more = covering.length > 1 ? ` (as do ${covering.length - 1} more)` : '';
  const other = rules.entry(covering[0]);
  return finding(
    view,
    'redundant-rule',
    'information',
    rules.place(rule),
    `Redundant: the rule at ${view.describe(first)} already sets ${results} whenever this rule applies${more}`,
    covering.map((c) => ({ place: rules.place(c), message: 'This rule covers it' })),
    { otherRuleId: other.molecule.id, otherUri: other.uri },
  );
}

const STRICTNESS: Record<Enforcement, number> = { block: 2, warn: 1, inform: 0 };

function stricter(a: Enforcement, b: Enforcement): Enforcement {
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}

function addTo(map: Map<number, Set<number>>, key: number, value: number): void {
  const set = map.get(key) ?? new Set<number>();
  set.add(value);
  map.set(key, set);
}
