/**
 * `constraint-violation` (knowledge-markdown §4): an atom definition, a rule
 * result or a table output (table rows are rules) that breaks a
 * `MUST BE` constraint on that atom; and a rule that tests or sets an
 * input to a value outside its `one of` list.
 */
import { distance } from 'fastest-levenshtein';
import type { Condition, Finding, Operand, Value } from '../model';
import { enforcementSeverity, normalizeName } from '../model';
import { conditionRegion, effectiveRegion, memoChunks } from './cached';
import { finding, moleculeKey, type ConstraintEntry, type DefinitionEntry, type DomainView, type Place } from './context';
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
  key: string;
  constraints: ConstraintEntry[];
  definitions: DefinitionEntry[];
  /** Indexes into `view.constraints` and `view.definitions` of the two lists above (for the findings' order). */
  constraintIndexes: number[];
  definitionIndexes: number[];
  /** Indexes into `view.rules` and into that rule's results. */
  results: { rule: number; result: number }[];
}

/** A broken constraint, by index into the `Constrained` lists (position-free). */
interface Broken {
  /** Index into `definitions` or `results`. */
  at: number;
  constraint: number;
  allowed: ValueSet;
}

function checkMustBe(view: DomainView): Finding[] {
  // Position-free, so memoised whole while constraints, definitions and rules are the same.
  const { groups, verdicts } = view.memo(
    'whole:must-be',
    [view.epoch, view.constraints, view.definitions, view.rules],
    () => brokenConstraints(view),
    () => [view.epoch, ...view.constraints, null, ...view.definitions, null, ...view.rules],
  );

  // Findings in the order of the definitions, then of the rules (and their results), then of the constraints.
  const definitions: { index: number; constraint: number; finding: () => Finding }[] = [];
  const results: { rule: number; result: number; constraint: number; finding: () => Finding }[] = [];
  groups.forEach((g, i) => {
    for (const { at, constraint, allowed } of verdicts[i].definitions) {
      const { uri, definition } = g.definitions[at];
      const c = g.constraints[constraint];
      definitions.push({
        index: g.definitionIndexes[at],
        constraint: g.constraintIndexes[constraint],
        finding: () =>
          violation(view, { uri, blockId: definition.blockId, span: definition.valueSpan }, definition.name, definition.value!, c, allowed),
      });
    }
    for (const { at, constraint, allowed } of verdicts[i].results) {
      const { rule, result } = g.results[at];
      const { uri, molecule } = view.rules[rule];
      const r = molecule.results[result];
      const c = g.constraints[constraint];
      results.push({
        rule,
        result,
        constraint: g.constraintIndexes[constraint],
        finding: () =>
          violation(view, { uri, blockId: molecule.blockId, span: r.operand.span }, r.target.name, view.resolve(r.operand)!, c, allowed),
      });
    }
  });
  definitions.sort((a, b) => a.index - b.index || a.constraint - b.constraint);
  results.sort((a, b) => a.rule - b.rule || a.result - b.result || a.constraint - b.constraint);
  return [...definitions, ...results].map((v) => v.finding());
}

/** Each constrained atom, with the constraints its definitions and rule results break (position-free). */
function brokenConstraints(view: DomainView): { groups: Constrained[]; verdicts: { definitions: Broken[]; results: Broken[] }[] } {
  const byKey = new Map<string, Constrained>();
  view.constraints.forEach((c, index) => {
    const key = c.molecule.comparison.subject.key;
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { key, constraints: [], definitions: [], constraintIndexes: [], definitionIndexes: [], results: [] }));
    group.constraints.push(c);
    group.constraintIndexes.push(index);
  });
  if (byKey.size === 0) return { groups: [], verdicts: [] };
  view.definitions.forEach((d, index) => {
    const group = d.definition.value ? byKey.get(d.definition.key) : undefined;
    if (!group) return;
    group.definitions.push(d);
    group.definitionIndexes.push(index);
  });
  view.rules.forEach(({ molecule }, rule) => {
    const { results } = molecule;
    for (let result = 0; result < results.length; result++) byKey.get(results[result].target.key)?.results.push({ rule, result });
  });

  const groups = [...byKey.values()];
  const verdicts = memoChunks(view, 'must-be', groups, {
    id: (g) => g.key,
    key: (g) => g.key,
    deps: (g, into) => {
      into.push(g.constraints.length);
      for (const c of g.constraints) into.push(c.molecule, c.exceptions.length, ...c.exceptions);
      into.push(g.definitions.length);
      for (const d of g.definitions) into.push(d.definition);
      into.push(g.results.length);
      for (const { rule, result } of g.results) {
        const { molecule, exceptions } = view.rules[rule];
        into.push(molecule, result, exceptions.length, ...exceptions);
      }
    },
    compute: (g) => brokenIn(view, g),
    average: 8,
    alone: (g) => g.constraints.length * (g.definitions.length + g.results.length) > 64,
  });
  return { groups, verdicts };
}

/** The constraints of one atom broken by its definitions and by the rules that set it. */
function brokenIn(view: DomainView, g: Constrained): { definitions: Broken[]; results: Broken[] } {
  const definitions: Broken[] = [];
  g.definitions.forEach(({ definition }, at) => {
    g.constraints.forEach((c, constraint) => {
      const allowed = broken(view, definition.value!, c);
      if (allowed) definitions.push({ at, constraint, allowed });
    });
  });
  const results: Broken[] = [];
  g.results.forEach(({ rule, result }, at) => {
    const { uri, molecule, exceptions } = view.rules[rule];
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
  // Position-free, so memoised whole while the molecules are the same (the same lists, or the same entries).
  const { rules, exceptions, constraints } = view.memo(
    'whole:enumerations',
    [view.epoch, view.rules, view.exceptions, view.constraints],
    () => ({
      rules: outsideLists(view, 'enum:rule', view.rules, (m) => {
        const found = outsideConditionList(view, m.condition);
        for (const r of m.results) outsideListOf(view, r.target, r.operand, found);
        return found;
      }),
      exceptions: outsideLists(view, 'enum:exception', view.exceptions, (m) => outsideConditionList(view, m.condition)),
      constraints: outsideLists(view, 'enum:constraint', view.constraints, (m) => outsideConditionList(view, m.comparison)),
    }),
    () => [view.epoch, ...view.rules, null, ...view.exceptions, null, ...view.constraints],
  );
  const reportAll = (entries: readonly { uri: string; molecule: { blockId: string } }[], found: (readonly OutsideList[])[]) => {
    for (let i = 0; i < entries.length; i++) if (found[i].length > 0) report(entries[i].uri, entries[i].molecule.blockId, found[i]);
  };
  reportAll(view.rules, rules);
  reportAll(view.exceptions, exceptions);
  reportAll(view.constraints, constraints);
  return findings;
}

const NONE: readonly OutsideList[] = [];

/** Per molecule, its values outside a `one of` list (memoised in chunks). */
function outsideLists<M extends { id: string }>(
  view: DomainView,
  name: string,
  entries: readonly { uri: string; molecule: M }[],
  compute: (molecule: M) => OutsideList[],
): (readonly OutsideList[])[] {
  return memoChunks(view, name, entries, {
    id: (e) => e.molecule.id,
    key: (e) => moleculeKey(e.uri, e.molecule.id),
    deps: (e, into) => into.push(e.molecule),
    compute: (e) => {
      const found = compute(e.molecule);
      return found.length > 0 ? found : NONE;
    },
    average: 32,
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
