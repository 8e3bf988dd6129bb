/**
 * Value typing (knowledge-markdown §2): a written value → a typed `Value`.
 * Pure functions, no I/O.
 *
 * Decisions (the spec asks us to write them down):
 * - Locale: English separators only — `,` groups thousands and `.` is the
 *   decimal point; a space (also a no-break or narrow no-break space) may
 *   group thousands too (`5 000 $`). The European decimal comma
 *   (`€1.200,50`) is NOT supported: such a value is typed as text.
 * - Currency symbols: `US$` is USD, `CA$` and `C$` are CAD, `A$` is AUD,
 *   `€` EUR, `£` GBP, `¥` JPY. A bare `$` is "dollars" (unit `$`): the
 *   knowledge base's own dollar, comparable with any dollar currency (USD,
 *   CAD, AUD, …), so `$5,000` and `CAD 5,000` compare in a Canadian document.
 * - Currency codes: only a short list of common ISO 4217 codes (below) is
 *   recognised, so prose like `Top 100` or `Form 4` never becomes money.
 * - A money amount has at most two decimals: `€1.200` (European for 1,200)
 *   is text rather than silently 1.2 euros.
 * - A quoted value (`"10%"`) is always text: quotes are the way to force text.
 * - Plain numbers keep their grouping as written: `1250` stays `1250`,
 *   `1 250` and `1,250` become `1,250`. Money is always grouped.
 */
import { normalizeName, type Value } from './model';

type NumberValue = Extract<Value, { kind: 'number' }>;

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

const SIGN = String.raw`[-+\u2212]`;
/** Unsigned English number: comma- or space-grouped, or ungrouped; optional decimals. */
const NUMBER = String.raw`(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00A0\u202F]\d{3})+|\d+)(?:\.\d+)?|\.\d+`;

const PLAIN = new RegExp(`^(${SIGN})?(${NUMBER})$`);
const PERCENT = new RegExp(`^(${SIGN})?(${NUMBER})\\s*%$`);

