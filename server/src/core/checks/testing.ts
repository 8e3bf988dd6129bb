/**
 * Test-only builders for the checks: Values, Conditions, rules, constraints,
 * tables and a DomainView, without the Markdown parser.
 *
 * Places are written `uri:line` (`'tax/rrsp.md:14'`). Every molecule gets a
 * block of its own and the fake view maps a span to the line `span.start`,
 * so `view.describe(place)` gives back `uri:line` and findings render as
 * `uri:line` too.
 */
import type {
  AtomDefinition,
  AtomRef,
  Comparison,
  ComparisonOp,
  Condition,
  ConditionMolecule,
  Enforcement,
  ExceptionMolecule,
  Finding,
  Operand,
  Span,
  Value,
} from '../model';
import { normalizeName } from '../model';
import type { ConstraintEntry, DefinitionEntry, DomainView, RuleEntry, TableEntry } from './context';
import { FIXED_ANSWERS, noMemo } from './context';

// ---------------------------------------------------------------------------
// Values: a tiny reader for the forms tests use (not the product's parser).
// ---------------------------------------------------------------------------

const CURRENCY = /^(\$|CAD |EUR )?(-?[\d,]+(?:\.\d+)?)$/;

/** `10%`, `$5,000` (USD), `CAD 5,000`, `EUR 5`, `42`, `2026-01-01`, `yes`/`no`, else text. */
export function val(raw: string): Value {
  const t = raw.trim();
  const pct = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) return { kind: 'number', value: Number(pct[1]) / 100, unit: 'percent', raw: t, canonical: `${pct[1]}%` };
  const money = CURRENCY.exec(t);
  if (money) {
    const value = Number(money[2].replace(/,/g, ''));
    const unit = money[1] === '$' ? 'USD' : money[1]?.trim();
    return { kind: 'number', value, ...(unit ? { unit } : {}), raw: t, canonical: t };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return { kind: 'date', value: Date.parse(`${t}T00:00:00Z`), raw: t, canonical: t };
  if (/^(yes|no)$/i.test(t)) return { kind: 'boolean', value: /^yes$/i.test(t), raw: t, canonical: t.toLowerCase() };
  return { kind: 'text', value: t, raw: t, canonical: t };
}

export function atom(name: string, span: Span = { start: 0, end: 1 }): AtomRef {
  return { name, key: normalizeName(name), span, bracketed: true };
}

const SPAN: Span = { start: 0, end: 1 };

/** An operand that refers to another atom: `[[Quebec Tax Rate]]`. */
export function refTo(name: string): Operand {
  return { kind: 'ref', ref: atom(name), span: SPAN };
}

function operand(x: string | Operand): Operand {
  return typeof x === 'string' ? { kind: 'value', value: val(x), span: SPAN } : x;
}

/** `is('Withdrawal Amount', '>', '$5,000')`, `is('Jurisdiction', 'in', 'Quebec', 'Ontario')`. */
export function is(subject: string, op: ComparisonOp, ...operands: (string | Operand)[]): Comparison {
  return { kind: 'cmp', subject: atom(subject), op, operands: operands.map(operand), span: SPAN };
}

export function and(...items: Condition[]): Condition {
  return { kind: 'and', items, span: SPAN };
}

export function or(...items: Condition[]): Condition {
  return { kind: 'or', items, span: SPAN };
}

// ---------------------------------------------------------------------------
// Molecules and entries
// ---------------------------------------------------------------------------

/** `'tax/rrsp.md:14'` → uri, a block of its own, and a span at line 14. */
function at(place: string): { uri: string; blockId: string; span: Span } {
  const i = place.lastIndexOf(':');
  const line = Number(place.slice(i + 1));
  return { uri: place.slice(0, i), blockId: `block:${place}`, span: { start: line, end: line + 1 } };
}

export function exception(place: string, condition: Condition, parentId: string | null): { uri: string; molecule: ExceptionMolecule } {
  const p = at(place);
  return {
    uri: p.uri,
    molecule: {
      type: 'ExceptionMolecule',
      id: `${p.blockId}#unless`,
      blockId: p.blockId,
      span: p.span,
      enforcement: 'warn',
      explicitEnforcement: false,
      normalized: 'UNLESS …',
      condition: inPlace(condition, p.span),
      parentId,
    },
  };
}

export interface RuleSpec {
  when: Condition;
  /** Target name → written value (or an operand such as `refTo(...)`). */
  then: Record<string, string | Operand>;
  /** Conditions of nested UNLESS items (placed on the following lines). */
  unless?: Condition[];
  enforcement?: Enforcement;
  table?: { blockId: string; row: number };
}

export function rule(place: string, spec: RuleSpec): RuleEntry {
  const p = at(place);
  const id = spec.table ? `${spec.table.blockId}#row${spec.table.row}` : p.blockId;
  const line = p.span.start;
  const exceptions = (spec.unless ?? []).map((c, i) => exception(`${p.uri}:${line + i + 1}`, c, id).molecule);
  const molecule: ConditionMolecule = {
    type: 'ConditionMolecule',
    id,
    blockId: spec.table?.blockId ?? p.blockId,
    span: p.span,
    enforcement: spec.enforcement ?? 'warn',
    explicitEnforcement: spec.enforcement !== undefined,
    normalized: 'IF … THEN …',
    condition: inPlace(spec.when, p.span),
    results: Object.entries(spec.then).map(([target, v]) => ({
      target: atom(target, p.span),
      operand: { ...operand(v), span: p.span },
      span: p.span,
    })),
    exceptionIds: exceptions.map((e) => e.id),
    ...(spec.table ? { table: spec.table } : {}),
  };
  return { uri: p.uri, molecule, exceptions };
}

