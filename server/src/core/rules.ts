/**
 * The rule grammar (knowledge-markdown §3): a hand-written tokenizer and a
 * recursive-descent parser for condition rules, constraints, REQUIRES,
 * standalone exceptions and decision tables. Pure functions, no I/O.
 *
 * Grammar (keywords are UPPER-CASE words; `[[…]]` is a reference):
 *
 *   rule        := (IF | WHEN) or THEN assign (AND assign)* trailer
 *                | (UNLESS | EXCEPT WHEN) or tag? END
 *                | subject MUST [NOT] BE rhs trailer
 *                | subject REQUIRES name ((',' | AND)+ name)* tag? END
 *   trailer     := ((UNLESS | EXCEPT WHEN) or)* tag? END
 *   or          := and (OR and)*
 *   and         := primary (AND primary)*
 *   primary     := '(' or ')' | subject op
 *   op          := ('=' | IS | '!=' | IS NOT | '<' | '<=' | '>' | '>=' | '≤' | '≥' | '≠') value
 *                | [IS] [NOT] IN list | [IS] BETWEEN value AND value
 *   list        := '(' value (',' value)* ')' | value (',' value)*
 *   assign      := subject ('=' | IS) value
 *   subject     := [[Name]] | word+            (words that are not keywords)
 *   value       := [[Name]] | (word | "quoted")+ — up to the next keyword,
 *                  operator, parenthesis or tag; typed with `parseValue`
 *
 * Decisions:
 * - Every upper-case keyword ends a bare name or a value, so a value that is
 *   itself a keyword (the state code `OR`) must be quoted: `State = "OR"`.
 * - An unquoted value may not contain a list comma (thousands separators
 *   and the comma of `January 1, 2026` are fine): `A = Quebec, Ontario` is
 *   an error pointing to `IN (…)`.
 *   Parentheses inside a value must be quoted too.
 * - Markdown decoration (`**`, `*`, `_` at word boundaries, backticks, `~~`)
 *   is skipped like whitespace; backslash escapes stand for the escaped
 *   character. Offsets always point into the original text. `[[…]]`
 *   references and `"…"` values are taken verbatim, and neither spans lines.
 * - `ELSE` is recognised only to explain that it is not supported.
 */
import { exact } from './lists';
import {
  atomName,
  spanAt,
  type AtomRef,
  type Assignment,
  type Comparison,
  type ComparisonOp,
  type Condition,
  type Enforcement,
  type Operand,
  type Span,
} from './model';
import { isDateComma, isThousandsComma, parseValue } from './values';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/** A trailing `UNLESS cond` / `EXCEPT WHEN cond`; the span covers the keyword and the condition. */
export interface ExceptionClause {
  condition: Condition;
  span: Span;
}

export interface ParsedConditionRule {
  type: 'ConditionMolecule';
  condition: Condition;
  results: Assignment[];
  exceptions: ExceptionClause[];
  enforcement: Enforcement | null;
  span: Span;
}

export interface ParsedConstraintRule {
  type: 'ConstraintMolecule';
  comparison: Comparison;
  exceptions: ExceptionClause[];
  enforcement: Enforcement | null;
  span: Span;
}

export interface ParsedRequiresRule {
  type: 'RequiresMolecule';
  subject: AtomRef;
  required: AtomRef[];
  enforcement: Enforcement | null;
  span: Span;
}

export interface ParsedExceptionRule {
  type: 'ExceptionMolecule';
  condition: Condition;
  enforcement: Enforcement | null;
  span: Span;
}

/** Text that looks like a rule but cannot be parsed; `span` points at the offending token (or the end). */
export interface RuleError {
  type: 'error';
  message: string;
  span: Span;
}

export type ParsedRule = ParsedConditionRule | ParsedConstraintRule | ParsedRequiresRule | ParsedExceptionRule | RuleError;

/** A table cell: its source text (trimmed) and the absolute span of that text. */
export interface Cell {
  text: string;
  span: Span;
}

/** One body row of a decision table: a condition rule. */
export interface DecisionRow {
  /** 0-based index among the body rows. */
  row: number;
  /** AND of the constrained input cells (a single comparison stays bare; no constrained input gives an empty `and`). */
  condition: Condition;
  results: Assignment[];
  /** From the first to the last cell. */
  span: Span;
  enforcement: Enforcement | null;
}

export interface TableProblem {
  span: Span;
  message: string;
}

export type DecisionTable =
  | { isDecisionTable: false }
  | {
      isDecisionTable: true;
      inputs: AtomRef[];
      outputs: AtomRef[];
      /** Rows without problems (a row with an unparseable cell is left out and reported). */
      rows: DecisionRow[];
      problems: TableProblem[];
    };

// ---------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------

type TokenKind = 'word' | 'ref' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma' | 'tag';

interface Token {
  kind: TokenKind;
  /**
   * word: the word with escapes resolved; ref: the name (trimmed, verbatim);
   * string: the quoted text including its quotes; op: the normalised
   * operator (`<=` for `≤`); tag: the tag's content, trimmed and
   * lower-cased; others: the character.
   */
  text: string;
  /** Offsets into the text being tokenized, `[start, end)`. */
  start: number;
  end: number;
  /** ref only: the name inside the brackets. */
  nameStart?: number;
  nameEnd?: number;
}

interface Lexed {
  tokens: Token[];
  /** The first lexical error (unterminated `[[`, quote or `{`), if any. */
  error: { message: string; start: number; end: number } | null;
}

