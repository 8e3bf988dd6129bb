import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AtomRef, Condition, Operand, Span } from './model';
import { describeCondition, describeRule, parseDecisionTable, parseRule, type Cell } from './rules';

// ---------------------------------------------------------------------------
// Compact forms
// ---------------------------------------------------------------------------

const name = (r: AtomRef) => (r.bracketed ? `[[${r.name}]]` : r.name);

function operand(o: Operand): string {
  if (o.kind === 'ref') return `@${o.ref.name}`;
  const v = o.value;
  switch (v.kind) {
    case 'number':
      return `${v.value}${v.unit ? ` ${v.unit}` : ''}`;
    case 'text':
      return `'${v.value}'`;
    default:
      return `${v.kind}:${v.canonical}`;
  }
}

function cond(c: Condition): string {
  if (c.kind === 'cmp') return `(${name(c.subject)} ${c.op} ${c.operands.map(operand).join(' ')})`;
  return `(${c.kind} ${c.items.map(cond).join(' ')})`;
}

/** The parse as a compact string; errors show their message and the text their span covers. */
function compact(text: string, base = 0): string {
  const r = parseRule(text, base);
  if (!r) return 'null';
  const tag = 'enforcement' in r && r.enforcement ? ` {${r.enforcement}}` : '';
  const unless = 'exceptions' in r ? r.exceptions.map((e) => ` UNLESS ${cond(e.condition)}`).join('') : '';
  switch (r.type) {
    case 'ConditionMolecule':
      return `IF ${cond(r.condition)} THEN ${r.results.map((a) => `${name(a.target)} := ${operand(a.operand)}`).join('; ')}${unless}${tag}`;
    case 'ConstraintMolecule':
      return `MUST ${cond(r.comparison)}${unless}${tag}`;
    case 'RequiresMolecule':
      return `${name(r.subject)} REQUIRES ${r.required.map(name).join(', ')}${tag}`;
    case 'ExceptionMolecule':
      return `UNLESS ${cond(r.condition)}${tag}`;
    case 'error':
      return `error: ${r.message} @ ${JSON.stringify(text.slice(r.span.start - base, r.span.end - base))}`;
  }
}

/** Every `{ start, end }` object inside a parse result. */
function spansOf(x: unknown, out: Span[] = []): Span[] {
  if (typeof x !== 'object' || x === null) return out;
  const o = x as Record<string, unknown>;
  if (typeof o.start === 'number' && typeof o.end === 'number') out.push(o as unknown as Span);
  for (const v of Object.values(o)) spansOf(v, out);
  return out;
}

/** Every AtomRef inside a parse result. */
function refsOf(x: unknown, out: AtomRef[] = []): AtomRef[] {
  if (typeof x !== 'object' || x === null) return out;
  const o = x as Record<string, unknown>;
  if (typeof o.key === 'string' && typeof o.bracketed === 'boolean') out.push(o as unknown as AtomRef);
  for (const v of Object.values(o)) refsOf(v, out);
  return out;
}

// ---------------------------------------------------------------------------
// parseRule
// ---------------------------------------------------------------------------