export function constraint(place: string, comparison: Comparison, options: { unless?: Condition[]; enforcement?: Enforcement } = {}): ConstraintEntry {
  const p = at(place);
  const exceptions = (options.unless ?? []).map((c, i) => exception(`${p.uri}:${p.span.start + i + 1}`, c, p.blockId).molecule);
  return {
    uri: p.uri,
    molecule: {
      type: 'ConstraintMolecule',
      id: p.blockId,
      blockId: p.blockId,
      span: p.span,
      enforcement: options.enforcement ?? 'warn',
      explicitEnforcement: options.enforcement !== undefined,
      normalized: 'MUST BE …',
      comparison: inPlace(comparison, p.span) as Comparison,
    },
    exceptions,
  };
}

/** `- **Name**: value`, or an input `- **Name**: one of a, b, c` when `value` is an array. */
export function define(place: string, name: string, value: string | string[]): DefinitionEntry {
  const p = at(place);
  const definition: AtomDefinition = {
    name,
    key: normalizeName(name),
    value: Array.isArray(value) ? null : val(value),
    ...(Array.isArray(value) ? { oneOf: value.map(val) } : {}),
    blockId: p.blockId,
    nameSpan: p.span,
    valueSpan: p.span,
    span: p.span,
  };
  return { uri: p.uri, definition };
}

/** A table cell: `null` for `-`, a written value (equality), several values (a list), or a comparison. */
export type Cell = null | string | string[] | { op: ComparisonOp; values: string[] };

export function cell(op: ComparisonOp, ...values: string[]): Cell {
  return { op, values };
}

/**
 * A decision table at `place` (header on that line, rows on the following
 * lines); each row lists the input cells then the output values.
 */
export function table(place: string, inputs: string[], outputs: string[], rows: Cell[][], enforcement?: Enforcement): TableEntry {
  const p = at(place);
  const line = p.span.start;
  const entries = rows.map((cells, row) => {
    const items = inputs.flatMap((name, i) => {
      const c = cells[i];
      if (c === null || c === undefined) return [];
      if (typeof c === 'string') return [is(name, '=', c)];
      if (Array.isArray(c)) return [is(name, 'in', ...c)];
      return [is(name, c.op, ...c.values)];
    });
    const then = Object.fromEntries(outputs.map((name, i) => [name, cells[inputs.length + i] as string]));
    return rule(`${p.uri}:${line + row + 1}`, { when: and(...items), then, enforcement, table: { blockId: p.blockId, row } });
  });
  return { uri: p.uri, blockId: p.blockId, inputs: inputs.map((n) => atom(n)), outputs: outputs.map((n) => atom(n)), rows: entries };
}

/** Gives every span in a condition the molecule's line (findings then point at that line). */
function inPlace(cond: Condition, span: Span): Condition {
  if (cond.kind === 'cmp') {
    return { ...cond, span, subject: { ...cond.subject, span }, operands: cond.operands.map((o) => ({ ...o, span })) };
  }
  return { ...cond, span, items: cond.items.map((c) => inPlace(c, span)) };
}

// ---------------------------------------------------------------------------
// The view
// ---------------------------------------------------------------------------

export interface ViewSpec {
  rules?: RuleEntry[];
  constraints?: ConstraintEntry[];
  definitions?: DefinitionEntry[];
  tables?: TableEntry[];
  /** Exceptions that belong to no rule (orphans); rules' and constraints' own exceptions are added automatically. */
  orphans?: { uri: string; molecule: ExceptionMolecule }[];
}

export function domainView(spec: ViewSpec): DomainView {
  const tables = spec.tables ?? [];
  const rules = [...(spec.rules ?? []), ...tables.flatMap((t) => t.rows)];
  const constraints = spec.constraints ?? [];
  const definitions = spec.definitions ?? [];
  const byKey = new Map(definitions.map((d) => [d.definition.key, d.definition]));
  return {
    tenant: 'test',
    domain: 'tax',
    rules,
    constraints,
    exceptions: [
      ...rules.flatMap((r) => r.exceptions.map((molecule) => ({ uri: r.uri, molecule }))),
      ...constraints.flatMap((c) => c.exceptions.map((molecule) => ({ uri: c.uri, molecule }))),
      ...(spec.orphans ?? []),
    ],
    requires: [],
    definitions,
    references: [],
    tables,
    answers: FIXED_ANSWERS,
    memo: noMemo,
    resolve(o) {
      if (o.kind === 'ref') return byKey.get(o.ref.key)?.value ?? undefined;
      if (o.value.kind === 'text') return byKey.get(normalizeName(o.value.value))?.value ?? o.value;
      return o.value;
    },
    enumeration: (key) => byKey.get(key)?.oneOf,
    range: (place) => ({ start: { line: place.span.start, character: 0 }, end: { line: place.span.start, character: 1 } }),
    describe: (place) => `${place.uri}:${place.span.start}`,
  };
}

/** One line per finding: `warning rule-conflict tax/rrsp.md:14: message [→ related places]`. */
export function render(findings: Finding[]): string[] {
  return findings.map((f) => {
    const related = f.related.map((r) => `${r.location.uri}:${r.location.range.start.line}`);
    return `${f.severity} ${f.code} ${f.uri}:${f.range.start.line}: ${f.message}${related.length ? ` [→ ${related.join(', ')}]` : ''}`;
  });
}