const KEYWORDS = new Set(['IF', 'WHEN', 'THEN', 'AND', 'OR', 'UNLESS', 'EXCEPT', 'IS', 'NOT', 'IN', 'BETWEEN', 'MUST', 'BE', 'REQUIRES', 'ELSE']);
const ENFORCEMENTS = new Set<string>(['block', 'warn', 'inform']);
const OPERATORS: Record<string, ComparisonOp> = { '=': '=', '!=': '!=', '≠': '!=', '<': '<', '<=': '<=', '≤': '<=', '>': '>', '>=': '>=', '≥': '>=' };
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || (ch.charCodeAt(0) > 127 && /\s/.test(ch));
}

function isLetterOrDigit(src: string, i: number, from: number, to: number): boolean {
  return i >= from && i < to && LETTER_OR_DIGIT.test(src[i]);
}

/**
 * `indexOf` with a per-needle cache, for a left-to-right scan: a scan that
 * meets many unclosed `[[` stays linear instead of searching to the end
 * each time.
 */
class Finder {
  /** Made when first needed: most texts tokenized hold no `[[`, quote or `{`. */
  private cache: Map<string, number> | null = null;
  constructor(
    private readonly src: string,
    private readonly to: number,
  ) {}

  /** First index >= from of needle (ending before `to`), or -1. `from` must not decrease between calls. */
  next(needle: string, from: number): number {
    const cache = (this.cache ??= new Map());
    const cached = cache.get(needle);
    if (cached !== undefined && (cached === -1 || cached >= from)) return cached;
    const found = this.src.indexOf(needle, from);
    const result = found === -1 || found + needle.length > this.to ? -1 : found;
    cache.set(needle, result);
    return result;
  }

  /** Index of `close` on the same line, or -1. */
  closing(close: string, from: number): number {
    const end = this.next(close, from);
    const newline = this.next('\n', from);
    return end === -1 || (newline !== -1 && newline < end) ? -1 : end;
  }
}

function operatorAt(src: string, i: number, to: number): string | undefined {
  // By character codes: the tokenizer asks at every character of a word, and a slice per character was
  // much of its garbage.
  const ch = src.charCodeAt(i);
  switch (ch) {
    case LESS:
    case GREATER:
    case BANG: {
      const equals = i + 1 < to && src.charCodeAt(i + 1) === EQUALS;
      if (ch === BANG) return equals ? '!=' : undefined;
      return ch === LESS ? (equals ? '<=' : '<') : equals ? '>=' : '>';
    }
    case EQUALS:
      return '=';
    case 0x2264:
      return '≤';
    case 0x2265:
      return '≥';
    case 0x2260:
      return '≠';
  }
  return undefined;
}

const BANG = 0x21;
const LESS = 0x3c;
const EQUALS = 0x3d;
const GREATER = 0x3e;

/** End of the run of `ch` starting at `i`. */
function runEnd(src: string, i: number, to: number): number {
  let j = i;
  while (j < to && src[j] === src[i]) j++;
  return j;
}

/** An emphasis run (`*`, `_`) counts as decoration unless it sits inside a word (`snake_case`). */
function isDecorationRun(src: string, i: number, end: number, from: number, to: number): boolean {
  return !(isLetterOrDigit(src, i - 1, from, to) && isLetterOrDigit(src, end, from, to));
}

/** Tokenizes `src[from, to)`; offsets stay relative to `src`. */
function tokenize(src: string, from: number, to: number): Lexed {
  const tokens: Token[] = [];
  let error: Lexed['error'] = null;
  const fail = (message: string, start: number, end: number) => {
    error ??= { message, start, end };
  };
  const find = new Finder(src, to);
  /** `src[i]` and `src[i + 1]` are both `ch`, inside the range. */
  const double = (i: number, ch: string) => i + 1 < to && src[i] === ch && src[i + 1] === ch;

  /** A word: everything up to whitespace, decoration, or a character with a meaning of its own. */
  const readWord = (start: number): number => {
    let text = '';
    let segment = start;
    let i = start;
    while (i < to) {
      const ch = src[i];
      if (ch === '\\' && i + 1 < to && ASCII_PUNCTUATION.test(src[i + 1])) {
        text += src.slice(segment, i) + src[i + 1];
        i += 2;
        segment = i;
        continue;
      }
      if (ch === '*' || ch === '_') {
        const end = runEnd(src, i, to);
        if (isDecorationRun(src, i, end, from, to)) break;
        i = end;
        continue;
      }
      if (ch === ',' && (isThousandsComma(src, i, to) || isDateComma(src, i, to))) {
        i++;
        continue;
      }
      if (
        i > start &&
        (isSpace(ch) || ch === '`' || ch === '(' || ch === ')' || ch === '{' || ch === '}' || ch === ',' ||
          double(i, '~') || double(i, '[') || operatorAt(src, i, to) !== undefined)
      ) {
        break;
      }
      i++; // the first character always belongs to the word (a stray `[[`, quote or `{`)
    }
    text += src.slice(segment, i);
    tokens.push({ kind: 'word', text, start, end: i });
    return i;
  };

  let i = from;
  while (i < to) {
    const ch = src[i];
    if (isSpace(ch) || ch === '`') {
      i++;
    } else if (double(i, '~')) {
      i += 2;
    } else if ((ch === '*' || ch === '_') && isDecorationRun(src, i, runEnd(src, i, to), from, to)) {
      i = runEnd(src, i, to);
    } else if (double(i, '[')) {
      const close = find.closing(']]', i + 2);
      if (close === -1) {
        fail('unterminated [[ reference: expected ]]', i, i + 2);
        tokens.push({ kind: 'word', text: '[[', start: i, end: i + 2 });
        i += 2;
        continue;
      }
      const inner = src.slice(i + 2, close);
      const nameStart = i + 2 + (inner.length - inner.trimStart().length);
      const name = inner.trim();
      if (name === '') fail('empty [[ ]] reference', i, close + 2);
      tokens.push({ kind: 'ref', text: name, start: i, end: close + 2, nameStart, nameEnd: nameStart + name.length });
      i = close + 2;
    } else if (ch === '"' || ch === '“') {
      const close = find.closing(ch === '"' ? '"' : '”', i + 1);
      if (close === -1) {
        fail('unterminated quoted value: expected a closing quote', i, i + 1);
        i = readWord(i);
        continue;
      }
      tokens.push({ kind: 'string', text: src.slice(i, close + 1), start: i, end: close + 1 });
      i = close + 1;
    } else if (ch === '{') {
      const close = find.closing('}', i + 1);
      if (close === -1) {
        fail("unterminated '{': expected '}'", i, i + 1);
        i = readWord(i);
        continue;
      }
      tokens.push({ kind: 'tag', text: src.slice(i + 1, close).trim().toLowerCase(), start: i, end: close + 1 });
      i = close + 1;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen', text: ch, start: i, end: i + 1 });
      i++;
    } else if (ch === ',' && !isThousandsComma(src, i, to) && !isDateComma(src, i, to)) {
      tokens.push({ kind: 'comma', text: ',', start: i, end: i + 1 });
      i++;
    } else {
      const op = operatorAt(src, i, to);
      if (op !== undefined) {
        tokens.push({ kind: 'op', text: OPERATORS[op], start: i, end: i + op.length });
        i += op.length;
      } else {
        i = readWord(i);
      }
    }
  }
  return { tokens, error };
}

