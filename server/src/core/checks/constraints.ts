/**
 * `constraint-violation` (knowledge-markdown §4): an atom definition, a rule
 * result or a table output (table rows are rules) that breaks a
 * `MUST BE` constraint on that atom; and a rule that tests or sets an
 * input to a value outside its `one of` list.
 */
import { distance } from 'fastest-levenshtein';
import type { Condition, Finding, Molecule, Operand, Value } from '../model';
import { enforcementSeverity, normalizeName } from '../model';
import { asksChanged, carried, conditionRegion, effectiveRegion, Grouping, perItem } from './cached';
import { finding, type ConstraintEntry, type DefinitionEntry, type DomainView, type Place, type RuleEntry } from './context';
import {
  comparisonToSet,
  compatibleSets,
  describeSet,
  isEmptySet,
  isSubset,
  setsOverlap,
  textForm,
  union,
  valuesEqual,
  valueToSet,
  NOTHING,
  type Region,
  type ValueSet,
} from './region';

export function checkConstraints(view: DomainView): Finding[] {
  return [...checkMustBe(view), ...checkEnumerations(view)];
}

// ---------------------------------------------------------------------------
// MUST BE constraints
// ---------------------------------------------------------------------------

/** One constrained atom: its constraints and the definitions and rule results that give it a value. */
interface Constrained {
  constraints: readonly ConstraintEntry[];
  definitions: readonly DefinitionEntry[];
  results: readonly RuleResult[];
}

/** One `THEN target = value` of a rule: the rule's entry and the result's index in it. */
interface RuleResult {
  entry: RuleEntry;
  result: number;
}

/** A broken constraint, by index into the `Constrained` lists (position-free). */
interface Broken {
  /** Index into `definitions` or `results`. */
  at: number;
  constraint: number;
  allowed: ValueSet;
}

interface Verdict {
  definitions: Broken[];
  results: Broken[];
}

/** What the check carries from refresh to refresh: constraints, valued definitions and rule results by atom, and each constrained atom's verdict. */
interface MustBeState {
  constraints: Grouping<ConstraintEntry, ConstraintEntry>;
  /** The atoms with constraints: valued definitions and rule results are grouped for these alone. */
  constrained: Set<string>;
  /** Null until first grouped, and again when an atom gained or lost all its constraints. */
  definitions: Grouping<DefinitionEntry, DefinitionEntry> | null;
  results: Grouping<RuleEntry, RuleResult> | null;
  /** The generation of `view.answers` the verdicts are up to. */
  generation: number;
  /** Per constrained atom: its verdict, on exactly this group. */
  verdicts: Map<string, { group: Constrained; verdict: Verdict }>;
  /** The atoms whose verdict breaks something. */
  broken: Set<string>;
}

function checkMustBe(view: DomainView): Finding[] {
  // Findings in the order of the definitions, then of the rules (and their results), then of the constraints.
  const definitions: { index: number; constraint: number; finding: () => Finding }[] = [];
  const results: { rule: number; result: number; constraint: number; finding: () => Finding }[] = [];
  for (const { group: g, verdict } of brokenConstraints(view)) {
    const constraintIndex = g.constraints.map((c) => view.constraints.indexOf(c));
    for (const { at, constraint, allowed } of verdict.definitions) {
      const entry = g.definitions[at];
      const { uri, definition } = entry;
      const c = g.constraints[constraint];
      definitions.push({
        index: view.definitions.indexOf(entry),
        constraint: constraintIndex[constraint],
        finding: () =>
          violation(view, { uri, blockId: definition.blockId, span: definition.valueSpan }, definition.name, definition.value!, c, allowed),
      });
    }
    for (const { at, constraint, allowed } of verdict.results) {
      const { entry, result } = g.results[at];
      const { uri, molecule } = entry;
      const r = molecule.results[result];
      const c = g.constraints[constraint];
      results.push({
        rule: view.rules.indexOf(entry),
        result,
        constraint: constraintIndex[constraint],
        finding: () =>
          violation(view, { uri, blockId: molecule.blockId, span: r.operand.span }, r.target.name, view.resolve(r.operand)!, c, allowed),
      });
    }
  }
  definitions.sort((a, b) => a.index - b.index || a.constraint - b.constraint);
  results.sort((a, b) => a.rule - b.rule || a.result - b.result || a.constraint - b.constraint);
  return [...definitions, ...results].map((v) => v.finding());
}

