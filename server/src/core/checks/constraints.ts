/**
 * `constraint-violation` (knowledge-markdown §4): an atom definition, a rule
 * result or a table output (table rows are rules) that breaks a
 * `MUST BE` constraint on that atom; and a rule that tests or sets an
 * input to a value outside its `one of` list.
 */
import { distance } from 'fastest-levenshtein';
import type { Comparison, Condition, Finding, Operand, Value } from '../model';
import { enforcementSeverity, normalizeName } from '../model';
import { finding, type ConstraintEntry, type DomainView, type Place } from './context';
import {
  comparisonToSet,
  compatibleSets,
  conditionToRegion,
  describeSet,
  isEmptySet,
  isSubset,
  setsOverlap,
  subtract,
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

function checkMustBe(view: DomainView): Finding[] {
  const byKey = new Map<string, ConstraintEntry[]>();
  for (const c of view.constraints) {
    const key = c.molecule.comparison.subject.key;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  if (byKey.size === 0) return [];
  const findings: Finding[] = [];

  for (const { uri, definition } of view.definitions) {
    const value = definition.value; // null for `one of` inputs
    if (!value) continue;
    for (const c of byKey.get(definition.key) ?? []) {
      const allowed = broken(view, value, c);
      if (!allowed) continue;
      const place = { uri, blockId: definition.blockId, span: definition.valueSpan };
      findings.push(violation(view, place, definition.name, value, c, allowed));
    }
  }

  for (const { uri, molecule, exceptions } of view.rules) {
    for (const result of molecule.results) {
      const constraints = byKey.get(result.target.key);
      const value = constraints && view.resolve(result.operand);
      if (!constraints || !value) continue;
      let applies: Region | undefined; // the rule's effective region, computed once it is needed
      for (const c of constraints) {
        const allowed = broken(view, value, c);
        if (!allowed) continue;
        applies ??= exceptions.reduce(
          (r, e) => subtract(r, conditionToRegion(e.condition, view.resolve, view.enumeration)),
          conditionToRegion(molecule.condition, view.resolve, view.enumeration),
        );
        if (isSubset(applies, exemptions(view, c))) continue;
        const place = { uri, blockId: molecule.blockId, span: result.operand.span };
        findings.push(violation(view, place, result.target.name, value, c, allowed));
      }
    }
  }
  return findings;
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
  return c.exceptions.reduce<Region>((r, e) => union(r, conditionToRegion(e.condition, view.resolve, view.enumeration)), NOTHING);
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

function checkEnumerations(view: DomainView): Finding[] {
  const findings: Finding[] = [];
  const check = (uri: string, blockId: string, subject: { name: string; key: string }, operand: Operand) => {
    const allowed = view.enumeration(subject.key);
    const value = allowed && view.resolve(operand);
    if (!allowed || !value || allowed.some((a) => sameMember(a, value))) return;
    findings.push(outsideList(view, { uri, blockId, span: operand.span }, subject, value, allowed));
  };
  const checkCondition = (uri: string, blockId: string, cond: Condition) => {
    for (const cmp of comparisons(cond)) {
      if (MEMBERSHIP.has(cmp.op)) for (const o of cmp.operands) check(uri, blockId, cmp.subject, o);
    }
  };

  for (const { uri, molecule } of view.rules) {
    checkCondition(uri, molecule.blockId, molecule.condition);
    for (const r of molecule.results) check(uri, molecule.blockId, r.target, r.operand);
  }
  for (const { uri, molecule } of view.exceptions) checkCondition(uri, molecule.blockId, molecule.condition);
  for (const { uri, molecule } of view.constraints) checkCondition(uri, molecule.blockId, molecule.comparison);
  return findings;
}

function* comparisons(cond: Condition): Generator<Comparison> {
  if (cond.kind === 'cmp') yield cond;
  else for (const item of cond.items) yield* comparisons(item);
}

/** A `one of` member: equal values, or the same text (a list mixing kinds compares as texts). */
function sameMember(member: Value, value: Value): boolean {
  return valuesEqual(member, value) || normalizeName(textForm(member)) === normalizeName(textForm(value));
}

function outsideList(view: DomainView, place: Place, subject: { name: string; key: string }, value: Value, allowed: readonly Value[]): Finding {
  const written = normalizeName(textForm(value));
  let best: Value | undefined;
  let bestDistance = Infinity;
  for (const a of allowed) {
    const d = distance(written, normalizeName(textForm(a)));
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  // Close: at most one edit in three characters (and at least one edit allowed).
  const suggestion = best && bestDistance <= Math.max(1, Math.floor(written.length / 3)) ? best.canonical : undefined;
  const list = allowed.map((a) => a.canonical).join(', ');
  const input = view.definitions.find((d) => d.definition.key === subject.key && d.definition.oneOf);
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