function isKeyword(tok: Token | undefined, keyword?: string): boolean {
  return tok !== undefined && tok.kind === 'word' && (keyword === undefined ? KEYWORDS.has(tok.text) : tok.text === keyword);
}

/** A token of the rule grammar, as editor features (completion, semantic tokens) see it. */
export type RuleToken = Readonly<Token>;

/**
 * The tokens of `src[from, to)` exactly as the rule parser sees them (offsets
 * into `src`), so editor features read rules with the parser's own lexer.
 * An unterminated `[[`, quote or `{` becomes a word starting with it.
 */
export function ruleTokens(src: string, from = 0, to = src.length): RuleToken[] {
  return tokenize(src, from, to).tokens;
}

/** Whether a token is an upper-case rule keyword (`keyword`, or any of them). */
export function isRuleKeyword(tok: RuleToken | undefined, keyword?: string): boolean {
  return isKeyword(tok, keyword);
}

/** Token texts joined as written: one space where the source had whitespace, nothing where it had only decoration. */
function joinTokens(src: string, tokens: Token[]): string {
  if (writtenPlainly(src, tokens)) return src.slice(tokens[0].start, tokens[tokens.length - 1].end);
  let out = '';
  tokens.forEach((tok, n) => {
    if (n > 0 && /\s/.test(src.slice(tokens[n - 1].end, tok.start))) out += ' ';
    out += tok.kind === 'ref' ? src.slice(tok.start, tok.end) : tok.text;
  });
  return out;
}

/**
 * Whether `tokens` read exactly as their stretch of `src` (words whose text is as written, one space
 * between them): then that stretch is their joined text, one string rather than one built piece by
 * piece (which every name and value of a rule would be, and a map looks it up flattened).
 */
function writtenPlainly(src: string, tokens: Token[]): boolean {
  if (tokens.length === 0) return false;
  for (let n = 0; n < tokens.length; n++) {
    const tok = tokens[n];
    if (tok.kind === 'ref' || tok.text.length !== tok.end - tok.start || !src.startsWith(tok.text, tok.start)) return false;
    if (n > 0 && (tok.start !== tokens[n - 1].end + 1 || src.charCodeAt(tok.start - 1) !== 32)) return false;
  }
  return true;
}

