/**
 * A fast parser for the Markdown that knowledge files are made of: front
 * matter, ATX headings, paragraphs, bullet and numbered lists, block quotes
 * (callouts), fenced code, GFM tables and thematic breaks, with emphasis,
 * code spans, inline links and images, backslash escapes and line breaks
 * inline. It builds the same tree as micromark (remark-parse + remark-gfm +
 * remark-frontmatter) for that subset, with node positions holding offsets
 * only (all `BlockBuilder` reads), ~40 times faster on knowledge files.
 *
 * Anything outside the subset makes `parseSimpleMarkdown` return null and the
 * caller parses with remark: HTML, autolinks, entities, link reference
 * definitions, footnotes, strikethrough, task lists, setext headings,
 * indented code, tabs, lone `\r` line endings (`\r\n` ones are fine),
 * unclosed fences, tables inside containers, lines that
 * could be read two ways. Correctness never depends on the subset being
 * large, only on each construct it accepts being read exactly as CommonMark
 * and GFM read it; `simple.test.ts` compares both parsers on random documents
 * built from the constructs below and from the ones it refuses.
 */
import type { Root } from 'mdast';
import { LineIndex } from './lineIndex';

/** Text that needs a construct this parser leaves to remark. */
const UNSUPPORTED =
  /\r(?!\n)|[\t\0\v\f~\u2028\u2029]|&#?[A-Za-z0-9]+;|<[A-Za-z/!?]|\[\^|\]:|@|www\.|:\/\/|\[[ xX]\]/i;

/** Thrown (one shared value) when the text leaves the subset; caught by `parseSimpleMarkdown`. */
const OUTSIDE = new Error('outside the simple Markdown subset');

/**
 * A line of a container's content: `text` starts at `at` in the source; `eol` is its line ending
 * (`\n`, `\r\n`, or '' at the end), which values spanning lines keep as written; `lazy` lines
 * continue a paragraph of an outer container.
 */
interface Line {
  at: number;
  text: string;
  eol: string;
  lazy: boolean;
}

/** The texts of `lines` with their line endings between them (as code and front matter values keep them). */
const joined = (lines: readonly Line[]) => lines.map((l, k) => (k === lines.length - 1 ? l.text : l.text + l.eol)).join('');

type Context = 'root' | 'quote' | 'item';

interface Position {
  start: { offset: number };
  end: { offset: number };
}
interface Node {
  type: string;
  position: Position;
  children?: Node[];
  [key: string]: unknown;
}

const at = (start: number, end: number): Position => ({ start: { offset: start }, end: { offset: end } });

/** The mdast of `source` when it stays within the subset, else null (parse it with remark). */
export function parseSimpleMarkdown(source: string): Root | null {
  if (UNSUPPORTED.test(source)) return null;
  try {
    const lines: Line[] = [];
    for (let start = 0; ; ) {
      const nl = source.indexOf('\n', start);
      const crlf = nl > 0 && source.charCodeAt(nl - 1) === 13;
      const end = nl === -1 ? source.length : crlf ? nl - 1 : nl;
      lines.push({ at: start, text: source.slice(start, end), eol: nl === -1 ? '' : crlf ? '\r\n' : '\n', lazy: false });
      if (nl === -1) break;
      start = nl + 1;
    }
    const children: Node[] = [];
    let first = 0;
    if (lines[0].text.startsWith('---') || lines[0].text.startsWith('+++')) first = frontMatter(lines, children);
    children.push(...blocks(lines.slice(first), 'root'));
    return { type: 'root', children } as unknown as Root;
  } catch (error) {
    if (error === OUTSIDE) return null;
    throw error;
  }
}

function outside(): never {
  throw OUTSIDE;
}

/** YAML front matter opening the text: `---` lines around it, nothing else on them. */
function frontMatter(lines: Line[], out: Node[]): number {
  if (lines[0].text !== '---') outside();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].text === '---') {
      const value = joined(lines.slice(1, i));
      out.push({ type: 'yaml', value, position: at(0, lines[i].at + 3) });
      return i + 1;
    }
    if (/^(?:---|\.\.\.)\s/.test(lines[i].text)) outside();
  }
  return outside();
}