const SYMBOLS: Record<string, string> = { $: '$', US$: 'USD', CA$: 'CAD', C$: 'CAD', A$: 'AUD', '€': 'EUR', '£': 'GBP', '¥': 'JPY' };
/** Symbols used in canonical forms; other currencies are written with their code (`CAD 5,000`). */
const CANONICAL_SYMBOL: Record<string, string> = { $: '$', USD: 'US$', EUR: '€', GBP: '£' };
/** Currencies a bare `$` is comparable with. */
const DOLLARS = new Set(['USD', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD']);
const CODES = new Set([
  'USD', 'CAD', 'EUR', 'GBP', 'JPY', 'CHF', 'AUD', 'NZD', 'CNY', 'INR',
  'MXN', 'BRL', 'SEK', 'NOK', 'DKK', 'HKD', 'SGD', 'ZAR', 'KRW',
]);
// €, £, ¥ as escapes: a bundle of ASCII only is a one-byte string in every isolate that loads it (half the memory).
const SYMBOL = String.raw`CA\$|US\$|C\$|A\$|\$|\u20ac|\u00a3|\u00a5`;
const CURRENCY = `${SYMBOL}|[A-Za-z]{3}`;
/** `$5,000`, `-$5`, `$-5`, `CAD 5,000`, `CAD5000`. */
const MONEY_PREFIX = new RegExp(`^(${SIGN})?(${CURRENCY})\\s*(${SIGN})?(${NUMBER})$`);
/** `5,000 CAD`, `5 000 $`, `-5€`. */
const MONEY_SUFFIX = new RegExp(`^(${SIGN})?(${NUMBER})\\s*(${CURRENCY})$`);

interface Digits {
  negative: boolean;
  /** Integer digits without separators (may be empty for `.5`). */
  int: string;
  /** Decimal digits as written, without the point. */
  frac: string;
  grouped: boolean;
}

function digits(sign: string | undefined, written: string): Digits {
  // As `written.split('.')` would cut it (the integer part, the next part), without the array.
  const dot = written.indexOf('.');
  const next = dot === -1 ? -1 : written.indexOf('.', dot + 1);
  const intPart = dot === -1 ? written : written.slice(0, dot);
  const frac = dot === -1 ? '' : next === -1 ? written.slice(dot + 1) : written.slice(dot + 1, next);
  const grouped = NOT_DIGIT.test(intPart);
  return { negative: sign !== undefined && sign !== '+', int: grouped ? intPart.replace(NOT_DIGITS, '') : intPart, frac, grouped };
}

const NOT_DIGIT = /[^\d]/;
const NOT_DIGITS = /[^\d]/g;

function numberOf(d: Digits): number {
  const n = Number(`${d.int || '0'}.${d.frac || '0'}`);
  return d.negative && n !== 0 ? -n : n;
}

function group(int: string): string {
  const trimmed = int.replace(/^0+(?=\d)/, '') || '0';
  return trimmed.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1,250.5`, with grouping when asked and decimals as written. */
function formatDigits(d: Digits, grouped: boolean, frac: string = d.frac): string {
  const int = grouped ? group(d.int) : d.int.replace(/^0+(?=\d)/, '') || '0';
  return int + (frac ? `.${frac}` : '');
}

function currencyOf(written: string): string | undefined {
  return SYMBOLS[written.toUpperCase()] ?? (CODES.has(written.toUpperCase()) ? written.toUpperCase() : undefined);
}

function parsePercent(s: string): NumberValue | null {
  const m = PERCENT.exec(s);
  if (!m) return null;
  const d = digits(m[1], m[2]);
  const frac = d.frac.replace(/0+$/, '');
  const percent = numberOf(d);
  return {
    kind: 'number',
    value: percent / 100,
    unit: 'percent',
    raw: '',
    canonical: `${d.negative && percent !== 0 ? '-' : ''}${formatDigits(d, d.grouped, frac)}%`,
  };
}

function parseMoney(s: string): NumberValue | null {
  let sign: string | undefined;
  let amount: string;
  let currency: string | undefined;
  const prefix = MONEY_PREFIX.exec(s);
  const suffix = prefix ? null : MONEY_SUFFIX.exec(s);
  if (prefix) {
    if (prefix[1] && prefix[3]) return null; // two signs
    sign = prefix[1] ?? prefix[3];
    currency = currencyOf(prefix[2]);
    amount = prefix[4];
  } else if (suffix) {
    sign = suffix[1];
    amount = suffix[2];
    currency = currencyOf(suffix[3]);
  } else {
    return null;
  }
  if (!currency) return null;
  const d = digits(sign, amount);
  if (d.frac.length > 2) return null; // see the module comment: `€1.200` is not 1.2 euros
  const value = numberOf(d);
  const number = formatDigits(d, true, d.frac.length === 1 ? `${d.frac}0` : d.frac);
  const minus = value < 0 ? '-' : '';
  const symbol = CANONICAL_SYMBOL[currency];
  const canonical = symbol ? `${minus}${symbol}${number}` : `${currency} ${minus}${number}`;
  return { kind: 'number', value, unit: currency, raw: '', canonical };
}

function parsePlainNumber(s: string): NumberValue | null {
  const m = PLAIN.exec(s);
  if (!m) return null;
  const d = digits(m[1], m[2]);
  const value = numberOf(d);
  return { kind: 'number', value, raw: '', canonical: `${value < 0 ? '-' : ''}${formatDigits(d, d.grouped)}` };
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH = String.raw`[A-Za-z]{3,9}`;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** `January 1, 2026`, `Jan. 1 2026`, `Jan 1st, 2026`. */
const MONTH_FIRST = new RegExp(String.raw`^(${MONTH})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$`, 'i');
/** `1 Jan 2026`, `1 January, 2026`. */
const DAY_FIRST = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?\s+(${MONTH})\.?,?\s+(\d{4})$`, 'i');

/** Month number (1–12) of a full or abbreviated English month name (`Sept` too). */
function monthOf(name: string): number | undefined {
  const n = name.toLowerCase();
  const index = MONTHS.findIndex((m) => m === n || (n.length >= 3 && m.startsWith(n) && (n.length === 3 || n === 'sept')));
  return index === -1 ? undefined : index + 1;
}

/** Epoch ms at 00:00 UTC, or undefined for an impossible date (`2026-02-30`). */
function utcDate(year: number, month: number, day: number): number | undefined {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0–99 as written
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? d.getTime() : undefined;
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function parseDate(s: string): Value | null {
  let parts: [number, number | undefined, number] | null = null;
  let m: RegExpExecArray | null;
  if ((m = ISO_DATE.exec(s))) parts = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = MONTH_FIRST.exec(s))) parts = [Number(m[3]), monthOf(m[1]), Number(m[2])];
  else if ((m = DAY_FIRST.exec(s))) parts = [Number(m[3]), monthOf(m[2]), Number(m[1])];
  if (!parts || parts[1] === undefined) return null;
  const [year, month, day] = parts;
  const value = utcDate(year, month, day);
  return value === undefined ? null : { kind: 'date', value, raw: '', canonical: isoDate(year, month, day) };
}

// ---------------------------------------------------------------------------
// Decoration, quotes
// ---------------------------------------------------------------------------

const ESCAPE = /\\([!-/:-@[-`{-~])/g;
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };

/** Emphasis, code or strikethrough marker opening `s`: `~~`, or a run of `*`, `_` or backticks. */
function leadingMarker(s: string): string {
  if (s.startsWith('~~')) return '~~';
  const ch = s[0];
  if (ch !== '*' && ch !== '_' && ch !== '`') return '';
  let n = 1;
  while (s[n] === ch) n++;
  return ch.repeat(n);
}

/**
 * `**10%**` → `10%`, `` `x` `` → `x`, `**_x_**` → `x`. Only a marker that
 * wraps the whole value is removed (`*a* and *b*` stays as written); the
 * depth is bounded so hostile input stays linear.
 */
function stripDecoration(s: string): string {
  let out = s.trim();
  for (let depth = 0; depth < 8; depth++) {
    const marker = leadingMarker(out);
    if (!marker || out.length < 2 * marker.length || !out.endsWith(marker)) break;
    const inner = out.slice(marker.length, -marker.length);
    if (inner.trim() === '' || inner.includes(marker)) break;
    out = inner.trim();
  }
  return out;
}

/** The text between a matching pair of surrounding quotes, or undefined. */
function unquote(s: string): string | undefined {
  const close = QUOTES[s[0]];
  return close !== undefined && s.length >= 2 && s.endsWith(close) ? s.slice(1, -1) : undefined;
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Types a written value (spec §2, first match wins): percent, money, plain
 * number, date, boolean, else text. Never throws.
 */
export function parseValue(raw: string): Value {
  if (raw.length > SHARED_VALUE_LENGTH) return typeValue(raw);
  let value = sharedValues.get(raw);
  if (value === undefined) {
    if (sharedValues.size >= VALUES_KEPT) sharedValues.clear();
    value = typeValue(raw);
    sharedValues.set(raw, value);
  }
  return value;
}

/**
 * Values are never changed in place, so the same written text gives the
 * same object (within a bounded table, emptied when full): a knowledge base
 * writes the same few values (`Quebec`, `10%`, `$5,000`) in many places, and
 * a worker holds a whole domain's until it checks it.
 */
const sharedValues = new Map<string, Value>();
const VALUES_KEPT = 2_000;
const SHARED_VALUE_LENGTH = 64;

function typeValue(raw: string): Value {
  const trimmed = raw.trim();
  const bare = stripDecoration(trimmed);
  const s = bare.includes('\\') ? bare.replace(ESCAPE, '$1') : bare;
  const quoted = unquote(s);
  if (quoted !== undefined) return { kind: 'text', value: quoted, raw: trimmed, canonical: quoted };
  const typed = parsePercent(s) ?? parseMoney(s) ?? parsePlainNumber(s) ?? parseDate(s);
  // `10%` written as `10%` keeps one string for both.
  if (typed) return { ...typed, raw: trimmed, canonical: typed.canonical === trimmed ? trimmed : typed.canonical };
  if (/^(yes|true)$/i.test(s)) return { kind: 'boolean', value: true, raw: trimmed, canonical: 'yes' };
  if (/^(no|false)$/i.test(s)) return { kind: 'boolean', value: false, raw: trimmed, canonical: 'no' };
  return { kind: 'text', value: s, raw: trimmed, canonical: s };
}

/**
 * True when the comma at `i` groups thousands: a digit before it, exactly
 * three digits after it, then a non-digit or the end (`1,250`, `$5,000`;
 * not `1,2` or `1,2500`). `end` bounds the text (exclusive).
 */
export function isThousandsComma(s: string, i: number, end: number = s.length): boolean {
  const digit = (k: number) => k < end && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57;
  return s[i] === ',' && i > 0 && digit(i - 1) && digit(i + 1) && digit(i + 2) && digit(i + 3) && !digit(i + 4);
}

const MONTH_DAY_BEFORE = /(?:^|[^A-Za-z])[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?$/i;
const YEAR_AFTER = /^\s{0,3}\d{4}(?!\d)/;

/**
 * True when the comma at `i` belongs to a date written `January 1, 2026`
 * (a month name and a day before it, a four-digit year after it).
 */
export function isDateComma(s: string, i: number, end: number = s.length): boolean {
  if (s[i] !== ',') return false;
  const before = MONTH_DAY_BEFORE.exec(s.slice(Math.max(0, i - 24), i));
  if (!before || !YEAR_AFTER.test(s.slice(i + 1, Math.min(end, i + 9)))) return false;
  return monthOf(/[A-Za-z]+/.exec(before[0])![0]) !== undefined;
}

/**
 * Splits a comma-separated list of values, keeping thousands separators
 * (`$5,000, $10,000` → two items; `1,2,3` → three) and the comma of dates
 * like `January 1, 2026`. Commas inside double quotes or `[[references]]`
 * do not split. Items are trimmed; empty items are dropped.
 */
export function parseValueList(raw: string): string[] {
  const items: string[] = [];
  let start = 0;
  let noRefClose = false; // no `]]` after some earlier `[[`: none after any later one either
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '"' || ch === '“') {
      const close = raw.indexOf(ch === '"' ? '"' : '”', i + 1);
      if (close === -1) break; // an unclosed quote runs to the end
      i = close;
    } else if (ch === '[' && raw[i + 1] === '[' && !noRefClose) {
      const close = raw.indexOf(']]', i + 2);
      if (close === -1) noRefClose = true;
      else i = close + 1;
    } else if (ch === ',' && !isThousandsComma(raw, i) && !isDateComma(raw, i)) {
      items.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  items.push(raw.slice(start));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/** Percent goes only with percent; a missing unit goes with any currency (and with none). */
/**
 * Whether two numbers' units can be compared: the same unit; a plain number
 * with any money (not with a percentage); a bare `$` with any dollar currency.
 */
export function unitsCompatible(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === 'percent' || b === 'percent') return false;
  if (a === undefined || b === undefined) return true;
  return (a === '$' && DOLLARS.has(b)) || (b === '$' && DOLLARS.has(a));
}

/** Numbers computed from parsed values may differ in the last bits (`0.1 + 0.2`). */
function numbersEqual(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}

/**
 * Equality of typed values: numbers by value with compatible units, texts
 * case-insensitively with whitespace collapsed, dates and booleans by value,
 * JSON structurally. Values of different kinds are never equal.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  switch (a.kind) {
    case 'number':
      return b.kind === 'number' && unitsCompatible(a.unit, b.unit) && numbersEqual(a.value, b.value);
    case 'text':
      return b.kind === 'text' && normalizeName(a.value) === normalizeName(b.value);
    case 'date':
    case 'boolean':
      return b.kind === a.kind && a.value === b.value;
    case 'json':
      return b.kind === 'json' && deepEqual(a.value, b.value);
  }
}

/**
 * Orders two values: negative, zero or positive, or undefined when they
 * cannot be compared (different kinds, percent vs money, two currencies,
 * two different JSON values). Texts order case-insensitively by code unit
 * (good for sorting, not a collation); `no` < `yes`. Consistent with
 * `valuesEqual`: zero exactly when the values are equal.
 */
export function compareValues(a: Value, b: Value): number | undefined {
  const sign = (x: number, y: number) => (x < y ? -1 : x > y ? 1 : 0);
  switch (a.kind) {
    case 'number':
      if (b.kind !== 'number' || !unitsCompatible(a.unit, b.unit)) return undefined;
      return numbersEqual(a.value, b.value) ? 0 : sign(a.value, b.value);
    case 'date':
      return b.kind === 'date' ? sign(a.value, b.value) : undefined;
    case 'boolean':
      return b.kind === 'boolean' ? sign(Number(a.value), Number(b.value)) : undefined;
    case 'text': {
      if (b.kind !== 'text') return undefined;
      const x = normalizeName(a.value);
      const y = normalizeName(b.value);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'json':
      return b.kind === 'json' && deepEqual(a.value, b.value) ? 0 : undefined;
  }
}