/** `'Name'` for messages, shortened so a 4 KB name does not flood the problems view. */
function quote(s: string): string {
  return `'${s.length > 40 ? `${s.slice(0, 39)}…` : s}'`;
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

/** A syntax error at text offsets `[start, end)`, caught at the API boundary. */
class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

/** Parentheses deeper than this are an error (keeps the recursion bounded on hostile input). */
const MAX_DEPTH = 64;

class Parser {
  pos = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
    /** Added to every text offset to make a span. */
    readonly base: number,
    /** Text offset reported for "expected … at the end". */
    private readonly endOffset: number,
  ) {}

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.pos + ahead];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  at(keyword: string): boolean {
    return isKeyword(this.peek(), keyword);
  }

  atExceptWhen(): boolean {
    return this.at('EXCEPT') && isKeyword(this.peek(1), 'WHEN');
  }

  /** End offset of the last consumed token. */
  lastEnd(): number {
    return this.tokens[this.pos - 1].end;
  }

  span(start: number, end: number): Span {
    return spanAt(this.base + start, this.base + end);
  }

  /** Throws a syntax error at `tok` (default: the current token, or the end of the text). */
  fail(message: string, tok: Token | undefined = this.peek()): never {
    throw tok ? new SyntaxFailure(message, tok.start, tok.end) : new SyntaxFailure(message, this.endOffset, this.endOffset);
  }

  /** How the current token reads in a message. */
  describe(tok: Token | undefined = this.peek()): string {
    return tok ? quote(this.src.slice(tok.start, tok.end)) : 'the end of the rule';
  }

  // --- names -------------------------------------------------------------------

  ref(tok: Token): AtomRef {
    const [name, key] = atomName(tok.text);
    return { name, key, span: this.span(tok.nameStart!, tok.nameEnd!), bracketed: true };
  }

  /** `[[Name]]` or a run of non-keyword words; `expected` completes "expected …" when there is none. */
  subject(expected: string): AtomRef {
    const tok = this.peek();
    if (tok?.kind === 'ref') {
      this.pos++;
      return this.ref(tok);
    }
    const first = this.pos;
    while (this.peek()?.kind === 'word' && !isKeyword(this.peek())) this.pos++;
    if (this.pos === first) this.fail(`expected ${expected}`);
    const words = this.tokens.slice(first, this.pos);
    const [name, key] = atomName(joinTokens(this.src, words));
    return { name, key, span: this.span(words[0].start, this.lastEnd()), bracketed: false };
  }

  // --- values ------------------------------------------------------------------

  /**
   * A value: a `[[reference]]`, or words and quoted strings up to the next
   * keyword, operator, parenthesis, tag or (in a list) comma. Null when
   * there is none.
   */
  value(inList: boolean): Operand | null {
    const first = this.pos;
    for (let tok = this.peek(); tok; tok = this.peek()) {
      if ((tok.kind === 'word' && !isKeyword(tok)) || tok.kind === 'string' || tok.kind === 'ref') this.pos++;
      else if (tok.kind === 'lparen') this.fail("unexpected '(' in a value; put a value that contains parentheses in double quotes");
      else if (tok.kind === 'comma' && !inList) {
        this.fail("unexpected ','; write IN (a, b) for a list of values, or put a value that contains commas in double quotes");
      } else break;
    }
    return this.pos === first ? null : operandOf(this.src, this.tokens.slice(first, this.pos), this.base);
  }

  /** A value after `what` (an operator as written), or an error saying so. */
  requireValue(what: string, inList = false): Operand {
    const operand = this.value(inList);
    if (operand) return operand;
    const next = this.peek();
    const hint = next && ['OR', 'IN', 'IS', 'NOT', 'BE'].includes(next.text) && isKeyword(next) ? ` (put the value in double quotes if it is the word ${next.text})` : '';
    return this.fail(`expected a value after '${what}'${hint}`);
  }

  /** `(a, b, c)` or `a, b, c`, after the operator `what`. */
  list(what: string): Operand[] {
    const open = this.peek();
    if (open?.kind !== 'lparen') {
      const items = [this.requireValue(what, true)];
      while (this.peek()?.kind === 'comma') {
        this.pos++;
        items.push(this.requireValue(',', true));
      }
      return exact(items);
    }
    this.pos++;
    const items = [this.requireValue(`${what} (`, true)];
    for (;;) {
      const tok = this.peek();
      if (tok?.kind === 'rparen') {
        this.pos++;
        return exact(items);
      }
      if (tok?.kind === 'comma') {
        this.pos++;
        items.push(this.requireValue(',', true));
      } else if (!tok || isKeyword(tok, 'THEN') || tok.kind === 'tag') {
        this.fail("unbalanced parenthesis: '(' is never closed", open);
      } else {
        this.fail(`expected ',' or ')' in the list, found ${this.describe(tok)}`);
      }
    }
  }

  // --- comparisons and conditions ----------------------------------------------

  /** The operator and right-hand side after `subject`; `negate` turns `MUST NOT BE` around. */
  comparison(subject: AtomRef, start: number, negate = false): Comparison {
    const opStart = this.peek();
    let op: ComparisonOp;
    let operands: Operand[];
    const written = () => this.src.slice(opStart!.start, this.lastEnd());
    if (opStart?.kind === 'op') {
      this.pos++;
      op = opStart.text as ComparisonOp;
      operands = [this.requireValue(written())];
    } else if (this.at('IS') || this.at('NOT') || this.at('IN') || this.at('BETWEEN')) {
      const is = this.at('IS');
      if (is) this.pos++;
      const not = this.at('NOT');
      if (not) this.pos++;
      if (this.at('IN')) {
        this.pos++;
        op = not ? 'not in' : 'in';
        operands = this.list(written());
      } else if (this.at('BETWEEN')) {
        if (not) this.fail('NOT BETWEEN is not supported; write two comparisons joined by OR');
        this.pos++;
        const low = this.requireValue('BETWEEN');
        if (!this.at('AND')) this.fail('expected AND between the two bounds of BETWEEN');
        this.pos++;
        operands = [low, this.requireValue('AND')];
        op = 'between';
      } else if (is) {
        op = not ? '!=' : '=';
        operands = [this.requireValue(written())];
      } else {
        return this.fail('expected IN after NOT');
      }
    } else {
      return this.fail(`expected an operator (=, IS, !=, <, <=, >, >=, IN, BETWEEN) after ${quote(subject.name)}`);
    }
    if (negate) op = negated(op, this);
    return { kind: 'cmp', subject, op, operands, span: this.span(start, this.lastEnd()) };
  }

  /** `or := and (OR and)*`. */
  condition(depth = 0): Condition {
    const items = [this.conjunction(depth)];
    while (this.at('OR')) {
      this.pos++;
      items.push(this.conjunction(depth));
    }
    return combine('or', items);
  }

  /** `and := primary (AND primary)*`. */
  conjunction(depth: number): Condition {
    const items = [this.primary(depth)];
    while (this.at('AND')) {
      this.pos++;
      items.push(this.primary(depth));
    }
    return combine('and', items);
  }

  primary(depth: number): Condition {
    const open = this.peek();
    if (open?.kind === 'lparen') {
      if (depth >= MAX_DEPTH) this.fail('parentheses nested too deeply', open);
      this.pos++;
      const inner = this.condition(depth + 1);
      const close = this.peek();
      if (close?.kind === 'rparen') {
        this.pos++;
        return inner;
      }
      if (!close || isKeyword(close, 'THEN') || isKeyword(close, 'UNLESS') || close.kind === 'tag') {
        this.fail("unbalanced parenthesis: '(' is never closed", open);
      }
      this.fail(`expected AND, OR or ')' after the condition, found ${this.describe(close)}`);
    }
    const start = this.peek();
    const subject = this.subject(`a comparison, found ${this.describe()}`);
    return this.comparison(subject, start!.start);
  }

  // --- rule parts ----------------------------------------------------------------

  /** `target (= | IS) value (AND target (= | IS) value)*`. */
  assignments(): Assignment[] {
    const results: Assignment[] = [];
    let after = 'THEN';
    for (;;) {
      const start = this.peek();
      const target = this.subject(`a name after ${after}`);
      const op = this.peek();
      if (!(op?.kind === 'op' && op.text === '=') && !(isKeyword(op, 'IS') && !isKeyword(this.peek(1), 'NOT'))) {
        this.fail(`expected '=' or IS after ${quote(target.name)}`);
      }
      this.pos++;
      const operand = this.requireValue(this.src.slice(op!.start, op!.end));
      results.push({ target, operand, span: this.span(start!.start, this.lastEnd()) });
      if (!this.at('AND')) return exact(results);
      this.pos++;
      after = 'AND';
    }
  }

  /** Trailing `UNLESS cond` / `EXCEPT WHEN cond` clauses. */
  exceptions(): ExceptionClause[] {
    const out: ExceptionClause[] = [];
    while (this.at('UNLESS') || this.atExceptWhen()) {
      const keyword = this.peek()!;
      this.pos += keyword.text === 'UNLESS' ? 1 : 2;
      if (this.atEnd()) this.fail(`expected a condition after ${keyword.text === 'UNLESS' ? 'UNLESS' : 'EXCEPT WHEN'}`);
      const condition = this.condition();
      out.push({ condition, span: this.span(keyword.start, this.lastEnd()) });
    }
    return out;
  }

  /** An optional enforcement tag, then the end of the rule; `expected` lists what else could have come. */
  finish(expected: string): Enforcement | null {
    let enforcement: Enforcement | null = null;
    const tag = this.peek();
    if (tag?.kind === 'tag') {
      enforcement = enforcementOf(tag, this);
      this.pos++;
      if (!this.atEnd()) this.fail('unexpected text after the enforcement tag');
    }
    const tok = this.peek();
    if (!tok) return enforcement;
    if (tok.kind === 'rparen') this.fail("unbalanced parenthesis: ')' has no matching '('");
    if (isKeyword(tok, 'ELSE')) this.fail('ELSE is not supported: write a separate rule for the other case');
    return this.fail(`unexpected ${this.describe(tok)}; expected ${expected}`);
  }
}