/**
 * The constrained atoms whose definitions or rule results break a constraint, with what they break
 * (position-free). Carried across refreshes: a refresh judges again only the atoms whose constraints,
 * valued definitions or rule results an edit replaced, or whose constraints and rules ask about a
 * definition that changed.
 */
function brokenConstraints(view: DomainView): { group: Constrained; verdict: Verdict }[] {
  const state = carried<MustBeState>(view, 'must-be', () => ({
    constraints: new Grouping<ConstraintEntry, ConstraintEntry>((c, add) => add(c.molecule.comparison.subject.key, c), (c) => c),
    constrained: new Set(),
    definitions: null,
    results: null,
    generation: view.answers.generation,
    verdicts: new Map(),
    broken: new Set(),
  }));
  const changed = state.constraints.update(view.constraints);
  for (const key of changed) {
    const has = state.constraints.get(key) !== undefined;
    if (has === state.constrained.has(key)) continue;
    if (has) state.constrained.add(key);
    else state.constrained.delete(key);
    state.definitions = state.results = null;
  }
  if (state.definitions === null || state.results === null) {
    // Grouped afresh for the atoms constrained now (most atoms have no constraint: a domain's check
    // groups a few thousand of its tens of thousands of definitions and results), and judged again.
    const { constrained } = state;
    state.definitions = new Grouping<DefinitionEntry, DefinitionEntry>((d, add) => {
      if (d.definition.value && constrained.has(d.definition.key)) add(d.definition.key, d);
    }, (d) => d);
    state.results = new Grouping<RuleEntry, RuleResult>(
      (entry, add) =>
        entry.molecule.results.forEach((r, result) => {
          if (constrained.has(r.target.key)) add(r.target.key, { entry, result });
        }),
      (m) => m.entry,
    );
    state.definitions.update(view.definitions);
    state.results.update(view.rules);
    for (const key of constrained) changed.add(key);
  } else {
    for (const key of state.definitions.update(view.definitions)) changed.add(key);
    for (const key of state.results.update(view.rules)) changed.add(key);
  }
  const { definitions, results } = state;
  const stale = new Set<string>();
  if (state.generation !== view.answers.generation) {
    const since = state.generation;
    state.generation = view.answers.generation;
    for (const [key, { group }] of state.verdicts) {
      if (group.constraints.some((c) => asksChanged(view, c, since)) || group.results.some((r) => asksChanged(view, r.entry, since))) stale.add(key);
    }
  }
  for (const key of stale.size > 0 ? new Set([...changed, ...stale]) : changed) {
    const constraints = state.constraints.get(key);
    const known = state.verdicts.get(key);
    state.broken.delete(key);
    if (!constraints) {
      state.verdicts.delete(key);
      continue;
    }
    const group: Constrained = { constraints, definitions: definitions.get(key) ?? NO_ENTRIES, results: results.get(key) ?? NO_ENTRIES };
    const same =
      !stale.has(key) &&
      known !== undefined &&
      known.group.constraints === group.constraints &&
      known.group.definitions === group.definitions &&
      known.group.results === group.results;
    const verdict = same ? known.verdict : brokenIn(view, group);
    if (!same) state.verdicts.set(key, { group, verdict });
    if (verdict.definitions.length > 0 || verdict.results.length > 0) state.broken.add(key);
  }
  return [...state.broken].map((key) => state.verdicts.get(key)!);
}

const NO_ENTRIES: readonly never[] = [];