describe('parseRule', () => {
  const cases: [string, string][] = [
    // the spec's examples
    [
      'IF [[Jurisdiction]] = Quebec AND [[Withdrawal Amount]] > $5,000 THEN [[Withholding Rate]] = 10%',
      "IF (and ([[Jurisdiction]] = 'Quebec') ([[Withdrawal Amount]] > 5000 $)) THEN [[Withholding Rate]] := 0.1 percent",
    ],
    ['WHEN Jurisdiction IS Quebec THEN Withholding Rate IS 10%', "IF (Jurisdiction = 'Quebec') THEN Withholding Rate := 0.1 percent"],
    ['[[Withholding Rate]] MUST BE <= 30%', 'MUST ([[Withholding Rate]] <= 0.3 percent)'],
    ['[[Effective Date]] MUST BE >= 2020-01-01', 'MUST ([[Effective Date]] >= date:2020-01-01)'],
    ['UNLESS [[Resident Status]] = non-resident', "UNLESS ([[Resident Status]] = 'non-resident')"],
    ['[[Lump-Sum Withdrawal]] REQUIRES [[SIN]], [[Form T4RSP]]', '[[Lump-Sum Withdrawal]] REQUIRES [[SIN]], [[Form T4RSP]]'],

    // every operator
    ['IF A = 1 THEN B = 2', 'IF (A = 1) THEN B := 2'],
    ['IF A IS 1 THEN B = 2', 'IF (A = 1) THEN B := 2'],
    ['IF A != 1 THEN B = 2', 'IF (A != 1) THEN B := 2'],
    ['IF A ≠ 1 THEN B = 2', 'IF (A != 1) THEN B := 2'],
    ['IF A IS NOT 1 THEN B = 2', 'IF (A != 1) THEN B := 2'],
    ['IF A < 1 THEN B = 2', 'IF (A < 1) THEN B := 2'],
    ['IF A <= 1 THEN B = 2', 'IF (A <= 1) THEN B := 2'],
    ['IF A ≤ 1 THEN B = 2', 'IF (A <= 1) THEN B := 2'],
    ['IF A > 1 THEN B = 2', 'IF (A > 1) THEN B := 2'],
    ['IF A >= 1 THEN B = 2', 'IF (A >= 1) THEN B := 2'],
    ['IF A ≥ 1 THEN B = 2', 'IF (A >= 1) THEN B := 2'],
    ['IF A>=1 THEN B=2', 'IF (A >= 1) THEN B := 2'],
    ["IF A IN (Quebec, Ontario, 'New Brunswick') THEN B = 2", "IF (A in 'Quebec' 'Ontario' 'New Brunswick') THEN B := 2"],
    ['IF A IN Quebec, Ontario THEN B = 2', "IF (A in 'Quebec' 'Ontario') THEN B := 2"],
    ['IF A IN ($5,000, $10,000) THEN B = 2', 'IF (A in 5000 $ 10000 $) THEN B := 2'],
    ['IF A IS IN (1, 2) THEN B = 2', 'IF (A in 1 2) THEN B := 2'],
    ['IF A NOT IN (1, 2) THEN B = 2', 'IF (A not in 1 2) THEN B := 2'],
    ['IF A IS NOT IN (1, 2) THEN B = 2', 'IF (A not in 1 2) THEN B := 2'],
    ['IF A BETWEEN 1 AND 5 THEN B = 2', 'IF (A between 1 5) THEN B := 2'],
    ['IF A IS BETWEEN 2026-01-01 AND 2026-12-31 THEN B = 2', 'IF (A between date:2026-01-01 date:2026-12-31) THEN B := 2'],

    // AND / OR precedence and parentheses
    ['IF A = 1 OR B = 2 AND C = 3 THEN D = 4', 'IF (or (A = 1) (and (B = 2) (C = 3))) THEN D := 4'],
    ['IF A = 1 AND B = 2 OR C = 3 THEN D = 4', 'IF (or (and (A = 1) (B = 2)) (C = 3)) THEN D := 4'],
    ['IF (A = 1 OR B = 2) AND C = 3 THEN D = 4', 'IF (and (or (A = 1) (B = 2)) (C = 3)) THEN D := 4'],
    ['IF (A = 1 AND B = 2) AND (C = 3 AND D = 4) THEN E = 5', 'IF (and (A = 1) (B = 2) (C = 3) (D = 4)) THEN E := 5'],
    ['IF ((A = 1)) THEN B = 2', 'IF (A = 1) THEN B := 2'],
    ['IF A = 1 OR (B = 2 OR C = 3) THEN D = 4', 'IF (or (A = 1) (B = 2) (C = 3)) THEN D := 4'],

    // bare vs bracketed names, references as values, multi-word and quoted values
    ['IF Withdrawal Amount > [[Lump-Sum Threshold]] THEN [[Rate]] = [[Quebec Tax Rate]]', 'IF (Withdrawal Amount > @Lump-Sum Threshold) THEN [[Rate]] := @Quebec Tax Rate'],
    ['IF Province = British Columbia THEN Status = non-resident', "IF (Province = 'British Columbia') THEN Status := 'non-resident'"],
    ['IF State = "OR" AND Note = "Black AND White" THEN X = "a, b"', "IF (and (State = 'OR') (Note = 'Black AND White')) THEN X := 'a, b'"],
    ['IF  Withdrawal   Amount  >  5  THEN  X  =  y ', 'IF (Withdrawal Amount > 5) THEN X := \'y\''],
    ['IF Is Resident = yes THEN Form = T4', "IF (Is Resident = boolean:yes) THEN Form := 'T4'"],
    ['IF Amount = 12.5 % THEN Fee = CAD 5,000', 'IF (Amount = 0.125 percent) THEN Fee := 5000 CAD'],
    ['IF State = "IN" THEN Country = US', "IF (State = 'IN') THEN Country := 'US'"],
    ['IF Start >= January 1, 2026 AND End IN (Jan 1, 2027, 1 Feb 2027) THEN X = 1', 'IF (and (Start >= date:2026-01-01) (End in date:2027-01-01 date:2027-02-01)) THEN X := 1'],

    // BETWEEN's AND inside a condition with another AND
    ['IF A BETWEEN 1 AND 5 AND B = 2 THEN C = 3', 'IF (and (A between 1 5) (B = 2)) THEN C := 3'],
    ['IF B = 2 AND A BETWEEN $1,000 AND $5,000 AND C = x THEN D = 3', "IF (and (B = 2) (A between 1000 $ 5000 $) (C = 'x')) THEN D := 3"],

    // several THEN targets
    ['IF A = 1 THEN B = 2 AND [[C]] IS 3 AND D = yes', 'IF (A = 1) THEN B := 2; [[C]] := 3; D := boolean:yes'],

    // trailing exceptions
    ['IF A = 1 THEN B = 2 UNLESS C = 3', 'IF (A = 1) THEN B := 2 UNLESS (C = 3)'],
    ['IF A = 1 THEN B = 2 AND D = 4 UNLESS C = 3 OR E = 5 EXCEPT WHEN F = 6', 'IF (A = 1) THEN B := 2; D := 4 UNLESS (or (C = 3) (E = 5)) UNLESS (F = 6)'],
    ['X MUST BE <= 30% UNLESS Y = 1 {block}', 'MUST (X <= 0.3 percent) UNLESS (Y = 1) {block}'],

    // enforcement tags
    ['IF A = 1 THEN B = 2 {block}', 'IF (A = 1) THEN B := 2 {block}'],
    ['IF A = 1 THEN B = 2 {warn}', 'IF (A = 1) THEN B := 2 {warn}'],
    ['IF A = 1 THEN B = 2 {inform}', 'IF (A = 1) THEN B := 2 {inform}'],
    ['IF A = 1 THEN B = 2 { BLOCK }', 'IF (A = 1) THEN B := 2 {block}'],
    ['IF A = 1 THEN B = 2 UNLESS C = 3 {Inform}', 'IF (A = 1) THEN B := 2 UNLESS (C = 3) {inform}'],
    ['X REQUIRES Y {block}', 'X REQUIRES Y {block}'],
    ['UNLESS A = 1 {warn}', 'UNLESS (A = 1) {warn}'],

    // constraints
    ['X MUST BE BETWEEN 1 AND 5', 'MUST (X between 1 5)'],
    ['X MUST BE IN (a, b)', "MUST (X in 'a' 'b')"],
    ['X MUST BE one of a, b, c', "MUST (X in 'a' 'b' 'c')"],
    ['X MUST BE One Of (a, b)', "MUST (X in 'a' 'b')"],
    ['X MUST NOT BE one of a, b', "MUST (X not in 'a' 'b')"],
    ['X MUST NOT BE IN (a, b)', "MUST (X not in 'a' 'b')"],
    ['X MUST NOT BE Quebec', "MUST (X != 'Quebec')"],
    ['X MUST BE Quebec', "MUST (X = 'Quebec')"],
    ['X MUST BE $5,000', 'MUST (X = 5000 $)'],
    ['X MUST NOT BE > 5', 'MUST (X <= 5)'],
    ['Withholding Rate MUST BE <= [[Max Rate]]', 'MUST (Withholding Rate <= @Max Rate)'],

    // REQUIRES
    ['[[A]] REQUIRES [[B]] AND [[C]]', '[[A]] REQUIRES [[B]], [[C]]'],
    ['Lump-Sum Withdrawal REQUIRES SIN, Form T4RSP, AND Proof of Address', 'Lump-Sum Withdrawal REQUIRES SIN, Form T4RSP, Proof of Address'],

    // standalone exceptions
    ['EXCEPT WHEN A = 1 AND B = 2', 'UNLESS (and (A = 1) (B = 2))'],

    // Markdown decoration
    ['**IF** [[A]] = 1 THEN B = 2', 'IF ([[A]] = 1) THEN B := 2'],
    ['_IF_ **Withdrawal Amount** > `$5,000` THEN *Rate* = **10%**', 'IF (Withdrawal Amount > 5000 $) THEN Rate := 0.1 percent'],
    ['IF Status = **non**-resident THEN X = ~~old~~ new', "IF (Status = 'non-resident') THEN X := 'old new'"],
    ['IF snake_case_name = a_b THEN X = 1', "IF (snake_case_name = 'a_b') THEN X := 1"],
    ['IF Rate \\* Factor = 1 THEN X = \\[draft\\]', "IF (Rate * Factor = 1) THEN X := '[draft]'"],
    ['IF A = 1\n  AND B = 2\n  THEN C = 3', 'IF (and (A = 1) (B = 2)) THEN C := 3'],

    // prose is not a rule
    ['if a = 1 then b = 2', 'null'],
    ['If the amount is over $5,000, the rate is 10%.', 'null'],
    ['The rate changes IF the amount is large.', 'null'],
    ['Applicants must be residents.', 'null'],
    ['MUST BE 5', 'null'],
    ['X MUST BE', 'null'],
    ['The form REQUIRES', 'null'],
    ['EXCEPT for Quebec', 'null'],
    ['', 'null'],
    ['IFFY = 1 THEN B = 2', 'null'],

    // errors: message and the text the span covers
    ['IF A = 1', 'error: expected THEN after the condition @ ""'],
    ['IF A = 1 B = 2', `error: expected THEN after the condition @ "="`],
    ['IF A > THEN B = 1', `error: expected a value after '>' @ "THEN"`],
    ['IF A > 1 THEN B =', `error: expected a value after '=' @ ""`],
    ['IF A IS NOT THEN B = 1', `error: expected a value after 'IS NOT' @ "THEN"`],
    ['IF State = IN THEN B = 1', `error: expected a value after '=' (put the value in double quotes if it is the word IN) @ "IN"`],
    ['IF State = OR THEN B = 1', `error: expected a value after '=' (put the value in double quotes if it is the word OR) @ "OR"`],
    ['IF (A = 1 THEN B = 2', `error: unbalanced parenthesis: '(' is never closed @ "("`],
    ['IF A = 1) THEN B = 2', `error: unbalanced parenthesis: ')' has no matching '(' @ ")"`],
    ['IF A IN (1, 2 THEN B = 2', `error: unbalanced parenthesis: '(' is never closed @ "("`],
    ['IF A = 1 THEN B = 2)', `error: unbalanced parenthesis: ')' has no matching '(' @ ")"`],
    ['IF A = 1 THEN B = 2 {foo}', `error: unknown enforcement tag '{foo}'; use {block}, {warn} or {inform} @ "{foo}"`],
    ['IF A = 1 THEN B = 2 {block} more', 'error: unexpected text after the enforcement tag @ "more"'],
    ['IF A = 1 {block} THEN B = 2', 'error: expected THEN after the condition @ "{block}"'],
    ['IF THEN B = 2', `error: expected a comparison, found 'THEN' @ "THEN"`],
    ['IF', 'error: expected a condition after IF @ ""'],
    ['IF A THEN B = 2', `error: expected an operator (=, IS, !=, <, <=, >, >=, IN, BETWEEN) after 'A' @ "THEN"`],
    ['IF A = 1 THEN B > 2', `error: expected '=' or IS after 'B' @ ">"`],
    ['IF A = 1 THEN B = 2 AND', 'error: expected a name after AND @ ""'],
    ['IF A = 1 THEN B = 2 OR C = 3', `error: unexpected 'OR'; expected AND, UNLESS, EXCEPT WHEN, an enforcement tag or the end of the rule @ "OR"`],
    ['IF A = 1 THEN B = 2 ELSE B = 3', 'error: ELSE is not supported: write a separate rule for the other case @ "ELSE"'],
    ['IF A BETWEEN 1 THEN B = 2', 'error: expected AND between the two bounds of BETWEEN @ "THEN"'],
    ['IF A NOT 1 THEN B = 2', 'error: expected IN after NOT @ "1"'],
    ['IF A IS NOT BETWEEN 1 AND 2 THEN B = 2', 'error: NOT BETWEEN is not supported; write two comparisons joined by OR @ "BETWEEN"'],
    ['IF A IN () THEN B = 2', `error: expected a value after 'IN (' @ ")"`],
    ['IF A IN (1,, 2) THEN B = 2', `error: expected a value after ',' @ ","`],
    ['IF A = Quebec, Ontario THEN B = 1', `error: unexpected ','; write IN (a, b) for a list of values, or put a value that contains commas in double quotes @ ","`],
    ['IF A = Form (T4) THEN B = 1', `error: unexpected '(' in a value; put a value that contains parentheses in double quotes @ "("`],
    ['IF A = [[B]] extra THEN C = 1', 'error: a [[reference]] must stand alone as a value @ "[[B]]"'],
    ['IF [[A = 1 THEN B = 2', 'error: unterminated [[ reference: expected ]] @ "[["'],
    ['IF [[ ]] = 1 THEN B = 2', 'error: empty [[ ]] reference @ "[[ ]]"'],
    ['IF A = "open THEN B = 2', 'error: unterminated quoted value: expected a closing quote @ "\\""'],
    ['IF A = 1 THEN B = 2 {block', `error: unterminated '{': expected '}' @ "{"`],
    ['UNLESS', 'error: expected a condition after UNLESS @ ""'],
    ['EXCEPT WHEN', 'error: expected a condition after EXCEPT WHEN @ ""'],
    ['X MUST BE BETWEEN 1', 'error: expected AND between the two bounds of BETWEEN @ ""'],
    ['X MUST NOT BE BETWEEN 1 AND 2', 'error: MUST NOT BE BETWEEN is not supported; write MUST BE < low and a second constraint MUST BE > high @ ""'],
    ['X MUST BE 5 THEN', `error: unexpected 'THEN'; expected UNLESS, EXCEPT WHEN, an enforcement tag or the end of the rule @ "THEN"`],
    ['A = 1 MUST BE 5', `error: expected MUST BE after 'A' @ "="`],
    ['A MUST X MUST BE 5', 'error: expected BE after MUST @ "X"'],
    ['[[A]] REQUIRES [[B]] [[C]]', `error: unexpected '[[C]]'; expected ',', AND, an enforcement tag or the end of the rule @ "[[C]]"`],
    ['[[A]] REQUIRES [[B]], , [[C]]', `error: expected a name after ',' @ ","`],
  ];

  it.each(cases)('%j', (text, expected) => {
    expect(compact(text)).toBe(expected);
  });

  it('adds base to every offset and slices back to the names', () => {
    const text = 'IF [[Jurisdiction]] = Quebec AND Withdrawal Amount > $5,000 THEN [[Withholding Rate]] = 10% UNLESS Resident Status = non-resident';
    const base = 1000;
    const r = parseRule(text, base);
    expect(r?.type).toBe('ConditionMolecule');
    const slice = (s: Span) => text.slice(s.start - base, s.end - base);
    const refs = refsOf(r);
    expect(refs.map((x) => [x.name, slice(x.span), x.bracketed, x.key])).toEqual([
      ['Jurisdiction', 'Jurisdiction', true, 'jurisdiction'],
      ['Withdrawal Amount', 'Withdrawal Amount', false, 'withdrawal amount'],
      ['Withholding Rate', 'Withholding Rate', true, 'withholding rate'],
      ['Resident Status', 'Resident Status', false, 'resident status'],
    ]);
    if (r?.type !== 'ConditionMolecule') return;
    expect(slice(r.span)).toBe(text);
    expect(r.condition.kind).toBe('and');
    if (r.condition.kind !== 'and') return;
    expect(r.condition.items.map((c) => slice(c.span))).toEqual(['[[Jurisdiction]] = Quebec', 'Withdrawal Amount > $5,000']);
    expect(slice(r.condition.span)).toBe('[[Jurisdiction]] = Quebec AND Withdrawal Amount > $5,000');
    const [first, second] = r.condition.items;
    if (first.kind !== 'cmp' || second.kind !== 'cmp') return;
    expect(slice(first.operands[0].span)).toBe('Quebec');
    expect(slice(second.operands[0].span)).toBe('$5,000');
    expect(slice(r.results[0].span)).toBe('[[Withholding Rate]] = 10%');
    expect(slice(r.results[0].operand.span)).toBe('10%');
    expect(r.exceptions.map((e) => slice(e.span))).toEqual(['UNLESS Resident Status = non-resident']);
  });

  it('keeps spans exact around decoration and reference operands', () => {
    const text = '  **IF** **Withdrawal Amount** > [[ Lump-Sum Threshold ]] THEN _Rate_ = `10%` {block}  ';
    const r = parseRule(text, 7);
    if (r?.type !== 'ConditionMolecule') throw new Error(JSON.stringify(r));
    const slice = (s: Span) => text.slice(s.start - 7, s.end - 7);
    expect(slice(r.span)).toBe(text.trim());
    expect(refsOf(r).map((x) => slice(x.span))).toEqual(['Withdrawal Amount', 'Lump-Sum Threshold', 'Rate']);
    const cmp = r.condition;
    if (cmp.kind !== 'cmp') throw new Error('expected a comparison');
    expect(slice(cmp.operands[0].span)).toBe('[[ Lump-Sum Threshold ]]');
    expect(slice(r.results[0].operand.span)).toBe('10%');
    expect(r.enforcement).toBe('block');
  });

  it('keeps hostile names verbatim', () => {
    const hostile = [
      "'); DROP TABLE x; --",
      'Name "with" quotes',
      'back\\slash [x] \\[y\\] z',
      'MATCH (n) DETACH DELETE n',
      '税率 😀 Rate',
      `${'Long name '.repeat(410)}end`, // > 4 KB
    ];
    for (const h of hostile) {
      const rules = [
        `IF [[${h}]] = 1 THEN [[${h}]] = [[${h}]]`,
        `[[${h}]] MUST BE <= 30%`,
        `[[${h}]] REQUIRES [[${h}]]`,
      ];
      for (const text of rules) {
        const r = parseRule(text, 3);
        expect(r?.type, text.slice(0, 60)).not.toBe('error');
        const refs = refsOf(r);
        expect(refs.length).toBeGreaterThan(0);
        for (const ref of refs) {
          expect(ref.name).toBe(h);
          expect(text.slice(ref.span.start - 3, ref.span.end - 3)).toBe(h);
        }
      }
    }
    expect(parseRule('IF 😀 Rate = 1 THEN B = 2', 0)).toMatchObject({ condition: { subject: { name: '😀 Rate', span: { start: 3, end: 10 } } } });
    const error = parseRule(`IF [[${'x'.repeat(4096)}]] THEN B = 1`, 0);
    expect(error).toMatchObject({ type: 'error' });
    expect(error?.type === 'error' && error.message.length).toBeLessThan(200);
  });

  it('returns quickly on 1 MB lines of junk without throwing', () => {
    const junk = [
      'x'.repeat(1_000_000),
      'IF ' + 'a = ( AND [[ " { OR ) , '.repeat(40_000),
      'IF ' + '('.repeat(1_000_000),
      'IF ' + '[['.repeat(500_000),
      'IF A = ' + '"'.repeat(1_000_000),
      'IF A = ' + '{'.repeat(1_000_000),
      'IF ' + 'A = 1 AND '.repeat(100_000) + 'THEN B = 2',
      'X MUST BE ' + '*_'.repeat(500_000),
      'A REQUIRES ' + 'B, '.repeat(300_000),
    ];
    for (const text of junk) {
      const r = parseRule(text, 0);
      expect(r === null || typeof r.type === 'string').toBe(true);
      for (const s of spansOf(r)) expect(s.end).toBeLessThanOrEqual(text.length);
    }
    expect(compact('IF ' + '('.repeat(1_000))).toBe('error: parentheses nested too deeply @ "("');
  });

  it('never throws, and every span lies within the text (property)', () => {
    const piece = fc.constantFrom(
      'IF ', 'WHEN ', 'THEN ', 'AND ', 'OR ', 'UNLESS ', 'EXCEPT WHEN ', 'MUST BE ', 'MUST NOT BE ', 'REQUIRES ', 'IS ', 'NOT ', 'IN ', 'BETWEEN ',
      'one of ', '(', ')', '[[', ']]', '[[A]]', '"', '“', '{block}', '{x}', '{', '}', '=', '!=', '<=', '>', '≥', ',', 'A ', 'B ', 'x', '$5,000', '10%',
      '**', '*', '_', '`', '~~', '\\', '\\*', '\n', ' ', '😀', 'ELSE ', '..',
    );
    const texts = fc.oneof(fc.string({ unit: 'binary' }), fc.array(piece, { maxLength: 30 }).map((a) => a.join('')));
    fc.assert(
      fc.property(texts, fc.nat(1_000_000), (text, base) => {
        const r = parseRule(text, base);
        if (r) describeRule(r);
        for (const s of spansOf(r)) {
          expect(s.start).toBeGreaterThanOrEqual(base);
          expect(s.end).toBeLessThanOrEqual(base + text.length);
          expect(s.start).toBeLessThanOrEqual(s.end);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------
// describeRule / describeCondition
// ---------------------------------------------------------------------------

describe('describeRule', () => {
  const cases: [string, string][] = [
    [
      'IF [[Jurisdiction]] = Quebec AND [[Withdrawal Amount]] > $5,000 THEN [[Withholding Rate]] = 10%',
      'IF Jurisdiction = Quebec AND Withdrawal Amount > $5,000 THEN Withholding Rate = 10%',
    ],
    ['WHEN  jurisdiction IS quebec THEN Rate IS 12.50 % {block}', 'IF jurisdiction = quebec THEN Rate = 12.5% {block}'],
    ['IF (A = 1 OR B = 2) AND C IN (x, "y z") THEN D = [[E]] UNLESS F BETWEEN 1,000 AND 2000', 'IF (A = 1 OR B = 2) AND C IN (x, y z) THEN D = [[E]] UNLESS F BETWEEN 1,000 AND 2000'],
    ['IF A = 1 OR B = 2 AND C = 3 THEN D = 4', 'IF A = 1 OR B = 2 AND C = 3 THEN D = 4'],
    ['IF A = "10%" AND B = "OR" AND C = "a, b" AND D = "" THEN E = January 1, 2026', 'IF A = "10%" AND B = "OR" AND C = "a, b" AND D = "" THEN E = 2026-01-01'],
    ['IF A = “say "hi"” THEN B = 1', 'IF A = “say "hi"” THEN B = 1'],
    ['X MUST BE <= 30%', 'X MUST BE <= 30%'],
    ['X MUST NOT BE > 5', 'X MUST BE <= 5'],
    ['X MUST BE yes', 'X MUST BE yes'],
    ['X MUST NOT BE Quebec', 'X MUST NOT BE Quebec'],
    ['X MUST BE one of a, b', 'X MUST BE IN (a, b)'],
    ['X MUST NOT BE IN (a, b) {warn}', 'X MUST NOT BE IN (a, b) {warn}'],
    ['X MUST BE BETWEEN $1 AND $2', 'X MUST BE BETWEEN $1 AND $2'],
    ['[[A]] REQUIRES [[B]] AND C {inform}', 'A REQUIRES B, C {inform}'],
    ['EXCEPT WHEN A != 1', 'UNLESS A != 1'],
    ['IF A', 'parse error: expected an operator (=, IS, !=, <, <=, >, >=, IN, BETWEEN) after \'A\''],
  ];
  it.each(cases)('%j', (text, expected) => {
    const r = parseRule(text, 0);
    expect(r && describeRule(r)).toBe(expected);
  });

  it('reads back to the same rule', () => {
    for (const [text] of cases.slice(0, -1)) {
      const r = parseRule(text, 0)!;
      const again = parseRule(describeRule(r), 0)!;
      expect(describeRule(again)).toBe(describeRule(r));
    }
  });

  it('describes empty groups', () => {
    expect(describeCondition({ kind: 'and', items: [], span: { start: 0, end: 0 } })).toBe('always');
    expect(describeCondition({ kind: 'or', items: [], span: { start: 0, end: 0 } })).toBe('never');
  });
});

// ---------------------------------------------------------------------------
// Decision tables
// ---------------------------------------------------------------------------

/** A Markdown table's header and body rows as cells with absolute spans (delimiter row skipped). */
function table(source: string): { header: Cell[]; rows: Cell[][] } {
  const lines: Cell[][] = [];
  let offset = 0;
  for (const line of source.split('\n')) {
    const cells: Cell[] = [];
    const bars = [...line.matchAll(/(?<!\\)\|/g)].map((m) => m.index);
    for (let i = 0; i + 1 < bars.length; i++) {
      const raw = line.slice(bars[i] + 1, bars[i + 1]);
      const start = offset + bars[i] + 1 + (raw.length - raw.trimStart().length);
      cells.push({ text: raw.trim(), span: { start, end: start + raw.trim().length } });
    }
    lines.push(cells);
    offset += line.length + 1;
  }
  const [header, , ...rows] = lines;
  return { header, rows };
}

function compactTable(source: string): string[] {
  const { header, rows } = table(source);
  const t = parseDecisionTable(header, rows);
  if (!t.isDecisionTable) return ['not a decision table'];
  const slice = (s: Span) => source.slice(s.start, s.end);
  return [
    `in: ${t.inputs.map((r) => `${name(r)}@${slice(r.span)}`).join(', ')}; out: ${t.outputs.map((r) => `${name(r)}@${slice(r.span)}`).join(', ')}`,
    ...t.rows.map(
      (r) =>
        `${r.row}: ${cond(r.condition)} => ${r.results.map((a) => `${name(a.target)} := ${operand(a.operand)}`).join('; ')}${r.enforcement ? ` {${r.enforcement}}` : ''}`,
    ),
    ...t.problems.map((p) => `problem: ${p.message} @ ${JSON.stringify(slice(p.span))}`),
  ];
}

describe('parseDecisionTable', () => {
  it('reads the spec example', () => {
    const source = [
      '| IF Jurisdiction | IF Withdrawal Amount | THEN Withholding Rate |',
      '| --- | --- | --- |',
      '| Quebec | <= $5,000 | 5% |',
      '| Quebec | > $5,000 | 10% |',
      '| Ontario, Alberta | - | 10% |',
    ].join('\n');
    expect(compactTable(source)).toEqual([
      'in: Jurisdiction@Jurisdiction, Withdrawal Amount@Withdrawal Amount; out: Withholding Rate@Withholding Rate',
      "0: (and (Jurisdiction = 'Quebec') (Withdrawal Amount <= 5000 $)) => Withholding Rate := 0.05 percent",
      "1: (and (Jurisdiction = 'Quebec') (Withdrawal Amount > 5000 $)) => Withholding Rate := 0.1 percent",
      "2: (Jurisdiction in 'Ontario' 'Alberta') => Withholding Rate := 0.1 percent",
    ]);
    const { header, rows } = table(source);
    const t = parseDecisionTable(header, rows);
    if (!t.isDecisionTable) throw new Error('not a decision table');
    const row = t.rows[1];
    expect(source.slice(row.span.start, row.span.end)).toBe('Quebec | > $5,000 | 10%');
    if (row.condition.kind !== 'and') throw new Error('expected an and');
    const [, amount] = row.condition.items;
    expect(source.slice(amount.span.start, amount.span.end)).toBe('> $5,000');
    if (amount.kind !== 'cmp') throw new Error('expected a comparison');
    expect(source.slice(amount.subject.span.start, amount.subject.span.end)).toBe('Withdrawal Amount');
    expect(source.slice(amount.operands[0].span.start, amount.operands[0].span.end)).toBe('$5,000');
    expect(source.slice(row.results[0].span.start, row.results[0].span.end)).toBe('10%');
  });

  it('reads every cell form', () => {
    const source = [
      '| **IF** [[Province]] | WHEN Amount | IF Date | THEN [[Rate]] | THEN Note |',
      '|---|---|---|---|---|',
      '| Quebec | 5,000..10,000 | >= 2026-01-01 | 5% | plain text, with comma |',
      '| != Quebec | BETWEEN $1 AND $2 | - | = 6% | - |',
      '| NOT IN (Quebec, Ontario) | — | * | [[Max Rate]] | |',
      '| IN (A, B) | < 10 |  | 7% | x {block} |',
      '| "Black, White" | $5,000, $10,000 | 2026-01-01 .. 2026-12-31 | 8% | {inform} |',
      '| - | - | - | IS 9% | -  |',
    ].join('\n');
    expect(compactTable(source)).toEqual([
      'in: [[Province]]@Province, Amount@Amount, Date@Date; out: [[Rate]]@Rate, Note@Note',
      "0: (and ([[Province]] = 'Quebec') (Amount between 5000 10000) (Date >= date:2026-01-01)) => [[Rate]] := 0.05 percent; Note := 'plain text, with comma'",
      "1: (and ([[Province]] != 'Quebec') (Amount between 1 $ 2 $)) => [[Rate]] := 0.06 percent",
      "2: ([[Province]] not in 'Quebec' 'Ontario') => [[Rate]] := @Max Rate",
      "3: (and ([[Province]] in 'A' 'B') (Amount < 10)) => [[Rate]] := 0.07 percent; Note := 'x' {block}",
      "4: (and ([[Province]] = 'Black, White') (Amount in 5000 $ 10000 $) (Date between date:2026-01-01 date:2026-12-31)) => [[Rate]] := 0.08 percent {inform}",
      '5: (and ) => [[Rate]] := 0.09 percent',
    ]);
  });

  it('reports bad cells and leaves their rows out', () => {
    const source = [
      '| IF A | IF B | THEN C |',
      '|---|---|---|',
      '| 1 | > | 5% |',
      '| 1 | 2 | > 5 |',
      '| = | 2 | 5% |',
      '| 1 | 2 | 5% {nope} |',
      '| {block} 1 | 2 | 5% |',
      '| 1 | ..5 | 5% |',
      '| 1, , 2 | 2 | 5% |',
      '| 1 | 2 | 5% | extra |',
      '| [[X | 2 | 5% |',
      '| 1 | 2 | 3% |',
    ].join('\n');
    expect(compactTable(source)).toEqual([
      'in: A@A, B@B; out: C@C',
      '9: (and (A = 1) (B = 2)) => C := 0.03 percent',
      `problem: 'B': expected a value after '>' @ ""`,
      `problem: 'C': an output cell holds a value, not a comparison: '>' is not allowed here @ ">"`,
      `problem: 'A': expected a value after '=' @ ""`,
      `problem: 'C': unknown enforcement tag '{nope}'; use {block}, {warn} or {inform} @ "{nope}"`,
      `problem: 'A': an enforcement tag belongs at the end of the row's last cell @ "{block}"`,
      `problem: 'B': expected a range written low..high, with one value on each side of '..' @ ".."`,
      `problem: 'A': empty item in the list of values @ ","`,
      `problem: this cell is outside the columns of the table @ "extra"`,
      `problem: 'A': unterminated [[ reference: expected ]] @ "[["`,
    ]);
  });

  it('reports a header without a name and keeps no rows', () => {
    const source = ['| IF | IF B | THEN C |', '|---|---|---|', '| 1 | 2 | 3 |'].join('\n');
    expect(compactTable(source)).toEqual(['in: B@B; out: C@C', 'problem: expected a name after IF @ ""']);
  });

  it('recognises only tables with IF/WHEN and THEN headers', () => {
    const only = (header: string) => compactTable(`${header}\n|---|---|\n| 1 | 2 |`);
    expect(only('| Province | Rate |')).toEqual(['not a decision table']);
    expect(only('| IF A | IF B |')).toEqual(['not a decision table']);
    expect(only('| THEN A | THEN B |')).toEqual(['not a decision table']);
    expect(only('| IF A | Rate |')).toEqual(['not a decision table']);
    expect(only('| if a | then b |')).toEqual(['not a decision table']);
    expect(only('| IF A | THEN B |')).toEqual(['in: A@A; out: B@B', '0: (A = 1) => B := 2']);
  });

  it('handles a wide table quickly', () => {
    const header: Cell[] = Array.from({ length: 2000 }, (_, i) => ({ text: i % 2 ? `THEN Out ${i}` : `IF In ${i}`, span: { start: i * 20, end: i * 20 + 12 } }));
    const row: Cell[] = header.map((_, i) => ({ text: String(i), span: { start: 100_000 + i * 10, end: 100_000 + i * 10 + String(i).length } }));
    const t = parseDecisionTable(header, [row]);
    expect(t.isDecisionTable && t.rows[0].results).toHaveLength(1000);
  });
});

describe('describeRule of table rows', () => {
  it('gives the normalised form of a row', () => {
    const source = ['| IF Jurisdiction | IF Amount | THEN Rate |', '|---|---|---|', '| Quebec | > $5,000 | 10% {block} |', '| - | - | 1% |'].join('\n');
    const { header, rows } = table(source);
    const t = parseDecisionTable(header, rows);
    if (!t.isDecisionTable) throw new Error('not a decision table');
    const forms = t.rows.map((r) => describeRule({ type: 'ConditionMolecule', condition: r.condition, results: r.results, exceptions: [], enforcement: r.enforcement, span: r.span }));
    expect(forms).toEqual(['IF Jurisdiction = Quebec AND Amount > $5,000 THEN Rate = 10% {block}', 'IF always THEN Rate = 1%']);
  });
});