function enforcementOf(tag: Token, parser: Parser): Enforcement {
  if (!ENFORCEMENTS.has(tag.text)) parser.fail(`unknown enforcement tag ${parser.describe(tag)}; use {block}, {warn} or {inform}`, tag);
  return tag.text as Enforcement;
}

/** The operator of `MUST NOT BE op`. */
function negated(op: ComparisonOp, parser: Parser): ComparisonOp {
  const inverse: Partial<Record<ComparisonOp, ComparisonOp>> = { '=': '!=', '!=': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<', in: 'not in', 'not in': 'in' };
  return inverse[op] ?? parser.fail('MUST NOT BE BETWEEN is not supported; write MUST BE < low and a second constraint MUST BE > high');
}

/** AND/OR of items, flattening nested groups of the same kind; one item stays bare. */
function combine(kind: 'and' | 'or', items: Condition[]): Condition {
  const flat: Condition[] = [];
  for (const c of items) {
    if (c.kind === kind) for (const item of c.items) flat.push(item);
    else flat.push(c);
  }
  if (flat.length === 1) return flat[0];
  return { kind, items: exact(flat), span: spanAt(flat[0].span.start, flat[flat.length - 1].span.end) };
}

/** A value from its tokens: a lone `[[reference]]`, else the words typed by `parseValue`. */
function operandOf(src: string, tokens: Token[], base: number): Operand {
  const span = spanAt(base + tokens[0].start, base + tokens[tokens.length - 1].end);
  const ref = tokens.find((t) => t.kind === 'ref');
  if (ref && tokens.length > 1) throw new SyntaxFailure('a [[reference]] must stand alone as a value', ref.start, ref.end);
  if (ref) {
    const [name, key] = atomName(ref.text);
    return { kind: 'ref', ref: { name, key, span: spanAt(base + ref.nameStart!, base + ref.nameEnd!), bracketed: true }, span };
  }
  return { kind: 'value', value: parseValue(joinTokens(src, tokens)), span };
}

// ---------------------------------------------------------------------------
// parseRule
// ---------------------------------------------------------------------------

type RuleForm = 'condition' | 'exception' | 'constraint' | 'requires';

/** Which rule the tokens start (or contain, for MUST BE / REQUIRES), if any. */
function ruleForm(tokens: Token[]): RuleForm | null {
  const [first, second] = tokens;
  if (isKeyword(first, 'IF') || isKeyword(first, 'WHEN')) return 'condition';
  if (isKeyword(first, 'UNLESS') || (isKeyword(first, 'EXCEPT') && isKeyword(second, 'WHEN'))) return 'exception';
  for (let i = 1; i < tokens.length; i++) {
    if (isKeyword(tokens[i], 'REQUIRES') && i + 1 < tokens.length) return 'requires';
    if (isKeyword(tokens[i], 'MUST')) {
      const be = isKeyword(tokens[i + 1], 'NOT') ? i + 2 : i + 1;
      if (isKeyword(tokens[be], 'BE') && be + 1 < tokens.length) return 'constraint';
    }
  }
  return null;
}

/**
 * Parses a block's own text as a rule. `base` is added to every offset.
 * Returns null when the text is not a rule (prose), an `error` when it
 * looks like one but cannot be parsed. Never throws on any input.
 */
export function parseRule(text: string, base: number): ParsedRule | null {
  const { tokens, error } = tokenize(text, 0, text.length);
  const form = ruleForm(tokens);
  if (!form) return null;
  const start = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  if (error) return { type: 'error', message: error.message, span: { start: base + error.start, end: base + error.end } };
  const p = new Parser(text, tokens, base, end);
  const span = p.span(start, end);
  try {
    switch (form) {
      case 'condition': {
        p.pos = 1;
        if (p.atEnd()) p.fail(`expected a condition after ${tokens[0].text}`);
        const condition = p.condition();
        if (!p.at('THEN')) {
          if (p.peek()?.kind === 'rparen') p.fail("unbalanced parenthesis: ')' has no matching '('");
          p.fail('expected THEN after the condition');
        }
        p.pos++;
        const results = p.assignments();
        const exceptions = p.exceptions();
        const enforcement = p.finish('AND, UNLESS, EXCEPT WHEN, an enforcement tag or the end of the rule');
        return { type: 'ConditionMolecule', condition, results, exceptions, enforcement, span };
      }
      case 'exception': {
        p.pos = isKeyword(tokens[0], 'UNLESS') ? 1 : 2;
        if (p.atEnd()) p.fail(`expected a condition after ${p.pos === 1 ? 'UNLESS' : 'EXCEPT WHEN'}`);
        const condition = p.condition();
        const enforcement = p.finish('AND, OR, an enforcement tag or the end of the rule');
        return { type: 'ExceptionMolecule', condition, enforcement, span };
      }
      case 'constraint': {
        const first = p.peek()!;
        const subject = p.subject('a name before MUST BE');
        if (!p.at('MUST')) p.fail(`expected MUST BE after ${quote(subject.name)}`);
        p.pos++;
        const not = p.at('NOT');
        if (not) p.pos++;
        if (!p.at('BE')) p.fail(`expected BE after ${not ? 'MUST NOT' : 'MUST'}`);
        p.pos++;
        const comparison = constraintComparison(p, subject, first.start, not);
        const exceptions = p.exceptions();
        const enforcement = p.finish('UNLESS, EXCEPT WHEN, an enforcement tag or the end of the rule');
        return { type: 'ConstraintMolecule', comparison, exceptions, enforcement, span };
      }
      case 'requires': {
        const subject = p.subject('a name before REQUIRES');
        if (!p.at('REQUIRES')) p.fail(`expected REQUIRES after ${quote(subject.name)}`);
        p.pos++;
        const required = [p.subject('a name after REQUIRES')];
        while (p.peek()?.kind === 'comma' || p.at('AND')) {
          const separator = p.peek()!;
          p.pos++;
          if (separator.kind === 'comma' && p.at('AND')) p.pos++; // `A, B, AND C`
          required.push(p.subject(`a name after ${p.describe(separator)}`));
        }
        const enforcement = p.finish("',', AND, an enforcement tag or the end of the rule");
        return { type: 'RequiresMolecule', subject, required: exact(required), enforcement, span };
      }
    }
  } catch (e) {
    if (e instanceof SyntaxFailure) return { type: 'error', message: e.message, span: { start: base + e.start, end: base + e.end } };
    throw e;
  }
}

/** After `MUST [NOT] BE`: an operator, `IN`, `BETWEEN`, `one of a, b`, or a plain value (`=`). */
function constraintComparison(p: Parser, subject: AtomRef, start: number, not: boolean): Comparison {
  const tok = p.peek();
  if (tok?.kind === 'op' || p.at('IS') || p.at('IN') || p.at('BETWEEN') || p.at('NOT')) return p.comparison(subject, start, not);
  const next = p.peek(1);
  if (tok?.kind === 'word' && tok.text.toLowerCase() === 'one' && next?.kind === 'word' && next.text.toLowerCase() === 'of') {
    p.pos += 2;
    const operands = p.list('one of');
    return { kind: 'cmp', subject, op: not ? 'not in' : 'in', operands, span: p.span(start, p.lastEnd()) };
  }
  const operand = p.requireValue(not ? 'MUST NOT BE' : 'MUST BE');
  return { kind: 'cmp', subject, op: not ? '!=' : '=', operands: [operand], span: p.span(start, p.lastEnd()) };
}

// ---------------------------------------------------------------------------
// Decision tables
// ---------------------------------------------------------------------------

interface Column {
  role: 'input' | 'output';
  ref: AtomRef | null;
}

/** Markers of "any value" in a table cell. */
const ANY = new Set(['', '-', '—', '–', '*']);

/**
 * Reads a GFM table as a decision table (§3.5): header cells `IF name` /
 * `WHEN name` (inputs) and `THEN name` (outputs), at least one of each.
 * Each body row becomes a condition rule. Problems in the header leave
 * the table without rows (a missing input would make every row broader).
 */
export function parseDecisionTable(header: Cell[], rows: Cell[][]): DecisionTable {
  const lexed = header.map((cell) => tokenize(cell.text, 0, cell.text.length));
  const roles = lexed.map(({ tokens: [first] }) =>
    isKeyword(first, 'IF') || isKeyword(first, 'WHEN') ? 'input' : isKeyword(first, 'THEN') ? 'output' : null,
  );
  if (roles.some((r) => r === null) || !roles.includes('input') || !roles.includes('output')) return { isDecisionTable: false };

  const problems: TableProblem[] = [];
  const columns: Column[] = header.map((cell, c) => {
    const { tokens, error } = lexed[c];
    const p = new Parser(cell.text, tokens, cell.span.start, cell.text.length);
    try {
      if (error) throw new SyntaxFailure(error.message, error.start, error.end);
      p.pos = 1;
      const ref = p.subject(`a name after ${tokens[0].text}`);
      if (!p.atEnd()) p.fail(`unexpected ${p.describe()} after the column name`);
      return { role: roles[c]!, ref };
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      problems.push({ span: { start: cell.span.start + e.start, end: cell.span.start + e.end }, message: e.message });
      return { role: roles[c]!, ref: null };
    }
  });
  const inputs = columns.filter((c) => c.role === 'input' && c.ref).map((c) => c.ref!);
  const outputs = columns.filter((c) => c.role === 'output' && c.ref).map((c) => c.ref!);
  if (problems.length > 0) return { isDecisionTable: true, inputs, outputs, rows: [], problems };

  const parsed: DecisionRow[] = [];
  rows.forEach((cells, row) => {
    if (cells.length === 0) return;
    const before = problems.length;
    const result = parseRow(columns, cells, row, problems);
    if (problems.length === before) parsed.push(result);
  });
  return { isDecisionTable: true, inputs, outputs, rows: parsed, problems };
}

function parseRow(columns: Column[], cells: Cell[], row: number, problems: TableProblem[]): DecisionRow {
  const span = spanAt(cells[0].span.start, cells[cells.length - 1].span.end);
  const comparisons: Comparison[] = [];
  const results: Assignment[] = [];
  let enforcement: Enforcement | null = null;
  cells.forEach((cell, c) => {
    const column = columns[c];
    const { tokens, error } = tokenize(cell.text, 0, cell.text.length);
    const p = new Parser(cell.text, tokens, cell.span.start, cell.text.length);
    try {
      if (error) throw new SyntaxFailure(error.message, error.start, error.end);
      const last = tokens[tokens.length - 1];
      if (c === cells.length - 1 && last?.kind === 'tag') {
        enforcement = enforcementOf(last, p);
        tokens.pop();
      }
      const tag = tokens.find((t) => t.kind === 'tag');
      if (tag) p.fail("an enforcement tag belongs at the end of the row's last cell", tag);
      if (!column) {
        if (tokens.length > 0) p.fail('this cell is outside the columns of the table', tokens[0]);
        return;
      }
      if (isAny(cell.text, tokens)) return;
      if (column.role === 'input') comparisons.push(inputCell(p, cell.text, tokens, column.ref!));
      else results.push(outputCell(p, cell.text, tokens, column.ref!));
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      const where = column?.ref ? `${quote(column.ref.name)}: ` : '';
      problems.push({ span: { start: cell.span.start + e.start, end: cell.span.start + e.end }, message: where + e.message });
    }
  });
  const condition = comparisons.length === 0 ? { kind: 'and' as const, items: [], span } : combine('and', comparisons);
  return { row, condition, results: exact(results), span, enforcement };
}

/** `-`, `—`, `*` or an empty cell (decoration alone counts as empty). */
function isAny(text: string, tokens: Token[]): boolean {
  return tokens.length === 0 || ANY.has(text.trim()) || (tokens.length === 1 && tokens[0].kind === 'word' && ANY.has(tokens[0].text));
}

/** The header's name, as the subject of a cell's comparison (a copy: each comparison owns its data). */
function headerRef(ref: AtomRef): AtomRef {
  return { ...ref, span: { ...ref.span } };
}

/** An input cell: `> $5,000`, `IN (a, b)`, `BETWEEN a AND b`, `5,000..10,000`, `Quebec, Ontario` or a value. */
function inputCell(p: Parser, text: string, tokens: Token[], ref: AtomRef): Comparison {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  const span = p.span(first.start, last.end);
  const subject = headerRef(ref);
  if (first.kind === 'op' || ['IS', 'NOT', 'IN', 'BETWEEN'].some((k) => isKeyword(first, k))) {
    const comparison = p.comparison(subject, first.start);
    if (!p.atEnd()) p.fail(`unexpected ${p.describe()} in the cell`);
    return { ...comparison, span };
  }
  const range = tokens.find((t) => t.kind === 'word' && text.slice(t.start, t.end).includes('..'));
  if (range) {
    const dots = text.indexOf('..', range.start);
    const low = tokenize(text, first.start, dots).tokens;
    const high = tokenize(text, dots + 2, last.end).tokens;
    const plain = (side: Token[]) => side.length > 0 && side.every((t) => t.kind === 'word' || t.kind === 'string' || t.kind === 'ref');
    if (!plain(low) || !plain(high)) throw new SyntaxFailure("expected a range written low..high, with one value on each side of '..'", dots, dots + 2);
    return { kind: 'cmp', subject, op: 'between', operands: [operandOf(text, low, p.base), operandOf(text, high, p.base)], span };
  }
  const items: Token[][] = [[]];
  for (const tok of tokens) {
    if (tok.kind === 'comma') items.push([]);
    else items[items.length - 1].push(tok);
  }
  if (items.length > 1) {
    const empty = items.findIndex((item) => item.length === 0);
    if (empty !== -1) p.fail('empty item in the list of values', tokens.filter((t) => t.kind === 'comma')[Math.max(0, empty - 1)]);
    return { kind: 'cmp', subject, op: 'in', operands: items.map((item) => operandOf(text, item, p.base)), span };
  }
  return { kind: 'cmp', subject, op: '=', operands: [operandOf(text, tokens, p.base)], span };
}

/** An output cell: a value, optionally written `= value`. */
function outputCell(p: Parser, text: string, tokens: Token[], ref: AtomRef): Assignment {
  const first = tokens[0];
  let valueTokens = tokens;
  if ((first.kind === 'op' && first.text === '=') || isKeyword(first, 'IS')) valueTokens = tokens.slice(1);
  else if (first.kind === 'op') p.fail(`an output cell holds a value, not a comparison: ${p.describe(first)} is not allowed here`, first);
  if (valueTokens.length === 0) p.fail(`expected a value after ${p.describe(first)}`, first);
  const operand = operandOf(text, valueTokens, p.base);
  return { target: headerRef(ref), operand, span: p.span(first.start, tokens[tokens.length - 1].end) };
}

// ---------------------------------------------------------------------------
// Normalised one-line forms
// ---------------------------------------------------------------------------

// “ ” ≤ ≥ ≠ as escapes: see values.ts, SYMBOL.
const NEEDS_QUOTES = /[(),{}"\u201c\u201d<>=\u2264\u2265\u2260]|\[\[|^\s|\s$/;

/** A text value as it would be written back: quoted (curly quotes if it holds `"`) when it would otherwise read differently. */
function formatText(text: string): string {
  const reread = parseValue(text);
  const plain =
    text !== '' &&
    !NEEDS_QUOTES.test(text) &&
    reread.kind === 'text' &&
    reread.canonical === text &&
    !text.split(/\s+/).some((word) => KEYWORDS.has(word));
  if (plain) return text;
  return text.includes('"') ? `“${text}”` : `"${text}"`;
}

function formatOperand(o: Operand): string {
  if (o.kind === 'ref') return `[[${o.ref.name}]]`;
  return o.value.kind === 'text' ? formatText(o.value.value) : o.value.canonical;
}

function describeComparison(c: Comparison): string {
  const [a, b] = c.operands.map(formatOperand);
  switch (c.op) {
    case 'in':
    case 'not in':
      return `${c.subject.name} ${c.op === 'in' ? 'IN' : 'NOT IN'} (${c.operands.map(formatOperand).join(', ')})`;
    case 'between':
      return `${c.subject.name} BETWEEN ${a} AND ${b}`;
    default:
      return `${c.subject.name} ${c.op} ${a}`;
  }
}

/**
 * `Jurisdiction = Quebec AND (A > 1 OR B < 2)`: names as written, canonical
 * values, `[[…]]` only around references used as values. An empty AND (a
 * table row with no constrained input) reads `always`.
 */
export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'cmp':
      return describeComparison(c);
    case 'and':
      if (c.items.length === 0) return 'always';
      return c.items.map((item) => (item.kind === 'or' ? `(${describeCondition(item)})` : describeCondition(item))).join(' AND ');
    case 'or':
      if (c.items.length === 0) return 'never';
      return c.items.map(describeCondition).join(' OR ');
  }
}