/** The constraints of one atom broken by its definitions and by the rules that set it. */
function brokenIn(view: DomainView, g: Constrained): Verdict {
  const definitions: Broken[] = [];
  g.definitions.forEach(({ definition }, at) => {
    g.constraints.forEach((c, constraint) => {
      const allowed = broken(view, definition.value!, c);
      if (allowed) definitions.push({ at, constraint, allowed });
    });
  });
  const results: Broken[] = [];
  g.results.forEach(({ entry, result }, at) => {
    const { uri, molecule, exceptions } = entry;
    const value = view.resolve(molecule.results[result].operand);
    if (!value) return;
    g.constraints.forEach((c, constraint) => {
      const allowed = broken(view, value, c);
      // The rule's effective region: only when it breaks the constraint somewhere the exceptions do not exempt.
      if (allowed && !isSubset(effectiveRegion(view, uri, molecule, exceptions), exemptions(view, c))) {
        results.push({ at, constraint, allowed });
      }
    });
  });
  return { definitions, results };
}

/** What the constraint allows, when `value` is comparable with it and not allowed; else undefined. */
function broken(view: DomainView, value: Value, c: ConstraintEntry): ValueSet | undefined {
  const cmp = c.molecule.comparison;
  const allowed = comparisonToSet(cmp, view.resolve, view.enumeration);
  const actual = valueToSet(value, view.enumeration(cmp.subject.key));
  // Unknown or incomparable (percent against money): nothing to say. A value outside a `one of`
  // list (an empty set here) is reported by the enumeration check instead.
  if (!allowed || !actual || isEmptySet(actual) || !compatibleSets(actual, allowed)) return undefined;
  return setsOverlap(actual, allowed) ? undefined : allowed;
}

/** The cases the constraint's exceptions exempt. */
function exemptions(view: DomainView, c: ConstraintEntry): Region {
  return c.exceptions.reduce<Region>((r, e) => union(r, conditionRegion(view, c.uri, e)), NOTHING);
}

function violation(view: DomainView, place: Place, name: string, value: Value, c: ConstraintEntry, allowed: ValueSet): Finding {
  const constraintPlace = { uri: c.uri, blockId: c.molecule.blockId, span: c.molecule.span };
  const described = describeSet(allowed); // never undefined: a set that allows everything cannot be broken
  const rule = described ? `${c.molecule.comparison.subject.name} ${described}` : c.molecule.normalized;
  return finding(
    view,
    'constraint-violation',
    enforcementSeverity(c.molecule.enforcement),
    place,
    `${name} = ${value.canonical} breaks the constraint ${rule} at ${view.describe(constraintPlace)}`,
    [{ place: constraintPlace, message: `The constraint ${rule}` }],
    { constraintId: c.molecule.id, constraintUri: c.uri },
  );
}

// ---------------------------------------------------------------------------
// Values outside a `one of` list
// ---------------------------------------------------------------------------

/** Operators whose operands are values the subject may take (ordering operators compare, so they are left alone). */
const MEMBERSHIP = new Set(['=', '!=', 'in', 'not in']);

/** A value a molecule tests or sets an enumerated input to, outside the input's `one of` list (position-free). */
interface OutsideList {
  subject: { name: string; key: string };
  operand: Operand;
  value: Value;
  /** The closest allowed value, when close enough to be a likely typo. */
  suggestion: string | undefined;
}