// ---------------------------------------------------------------- blocks

const ATX = /^(#{1,6})(?= |$)/;
const THEMATIC_BREAK = /^(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$/;
/** A setext heading underline, or a line that might be a table's delimiter row. */
const UNDERLINE_OR_DELIMITER = /^ {0,3}(?:=+ *|\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *)$/;
const DELIMITER_ROW = /^ {0,3}\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$/;

const blank = (text: string) => /^ *$/.test(text);
const indentOf = (text: string) => {
  let n = 0;
  while (text.charCodeAt(n) === 32) n++;
  return n;
};
const lineEnd = (line: Line) => line.at + line.text.length;
/** Markdown trims spaces (and tabs, which this parser declines), not other Unicode whitespace. */
const trimSpaces = (text: string) => text.replace(/^ +| +$/g, '');

interface Marker {
  indent: number;
  ordered: boolean;
  /** The bullet character, or the ordered delimiter. */
  kind: string;
  number: number;
  /** Width of the marker itself (`-`, `10.`). */
  width: number;
  /** Column of the item's content, from the start of the line's text. */
  content: number;
  /** Whether text follows the marker on its line. */
  filled: boolean;
}

function listMarker(text: string): Marker | null {
  const indent = indentOf(text);
  if (indent > 3) return null;
  // A bullet (`-`, `+`, `*`) or one to nine digits and `.` or `)`, then spaces; read by character
  // codes, without a regular expression: every line of a list is asked several times.
  const c = text.charCodeAt(indent);
  let p = indent;
  let number = 0;
  if (c === 45 /* - */ || c === 43 /* + */ || c === 42 /* * */) p++;
  else {
    while (p - indent < 9 && isDigit(text.charCodeAt(p))) number = number * 10 + (text.charCodeAt(p++) - 48);
    const delimiter = text.charCodeAt(p);
    if (p === indent || (delimiter !== 46 /* . */ && delimiter !== 41 /* ) */)) return null;
    p++;
  }
  const markerWidth = p - indent;
  let spaces = 0;
  while (text.charCodeAt(p + spaces) === 32) spaces++;
  const filled = markerWidth + spaces < text.length - indent;
  if (spaces === 0 && filled) return null; // `-x`, `1.x`: text, not a marker
  const bullet = !isDigit(c);
  return {
    indent,
    ordered: !bullet,
    kind: bullet ? text[indent] : text[p - 1],
    number: bullet ? 0 : number,
    width: markerWidth,
    content: indent + markerWidth + spaces,
    filled,
  };
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** Whether `text` (within its container) starts a block that can interrupt a paragraph; throws where the reading is subtle. */
function interrupts(text: string): boolean {
  const indent = indentOf(text);
  if (indent > 3) return false;
  const rest = text.slice(indent);
  if (UNDERLINE_OR_DELIMITER.test(text)) outside(); // setext heading or a table below a paragraph line
  if (ATX.test(rest) || rest.startsWith('```') || rest[0] === '>' || THEMATIC_BREAK.test(rest)) return true;
  const marker = listMarker(text);
  if (!marker) return false;
  if (!marker.filled) outside();
  return !marker.ordered || marker.number === 1;
}

/**
 * Whether a line below a paragraph of a container it does not continue would be read as that
 * paragraph's lazy continuation: any line that starts no block. A lazy line is never a setext
 * underline or a table's delimiter row (`- x | y` above `| - | - |` stays one paragraph).
 */
function lazyContinuation(text: string): boolean {
  if (blank(text)) return false;
  const indent = indentOf(text);
  return indent > 3 || !startsBlock(text, text.slice(indent));
}

/** Whether a line (`rest`: without its indent of at most 3) starts a block wherever it stands: it ends lazy paragraphs and tables. */
function startsBlock(text: string, rest: string): boolean {
  return ATX.test(rest) || rest.startsWith('```') || rest[0] === '>' || THEMATIC_BREAK.test(rest) || listMarker(text) !== null;
}

function blocks(lines: Line[], context: Context): Node[] {
  const out: Node[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (blank(line.text)) {
      if (line.lazy) outside();
      i++;
      continue;
    }
    if (line.lazy) outside(); // a lazy line must continue a paragraph
    const indent = indentOf(line.text);
    if (indent > 3) outside(); // indented code
    const rest = line.text.slice(indent);
    const start = line.at + indent;
    const atx = ATX.exec(rest);
    if (atx) {
      out.push(heading(atx[1].length, rest, start, lineEnd(line)));
      i++;
    } else if (rest.startsWith('```')) {
      if (context !== 'root') outside();
      i = fencedCode(lines, i, indent, out);
    } else if (THEMATIC_BREAK.test(rest)) {
      out.push({ type: 'thematicBreak', position: at(start, lineEnd(line)) });
      i++;
    } else if (rest[0] === '>') {
      if (context !== 'root') outside();
      i = blockquote(lines, i, out);
    } else if (listMarker(line.text)) {
      i = list(lines, i, context, out);
    } else if (i + 1 < lines.length && !lines[i + 1].lazy && rest.includes('|') && delimiterRow(lines[i + 1].text)) {
      if (context !== 'root') outside();
      i = table(lines, i, out);
    } else {
      i = paragraph(lines, i, out);
    }
  }
  return out;
}

/** Whether a line below a table's header row makes it one (`- |` is a list item, not a delimiter row). */
function delimiterRow(text: string): boolean {
  return text.includes('|') && DELIMITER_ROW.test(text) && !startsBlock(text, text.slice(indentOf(text)));
}

function heading(depth: number, rest: string, start: number, end: number): Node {
  let content = rest.slice(depth);
  let from = start + depth;
  const lead = indentOf(content);
  content = content.slice(lead);
  from += lead;
  content = content.replace(/(?:^| +)#+ *$/, '').replace(/ +$/, '');
  const children = content === '' ? [] : inline([{ at: from, text: content }]);
  return { type: 'heading', depth, children, position: at(start, end) };
}

function fencedCode(lines: Line[], i: number, indent: number, out: Node[]): number {
  const open = lines[i];
  const rest = open.text.slice(indent);
  const fence = /^`+/.exec(rest)![0];
  const info = trimSpaces(rest.slice(fence.length));
  if (info.includes('`') || info.includes('\\')) outside();
  for (let j = i + 1; j < lines.length; j++) {
    const text = lines[j].text;
    const close = indentOf(text);
    if (close <= 3 && text.startsWith(fence, close) && /^`* *$/.test(text.slice(close + fence.length))) {
      const value = joined(lines.slice(i + 1, j).map((l) => ({ ...l, text: l.text.slice(Math.min(indent, indentOf(l.text))) })));
      const space = info.search(/ /);
      const lang = info === '' ? null : space === -1 ? info : info.slice(0, space);
      const meta = space === -1 ? null : trimSpaces(info.slice(space));
      out.push({ type: 'code', lang, meta, value, position: at(open.at + indent, lineEnd(lines[j])) });
      return j + 1;
    }
  }
  return outside(); // an unclosed fence runs to the end of the text: left to remark
}

function blockquote(lines: Line[], i: number, out: Node[]): number {
  const inner: Line[] = [];
  const start = lines[i].at + indentOf(lines[i].text);
  let j = i;
  for (; j < lines.length; j++) {
    const line = lines[j];
    const indent = indentOf(line.text);
    if (indent <= 3 && line.text[indent] === '>') {
      const skip = indent + 1 + (line.text[indent + 1] === ' ' ? 1 : 0);
      inner.push({ at: line.at + skip, text: line.text.slice(skip), eol: line.eol, lazy: false });
    } else if (j > i && !blank(inner[inner.length - 1].text) && lazyContinuation(line.text)) {
      inner.push({ ...line, lazy: true });
    } else break;
  }
  const children = blocks(inner, 'quote');
  // micromark stretches nested lists over a quote's closing blank line (`> - a\n>   - b\n>     `).
  if (blank(inner[inner.length - 1].text) && children.some((c) => c.type === 'list')) outside();
  out.push({ type: 'blockquote', children, position: at(start, lineEnd(lines[j - 1])) });
  return j;
}

function list(lines: Line[], i: number, context: Context, out: Node[]): number {
  const first = listMarker(lines[i].text)!;
  const items: Node[] = [];
  for (;;) {
    const line = lines[i];
    const marker = listMarker(line.text)!;
    let last = i;
    if (!marker.filled) {
      // An item that starts empty holds what an indented next line says (left to remark), else nothing.
      // In a container micromark's reading of it depends on what precedes the container: left to remark.
      if (context !== 'root') outside();
      const next = lines[i + 1];
      if (next && !next.lazy && !blank(next.text) && indentOf(next.text) > marker.indent + marker.width) outside();
      items.push({ type: 'listItem', children: [], position: at(line.at + marker.indent, lineEnd(line)) });
    } else {
      last = listItem(lines, i, marker, items);
    }
    // The next item of the same list, possibly after blank lines.
    let k = last + 1;
    while (k < lines.length && blank(lines[k].text) && !lines[k].lazy) k++;
    const sibling = k < lines.length && !lines[k].lazy ? listMarker(lines[k].text) : null;
    if (!sibling || sibling.ordered !== first.ordered || sibling.kind !== first.kind || THEMATIC_BREAK.test(lines[k].text.slice(indentOf(lines[k].text)))) {
      // In a quote micromark ends a list that another kind of list follows where that list's marker
      // stands, past the quote's `> ` (`> * a\n> - b`), and stretches its nested lists with it: left to remark.
      if (sibling && context === 'quote') outside();
      const start = items[0].position.start.offset;
      out.push({ type: 'list', ordered: first.ordered, children: items, position: at(start, items[items.length - 1].position.end.offset) });
      return last + 1;
    }
    i = k;
  }
}

/** The item whose marker (followed by text) opens `lines[i]`, pushed onto `items`; returns its last line. */
function listItem(lines: Line[], i: number, marker: Marker, items: Node[]): number {
  const line = lines[i];
  if (marker.content - marker.indent - marker.width > 4) outside(); // indented code in the item
  const content: Line[] = [{ at: line.at + marker.content, text: line.text.slice(marker.content), eol: line.eol, lazy: line.lazy }];
  let last = i;
  for (let j = i + 1; j < lines.length; j++) {
    const next = lines[j];
    if (blank(next.text)) {
      if (next.lazy) break;
      content.push({ at: lineEnd(next), text: '', eol: next.eol, lazy: false });
      continue;
    }
    if (!next.lazy && indentOf(next.text) >= marker.content) {
      content.push({ at: next.at + marker.content, text: next.text.slice(marker.content), eol: next.eol, lazy: false });
    } else if (last === j - 1 && (next.lazy || lazyContinuation(next.text))) {
      content.push({ ...next, lazy: true });
    } else break;
    last = j;
  }
  content.length = last - i + 1;
  items.push({ type: 'listItem', children: blocks(content, 'item'), position: at(line.at + marker.indent, lineEnd(lines[last])) });
  return last;
}

function table(lines: Line[], i: number, out: Node[]): number {
  const header = cells(lines[i]);
  const delimiter = cells(lines[i + 1]);
  if (header.length !== delimiter.length) outside();
  const align = delimiter.map(({ text }) => {
    const left = text.startsWith(':');
    const right = text.endsWith(':');
    return left && right ? 'center' : left ? 'left' : right ? 'right' : null;
  });
  const rows: Node[] = [row(lines[i], header)];
  let j = i + 2;
  for (; j < lines.length && !blank(lines[j].text); j++) {
    const text = lines[j].text;
    const indent = indentOf(text);
    if (indent > 3 || startsBlock(text, text.slice(indent))) break; // the next block ends the table
    if (!text.includes('|')) outside(); // a row all the same, of one cell
    const body = cells(lines[j]);
    if (body.length !== header.length) outside();
    rows.push(row(lines[j], body));
  }
  const start = lines[i].at + indentOf(lines[i].text);
  out.push({ type: 'table', align, children: rows, position: at(start, lineEnd(lines[j - 1])) });
  return j;
}

interface Cell {
  text: string;
  start: number;
  end: number;
}

/** A table line's cells: their trimmed text and its place. */
function cells(line: Line): Cell[] {
  const text = line.text;
  if (text.includes('\\')) outside(); // an escaped pipe is cell text
  let from = indentOf(text);
  let to = text.length;
  while (to > from && text.charCodeAt(to - 1) === 32) to--;
  if (to - from === 1 && text[from] === '|') outside(); // a lone pipe: no cell in a header, an empty one in a body
  if (text[from] === '|') from++;
  if (to > from && text[to - 1] === '|') to--;
  const out: Cell[] = [];
  for (let s = from; ; ) {
    const bar = text.indexOf('|', s);
    const e = bar === -1 || bar > to ? to : bar;
    let a = s;
    let b = e;
    while (a < b && text.charCodeAt(a) === 32) a++;
    while (b > a && text.charCodeAt(b - 1) === 32) b--;
    out.push({ text: text.slice(a, b), start: line.at + a, end: line.at + b });
    if (e === to) break;
    s = e + 1;
  }
  return out;
}

function row(line: Line, cellsOfRow: Cell[]): Node {
  const start = line.at + indentOf(line.text);
  return {
    type: 'tableRow',
    children: cellsOfRow.map((c) => ({ type: 'tableCell', children: [], position: at(c.start, c.end) })),
    position: at(start, lineEnd(line)),
  };
}

function paragraph(lines: Line[], i: number, out: Node[]): number {
  let j = i + 1;
  for (; j < lines.length; j++) {
    const text = lines[j].text;
    if (lines[j].lazy) continue;
    if (blank(text) || interrupts(text)) break;
  }
  const own = lines.slice(i, j).map((l, k) => {
    const lead = indentOf(l.text);
    let end = l.text.length;
    while (end > lead && l.text.charCodeAt(end - 1) === 32) end--;
    if (end < l.text.length && l.text[end - 1] === '\\') outside(); // `\ ` at a line's end: the backslash is text
    return { at: l.at + lead, text: l.text.slice(lead, end), eol: l.eol, hardBreak: l.text.length - end >= 2 && i + k < j - 1 };
  });
  out.push({ type: 'paragraph', children: inline(own), position: at(own[0].at, lineEnd(lines[j - 1])) });
  return j;
}

// ---------------------------------------------------------------- inline

/** One inline node while parsing: a doubly linked list of them, as in the CommonMark reference algorithm. */
interface Item {
  node: Node;
  prev: Item | null;
  next: Item | null;
}

interface Delimiter {
  item: Item;
  char: number;
  /** Characters left in the run. */
  count: number;
  canOpen: boolean;
  canClose: boolean;
  prev: Delimiter | null;
  next: Delimiter | null;
}

interface Bracket {
  item: Item;
  image: boolean;
  active: boolean;
  delimiter: Delimiter | null;
  prev: Bracket | null;
}

const STAR = 42;
const UNDERSCORE = 95;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WHITESPACE = /\s/;
const PUNCTUATION = /\p{P}|\p{S}/u;

/** Character class as micromark sees it (per UTF-16 code unit): 1 whitespace, 2 punctuation, 0 other. */
function kindOf(code: number): number {
  if (Number.isNaN(code) || code === 10 || code === 32) return 1;
  const ch = String.fromCharCode(code);
  if (WHITESPACE.test(ch)) return 1;
  return PUNCTUATION.test(ch) ? 2 : 0;
}

/** A line of inline content: its text without leading and trailing spaces, where it starts, and whether a hard break ends it. */
interface InlineLine {
  at: number;
  text: string;
  /** The line ending after it (`\r\n` ones are put back into text values). */
  eol?: string;
  hardBreak?: boolean;
}

/** Inline content of a paragraph or heading. */
function inline(lines: InlineLine[]): Node[] {
  const parser = new InlineParser(lines);
  return parser.parse();
}

class InlineParser {
  private readonly text: string;
  /** Where each line of `text` starts in the source (`lines` finds an index's line, when first asked). */
  private readonly offsets: number[] = [];
  private lines: LineIndex | undefined;
  private head: Item | null = null;
  private tail: Item | null = null;
  private delimiters: Delimiter | null = null;
  private brackets: Bracket | null = null;
  /** Plain text not yet made a node: `text[pendingStart, pendingEnd)`, -1 when none. */
  private pendingStart = -1;
  private pendingEnd = -1;

  /** Indexes in `text` of the line endings that are hard breaks (two spaces or more before them); none is most paragraphs. */
  private readonly hardBreaks: Set<number> | null = null;

  /** Indexes in `text` of the line endings written `\r\n` (`text` joins lines with `\n`). */
  private readonly crlf: Set<number> | null = null;

  constructor(lines: InlineLine[]) {
    let length = 0;
    for (const l of lines) {
      this.offsets.push(l.at);
      length += l.text.length + 1;
      if (l.hardBreak) (this.hardBreaks ??= new Set()).add(length - 1);
      if (l.eol === '\r\n') (this.crlf ??= new Set()).add(length - 1);
    }
    this.text = lines.map((l) => l.text).join('\n');
  }

  /** The source offset of `index` in `text`. */
  private offset(index: number): number {
    const { line, character } = (this.lines ??= new LineIndex(this.text)).position(index);
    return this.offsets[line] + character;
  }

  parse(): Node[] {
    const text = this.text;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \ */) {
        const next = text[i + 1];
        if (next === '\n') {
          this.flushAt(i);
          this.append({ type: 'break', position: at(i, i + 2) });
          i += 2;
        } else if (next !== undefined && ASCII_PUNCTUATION.test(next)) {
          this.flushAt(i);
          this.literal(next, i, i + 2);
          i += 2;
        } else {
          this.addText(i, i + 1);
          i++;
        }
      } else if (c === 96 /* ` */) {
        i = this.codeSpan(i);
      } else if (c === STAR || c === UNDERSCORE) {
        i = this.delimiterRun(i, c);
      } else if (c === 91 /* [ */) {
        this.flushAt(i);
        this.openBracket(i, i + 1, false);
        i++;
      } else if (c === 33 /* ! */ && text.charCodeAt(i + 1) === 91) {
        this.flushAt(i);
        this.openBracket(i, i + 2, true);
        i += 2;
      } else if (c === 93 /* ] */) {
        i = this.closeBracket(i);
      } else if (c === 10 && this.hardBreaks?.has(i)) {
        this.flushAt(i);
        this.append({ type: 'break', position: at(i, i + 1) });
        i++;
      } else {
        this.addText(i, i + 1);
        i++;
      }
    }
    this.flushAt(n);
    this.processEmphasis(null);
    return this.finish(this.head);
  }

  // Plain text accumulates until something else comes, as one range (one flat string in the end:
  // adding it character by character would make a rope of one V8 object per character).
  private addText(start: number, end: number): void {
    if (this.pendingStart === -1) this.pendingStart = start;
    this.pendingEnd = end;
  }

  private flushAt(end: number): void {
    if (this.pendingStart === -1) return;
    this.append({ type: 'text', value: this.written(this.pendingStart, this.pendingEnd), position: at(this.pendingStart, end) });
    this.pendingStart = -1;
  }

  /** `text[start, end)` with its line endings as written. */
  private written(start: number, end: number): string {
    const plain = this.text.slice(start, end);
    if (this.crlf === null || !plain.includes('\n')) return plain;
    const parts: string[] = [];
    let from = start;
    for (let nl = plain.indexOf('\n'); nl !== -1; nl = plain.indexOf('\n', nl + 1)) {
      const k = start + nl;
      if (!this.crlf.has(k)) continue;
      parts.push(this.text.slice(from, k), '\r\n');
      from = k + 1;
    }
    parts.push(this.text.slice(from, end));
    return parts.join('');
  }

  private literal(value: string, start: number, end: number): Item {
    return this.append({ type: 'text', value, position: at(start, end) });
  }

  private append(node: Node): Item {
    const item: Item = { node, prev: this.tail, next: null };
    if (this.tail) this.tail.next = item;
    else this.head = item;
    this.tail = item;
    return item;
  }

  private codeSpan(i: number): number {
    const text = this.text;
    let e = i;
    while (text.charCodeAt(e) === 96) e++;
    const size = e - i;
    for (let s = e; ; ) {
      const found = text.indexOf('`', s);
      if (found === -1) break;
      let f = found;
      while (text.charCodeAt(f) === 96) f++;
      if (f - found === size) {
        let value = text.slice(e, found);
        if (value.includes('\n')) outside();
        if (value.length > 1 && value[0] === ' ' && value[value.length - 1] === ' ' && !blank(value)) value = value.slice(1, -1);
        this.flushAt(i);
        this.append({ type: 'inlineCode', value, position: at(i, f) });
        return f;
      }
      s = f;
    }
    this.addText(i, e);
    return e;
  }

  private delimiterRun(i: number, c: number): number {
    const text = this.text;
    let e = i;
    while (text.charCodeAt(e) === c) e++;
    const before = kindOf(i === 0 ? NaN : text.charCodeAt(i - 1));
    const after = kindOf(e >= text.length ? NaN : text.charCodeAt(e));
    const leftFlanking = after !== 1 && (after !== 2 || before !== 0);
    const rightFlanking = before !== 1 && (before !== 2 || after !== 0);
    const canOpen = c === STAR ? leftFlanking : leftFlanking && (!rightFlanking || before === 2);
    const canClose = c === STAR ? rightFlanking : rightFlanking && (!leftFlanking || after === 2);
    this.flushAt(i);
    const item = this.literal(text.slice(i, e), i, e);
    if (canOpen || canClose) {
      const d: Delimiter = { item, char: c, count: e - i, canOpen, canClose, prev: this.delimiters, next: null };
      if (this.delimiters) this.delimiters.next = d;
      this.delimiters = d;
    }
    return e;
  }

  private openBracket(start: number, end: number, image: boolean): void {
    const item = this.literal(this.text.slice(start, end), start, end);
    this.brackets = { item, image, active: true, delimiter: this.delimiters, prev: this.brackets };
  }

  private closeBracket(i: number): number {
    const opener = this.brackets;
    if (!opener) {
      this.addText(i, i + 1);
      return i + 1;
    }
    this.brackets = opener.prev;
    if (!opener.active) {
      this.addText(i, i + 1);
      return i + 1;
    }
    const destination = this.text.charCodeAt(i + 1) === 40 /* ( */ ? this.inlineDestination(i + 2) : null;
    if (!destination) {
      // No definitions exist (the text holds no `]:`), so `[x]`, `[x][]` and `[x][y]` are text.
      this.addText(i, i + 1);
      return i + 1;
    }
    this.flushAt(i);
    const start = opener.item.node.position.start.offset;
    const end = destination.end;
    // The link's children: everything after the opener.
    this.processEmphasis(opener.delimiter);
    const children = this.finish(opener.item.next);
    const node: Node = opener.image
      ? { type: 'image', url: destination.url, alt: plain(children), position: at(start, end) }
      : { type: 'link', url: destination.url, children, position: at(start, end) };
    // Replace the opener and what follows it by the link.
    opener.item.node = node;
    opener.item.next = null;
    this.tail = opener.item;
    if (!opener.image) for (let b = this.brackets; b; b = b.prev) if (!b.image) b.active = false;
    return end;
  }

  /** `(destination "title")` from just after its parenthesis: the url and where the link ends, or null if it is not one. */
  private inlineDestination(p: number): { url: string; end: number } | null {
    const text = this.text;
    const n = text.length;
    p = skipSpace(text, p);
    if (text[p] === '<') outside();
    const from = p;
    let depth = 0;
    for (; p < n; p++) {
      const c = text.charCodeAt(p);
      if (c <= 32) break;
      if (c === 92) outside();
      if (c === 40) {
        if (++depth > 32) outside();
      } else if (c === 41) {
        if (depth === 0) break;
        depth--;
      }
    }
    if (depth !== 0) return null;
    const url = text.slice(from, p);
    const spaced = skipSpace(text, p);
    if (spaced > p && spaced < n && '"\'('.includes(text[spaced])) {
      const close = text[spaced] === '(' ? ')' : text[spaced];
      const titleEnd = text.indexOf(close, spaced + 1);
      if (titleEnd === -1) return null;
      const title = text.slice(spaced + 1, titleEnd);
      if (title.includes('\n') || title.includes('\\') || (close === ')' && title.includes('('))) outside();
      p = skipSpace(text, titleEnd + 1);
    } else p = spaced;
    return text.charCodeAt(p) === 41 ? { url, end: p + 1 } : null;
  }

  /**
   * CommonMark's "process emphasis" over the delimiters above `bottom`, as
   * micromark does it: the nearest opener is searched without the spec's
   * `openers_bottom` shortcut, and the rule of three weighs the runs' sizes
   * left, not their original lengths (`****](u)***)` is `**<strong>](u)</strong>*)`).
   */
  private processEmphasis(bottom: Delimiter | null): void {
    let closer: Delimiter | null = bottom ? bottom.next : this.firstDelimiter();
    while (closer) {
      if (!closer.canClose) {
        closer = closer.next;
        continue;
      }
      let opener = closer.prev;
      while (opener && opener !== bottom) {
        if (
          opener.char === closer.char &&
          opener.canOpen &&
          !((opener.canClose || closer.canOpen) && closer.count % 3 !== 0 && (opener.count + closer.count) % 3 === 0)
        )
          break;
        opener = opener.prev;
      }
      if (opener && opener !== bottom) {
        const use = opener.count >= 2 && closer.count >= 2 ? 2 : 1;
        opener.count -= use;
        closer.count -= use;
        const o = opener.item.node;
        const c = closer.item.node;
        o.value = (o.value as string).slice(use);
        o.position = at(o.position.start.offset, o.position.end.offset - use);
        const start = o.position.end.offset;
        const cStart = c.position.start.offset;
        c.value = (c.value as string).slice(use);
        c.position = at(cStart + use, c.position.end.offset);
        // Wrap what lies between opener and closer.
        const inner = opener.item.next === closer.item ? null : opener.item.next;
        const children = inner ? this.finish(inner, closer.item) : [];
        const wrap: Item = {
          node: { type: use === 2 ? 'strong' : 'emphasis', children, position: at(start, cStart + use) },
          prev: opener.item,
          next: closer.item,
        };
        opener.item.next = wrap;
        closer.item.prev = wrap;
        // Delimiters between them are gone.
        opener.next = closer;
        closer.prev = opener;
        if (opener.count === 0) {
          this.unlink(opener.item);
          this.removeDelimiter(opener);
        }
        if (closer.count === 0) {
          this.unlink(closer.item);
          const next = closer.next;
          this.removeDelimiter(closer);
          closer = next;
        }
      } else {
        const next = closer.next;
        if (!closer.canOpen) this.removeDelimiter(closer);
        closer = next;
      }
    }
    while (this.delimiters && this.delimiters !== bottom) this.removeDelimiter(this.delimiters);
  }

  private firstDelimiter(): Delimiter | null {
    let d = this.delimiters;
    while (d?.prev) d = d.prev;
    return d;
  }

  private removeDelimiter(d: Delimiter): void {
    if (d.prev) d.prev.next = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.delimiters = d.prev;
  }

  private unlink(item: Item): void {
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.tail = item.prev;
  }

  /** The nodes from `from` up to (not including) `until`, adjacent text merged, empty text dropped, offsets made source offsets. */
  private finish(from: Item | null, until: Item | null = null): Node[] {
    const out: Node[] = [];
    for (let item = from; item && item !== until; item = item.next) {
      const node = item.node;
      if (node.type === 'text') {
        if (node.value === '') continue;
        const last = out[out.length - 1];
        if (last?.type === 'text') {
          last.value = (last.value as string) + (node.value as string);
          last.position = { start: last.position.start, end: { offset: this.offset(node.position.end.offset) } };
          continue;
        }
      }
      // Each item is finished once: what a link or emphasis takes leaves the list.
      node.position = at(this.offset(node.position.start.offset), this.offset(node.position.end.offset));
      out.push(node.type === 'text' ? { ...node } : node);
    }
    return out;
  }
}

function skipSpace(text: string, p: number): number {
  let newline = false;
  for (;;) {
    const c = text.charCodeAt(p);
    if (c === 32) p++;
    else if (c === 10 && !newline) {
      newline = true;
      p++;
    } else return p;
  }
}

/** The text of inline nodes without their marks (an image's `alt`). */
function plain(nodes: Node[]): string {
  let out = '';
  for (const n of nodes) {
    if (n.type === 'text' || n.type === 'inlineCode') out += n.value as string;
    else if (n.type === 'image') out += n.alt as string;
    else if (n.children) out += plain(n.children);
  }
  return out;
}