function describeConstraint(c: Comparison): string {
  const [a, b] = c.operands.map(formatOperand);
  const list = `(${c.operands.map(formatOperand).join(', ')})`;
  switch (c.op) {
    case '=':
      return `${c.subject.name} MUST BE ${a}`;
    case '!=':
      return `${c.subject.name} MUST NOT BE ${a}`;
    case 'in':
      return `${c.subject.name} MUST BE IN ${list}`;
    case 'not in':
      return `${c.subject.name} MUST NOT BE IN ${list}`;
    case 'between':
      return `${c.subject.name} MUST BE BETWEEN ${a} AND ${b}`;
    default:
      return `${c.subject.name} MUST BE ${c.op} ${a}`;
  }
}

/**
 * The normalised one-line form of a rule, e.g. `IF Jurisdiction = Quebec THEN Withholding Rate = 10% {block}`.
 * Flat: built by concatenation it would be a tree of ~12 string pieces, which a molecule keeps as long as
 * it lives (a worker holds a whole domain's until the check).
 */
export function describeRule(r: ParsedRule): string {
  const text = describe(r);
  text.charCodeAt(0); // flattens it in place; the collector then drops the tree's pieces
  return text;
}

function describe(r: ParsedRule): string {
  const tag = 'enforcement' in r && r.enforcement ? ` {${r.enforcement}}` : '';
  const unless = 'exceptions' in r ? r.exceptions.map((e) => ` UNLESS ${describeCondition(e.condition)}`).join('') : '';
  switch (r.type) {
    case 'ConditionMolecule': {
      const results = r.results.map((a) => `${a.target.name} = ${formatOperand(a.operand)}`).join(' AND ');
      return `IF ${describeCondition(r.condition)} THEN ${results}${unless}${tag}`;
    }
    case 'ConstraintMolecule':
      return `${describeConstraint(r.comparison)}${unless}${tag}`;
    case 'RequiresMolecule':
      return `${r.subject.name} REQUIRES ${r.required.map((x) => x.name).join(', ')}${tag}`;
    case 'ExceptionMolecule':
      return `UNLESS ${describeCondition(r.condition)}${tag}`;
    case 'error':
      return `parse error: ${r.message}`;
  }
}