function checkEnumerations(view: DomainView): Finding[] {
  const findings: Finding[] = [];
  let inputs: Map<string, DefinitionEntry> | undefined;
  const report = (uri: string, blockId: string, found: readonly OutsideList[]) => {
    for (const { subject, operand, value, suggestion } of found) {
      inputs ??= enumeratedInputs(view);
      const place = { uri, blockId, span: operand.span };
      findings.push(outsideList(view, place, subject, value, suggestion, view.enumeration(subject.key)!, inputs.get(subject.key)));
    }
  };
  // Position-free, so carried per molecule: a refresh looks at the molecules an edit replaced.
  const rules = outsideLists(view, 'enum:rule', view.rules, (m) => {
    const found = outsideConditionList(view, m.condition);
    for (const r of m.results) outsideListOf(view, r.target, r.operand, found);
    return found;
  });
  const exceptions = outsideLists(view, 'enum:exception', view.exceptions, (m) => outsideConditionList(view, m.condition));
  const constraints = outsideLists(view, 'enum:constraint', view.constraints, (m) => outsideConditionList(view, m.comparison));
  const reportAll = (entries: readonly { uri: string; molecule: { blockId: string } }[], found: readonly (readonly OutsideList[])[]) => {
    for (let i = 0; i < entries.length; i++) if (found[i].length > 0) report(entries[i].uri, entries[i].molecule.blockId, found[i]);
  };
  reportAll(view.rules, rules);
  reportAll(view.exceptions, exceptions);
  reportAll(view.constraints, constraints);
  return findings;
}

const NONE: readonly OutsideList[] = [];

/** Per molecule, its values outside a `one of` list (carried across refreshes, per entry). */
function outsideLists<M extends Molecule>(
  view: DomainView,
  name: string,
  entries: readonly { uri: string; molecule: M }[],
  compute: (molecule: M) => OutsideList[],
): readonly (readonly OutsideList[])[] {
  return perItem(view, name, entries, (e) => {
    const found = compute(e.molecule);
    return found.length > 0 ? found : NONE;
  });
}

function outsideConditionList(view: DomainView, cond: Condition, found: OutsideList[] = []): OutsideList[] {
  if (cond.kind !== 'cmp') {
    for (const item of cond.items) outsideConditionList(view, item, found);
  } else if (MEMBERSHIP.has(cond.op)) {
    for (const o of cond.operands) outsideListOf(view, cond.subject, o, found);
  }
  return found;
}

function outsideListOf(view: DomainView, subject: { name: string; key: string }, operand: Operand, found: OutsideList[]): void {
  const allowed = view.enumeration(subject.key);
  const value = allowed && view.resolve(operand);
  if (!allowed || !value || allowed.some((a) => sameMember(a, value))) return;
  found.push({ subject, operand, value, suggestion: suggest(value, allowed) });
}

/** The first definition of each input declared with `one of`. */
function enumeratedInputs(view: DomainView): Map<string, DefinitionEntry> {
  const inputs = new Map<string, DefinitionEntry>();
  for (const d of view.definitions) if (d.definition.oneOf && !inputs.has(d.definition.key)) inputs.set(d.definition.key, d);
  return inputs;
}

/** A `one of` member: equal values, or the same text (a list mixing kinds compares as texts). */
function sameMember(member: Value, value: Value): boolean {
  return valuesEqual(member, value) || normalizeName(textForm(member)) === normalizeName(textForm(value));
}

function outsideList(
  view: DomainView,
  place: Place,
  subject: { name: string; key: string },
  value: Value,
  suggestion: string | undefined,
  allowed: readonly Value[],
  input: DefinitionEntry | undefined,
): Finding {
  const list = allowed.map((a) => a.canonical).join(', ');
  return finding(
    view,
    'constraint-violation',
    'warning',
    place,
    `"${value.raw}" is not one of ${subject.name}'s values: ${list}${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
    input ? [{ place: { uri: input.uri, blockId: input.definition.blockId, span: input.definition.span }, message: `${input.definition.name}: one of ${list}` }] : [],
    suggestion ? { suggestion } : undefined,
  );
}

/** The allowed value closest to `value`, when close: at most one edit in three characters (and at least one edit allowed). */
function suggest(value: Value, allowed: readonly Value[]): string | undefined {
  const written = normalizeName(textForm(value));
  let best: Value | undefined;
  let bestDistance = Infinity;
  for (const a of allowed) {
    const d = distance(written, normalizeName(textForm(a)));
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best && bestDistance <= Math.max(1, Math.floor(written.length / 3)) ? best.canonical : undefined;
}
