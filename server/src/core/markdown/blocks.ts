/**
 * Markdown → the seed's blocks. remark (unified + remark-parse + remark-gfm +
 * remark-frontmatter) does the parsing; this module maps its top-level nodes
 * to `Block`s and remembers where each top-level node starts and ends
 * (`Segment`s) so that an edit can re-parse only the nodes it touches.
 */
import { sha256 } from '../hash';
import { exact } from '../lists';
import type { Blockquote, List, ListItem, Paragraph, PhrasingContent, Root, RootContent, Table } from 'mdast';
import { gfmFootnoteFromMarkdown } from 'mdast-util-gfm-footnote';
import { gfmStrikethroughFromMarkdown } from 'mdast-util-gfm-strikethrough';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { gfmTaskListItemFromMarkdown } from 'mdast-util-gfm-task-list-item';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTaskListItem } from 'micromark-extension-gfm-task-list-item';
import { combineExtensions } from 'micromark-util-combine-extensions';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified, type Processor } from 'unified';
import type { Block, BlockContent, BlockType, RichText, Span } from '../model';
import { parseSimpleMarkdown } from './simple';

const processor = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']);

/**
 * remark-gfm without its autolink literals (bare `www.…`, `http(s)://…` and
 * e-mail addresses turned into links). They cost a quarter of the parse on
 * dense knowledge (the e-mail construct is tried at every word and the mdast
 * pass runs five regular expressions over every text node), yet none can
 * occur in text without `@`, `www.` or `://`: such text parses exactly as
 * with `processor` (`blocks.test.ts` checks it), the rest uses `processor`.
 */
const withoutLiteralLinks = unified()
  .use(remarkParse)
  .use(function gfmWithoutAutolinkLiterals(this: Processor) {
    const data = this.data();
    (data.micromarkExtensions ??= []).push(combineExtensions([gfmFootnote(), gfmStrikethrough(), gfmTable(), gfmTaskListItem()]));
    (data.fromMarkdownExtensions ??= []).push([
      gfmFootnoteFromMarkdown(),
      gfmStrikethroughFromMarkdown(),
      gfmTableFromMarkdown(),
      gfmTaskListItemFromMarkdown(),
    ]);
  })
  .use(remarkFrontmatter, ['yaml']);

/** Whatever a GFM autolink literal needs (see `withoutLiteralLinks`). */
const MAY_HOLD_LITERAL_LINK = /@|www\.|:\/\//i;

/** The mdast of `source`, parsed as remark-parse + remark-gfm + remark-frontmatter. */
export function parseMarkdown(source: string): Root {
  return (MAY_HOLD_LITERAL_LINK.test(source) ? processor : withoutLiteralLinks).parse(source) as Root;
}

/** The same, always through remark-gfm itself (for tests). */
export function parseMarkdownWithGfm(source: string): Root {
  return processor.parse(source) as Root;
}

/** One top-level Markdown node: the unit of incremental re-parsing. */
export interface Segment {
  span: Span;
  /** mdast node type (`paragraph`, `list`, `yaml`, …). */
  kind: string;
  /** The blocks this node produced, `[first, first + count)` in the document's block list. */
  firstBlock: number;
  blockCount: number;
}

/** A block before its final id is known: `parent` indexes the same array. */
export interface DraftBlock extends Omit<Block, 'id' | 'parentId' | 'order'> {
  parent: number | null;
}

export interface ParsedRegion {
  segments: Segment[];
  blocks: DraftBlock[];
  /** Raw YAML of the front matter, when the region starts the document and has one. */
  frontMatter: { raw: string; span: Span } | null;
}

/**
 * Parses `text.slice(start, end)` as Markdown and returns its segments and
 * blocks with spans in `text` coordinates. `firstBlock` offsets segment
 * block indexes.
 */
export function parseRegion(text: string, start: number, end: number, firstBlock = 0): ParsedRegion {
  const source = text.slice(start, end);
  return regionOf(parseSimpleMarkdown(source) ?? parseMarkdown(source), text, start, firstBlock);
}

/** `parseRegion` through remark alone (for tests: the fast parser must give the same). */
export function parseRegionWithRemark(text: string, start: number, end: number, firstBlock = 0): ParsedRegion {
  return regionOf(parseMarkdown(text.slice(start, end)), text, start, firstBlock);
}

function regionOf(root: Root, text: string, start: number, firstBlock: number): ParsedRegion {
  const builder = new BlockBuilder(text, start);
  const segments: Segment[] = [];
  let frontMatter: ParsedRegion['frontMatter'] = null;
  for (const node of root.children) {
    const span = spanOf(node, start);
    const before = builder.blocks.length;
    if (node.type === 'yaml') frontMatter = { raw: node.value, span };
    else builder.topLevel(node);
    segments.push({ span, kind: node.type, firstBlock: firstBlock + before, blockCount: builder.blocks.length - before });
  }
  return { segments, blocks: builder.blocks, frontMatter };
}

/**
 * Parses `text.slice(start, end)` like `parseRegion`, in chunks. micromark's
 * time grows faster than linearly with input size (a 190 KB knowledge file
 * takes ~25× as long as a 20 KB one), so a large region is cut before lines
 * that stand at column 0 after a blank line, outside fenced code, and can
 * only start a new top-level block (see `STARTS_FRESH`) — places where every
 * container and leaf block has ended, so each chunk parses exactly as it
 * would in context. Text whose meaning crosses such places
 * (link reference definitions, HTML blocks that run to an end tag) is parsed
 * whole. `parse.test.ts` checks chunked == whole on random documents.
 */
export function parseText(text: string, start = 0, end = text.length, firstBlock = 0, chunk = CHUNK): ParsedRegion {
  const fence = start === 0 ? unclosedFence(text) : 0;
  if (fence > 0) {
    // An unclosed front matter fence makes remark read everything below as one paragraph; blank the
    // fence (same length, so spans still match the real text) and parse the rest as ordinary Markdown.
    return parseText(' '.repeat(fence) + text.slice(fence), start, end, firstBlock, chunk);
  }
  const cuts = chunkCuts(text, start, end, chunk);
  if (cuts.length === 0) return parseRegion(text, start, end, firstBlock);
  const out: ParsedRegion = { segments: [], blocks: [], frontMatter: null };
  let from = start;
  for (const to of [...cuts, end]) {
    const offset = out.blocks.length;
    const part = parseRegion(text, from, to, firstBlock + offset);
    for (const b of part.blocks) out.blocks.push(b.parent === null ? b : { ...b, parent: b.parent + offset });
    out.segments.push(...part.segments);
    if (from === start) out.frontMatter = part.frontMatter;
    from = to;
  }
  return out;
}

const CHUNK = 16 * 1024;
/** Length of a front matter fence that opens the text and is never closed (remark-frontmatter leaves it unrecognised), else 0. */
function unclosedFence(text: string): number {
  const open = /^(---|\+\+\+)[ \t]*(?=\r?\n)/.exec(text);
  if (!open) return 0;
  const close = open[1] === '---' ? /^---[ \t]*$/m : /^\+\+\+[ \t]*$/m;
  return close.test(text.slice(open[0].length + 1)) ? 0 : open[1].length;
}
const WHOLE_ONLY = /^ {0,3}(?:\[[^\]\n]+\]:|<(?:script|pre|style|textarea|!--|\?|![A-Za-z]|!\[CDATA\[))/im;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/**
 * A line at column 0, after a blank line, that can only start a new
 * top-level block: not indented (no list or code continuation), not a list
 * marker (which would continue the list), not a quote, table, HTML, fence or
 * definition line, and not `-`/`+` (a list marker, or a `---` / `+++` fence
 * that remark-frontmatter would take for front matter at the start of a chunk).
 */
export const STARTS_FRESH = /^(?![-+]|\*(?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$))[^\s>|<`~[]/;

function chunkCuts(text: string, start: number, end: number, chunk: number): number[] {
  if (end - start < 2 * chunk) return [];
  const source = text.slice(start, end);
  if (WHOLE_ONLY.test(source)) return [];
  const cuts: number[] = [];
  let fence: { char: string; length: number } | null = null;
  let previousBlank = false;
  let last = start;
  for (let at = start; at < end; ) {
    let nl = text.indexOf('\n', at);
    if (nl === -1 || nl >= end) nl = end;
    const line = text.slice(at, nl);
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1][0] === fence.char && f[1].length >= fence.length && f[2].trim() === '') fence = null;
    } else if (f && !(f[1][0] === '`' && f[2].includes('`'))) {
      // An indented opener may belong to a list item, whose end also ends the fence: too subtle, parse whole.
      if (line[0] === ' ') return [];
      fence = { char: f[1][0], length: f[1].length };
    } else if (previousBlank && STARTS_FRESH.test(line) && at - last >= chunk) {
      cuts.push(at);
      last = at;
    }
    previousBlank = line.trim() === '';
    at = nl + 1;
  }
  return cuts;
}

function spanOf(node: { position?: { start: { offset?: number }; end: { offset?: number } } }, base: number): Span {
  return { start: base + (node.position?.start.offset ?? 0), end: base + (node.position?.end.offset ?? 0) };
}

const FILE_LINK = /\.(pdf|docx?|xlsx?|pptx?|csv|zip|txt|json|xml|odt|ods)$/i;

class BlockBuilder {
  readonly blocks: DraftBlock[] = [];

  constructor(
    private readonly text: string,
    private readonly base: number,
  ) {}

  topLevel(node: RootContent): void {
    this.node(node, null);
  }

  private node(node: RootContent, parent: number | null): void {
    const span = spanOf(node, this.base);
    switch (node.type) {
      case 'heading': {
        const type: BlockType = node.depth === 1 ? 'heading_1' : node.depth === 2 ? 'heading_2' : 'heading_3';
        const own = this.inlineSpan(node.children, span);
        this.add(type, span, own, { rich_text: richText(node.children), level: node.depth }, parent);
        return;
      }
      case 'paragraph':
        this.paragraph(node, span, parent);
        return;
      case 'list':
        this.list(node, parent);
        return;
      case 'blockquote':
        this.blockquote(node, span, parent);
        return;
      case 'code':
        this.add('code', span, span, { language: node.lang ?? null, text: node.value }, parent);
        return;
      case 'table':
        this.table(node, span, parent);
        return;
      case 'html':
        this.add('paragraph', span, span, { rich_text: [{ text: node.value }] }, parent);
        return;
      case 'footnoteDefinition':
        for (const child of node.children) this.node(child, parent);
        return;
      default:
        // thematicBreak, definition, yaml: no block of their own.
        return;
    }
  }

  private paragraph(node: Paragraph, span: Span, parent: number | null): void {
    const only = node.children.length === 1 ? node.children[0] : undefined;
    if (only?.type === 'image') {
      this.add('image', span, span, { url: only.url, caption: only.alt ?? '' }, parent);
    } else if (only?.type === 'link' && FILE_LINK.test(only.url) && !/\.(md|markdown)$/i.test(only.url)) {
      this.add('file', span, span, { url: only.url, caption: plainText(only.children) }, parent);
    } else {
      this.add('paragraph', span, span, { rich_text: richText(node.children) }, parent);
    }
  }

  private list(node: List, parent: number | null): void {
    const type: BlockType = node.ordered ? 'numbered_list_item' : 'bulleted_list_item';
    for (const item of node.children) this.listItem(item, type, parent);
  }

  private listItem(item: ListItem, type: BlockType, parent: number | null): void {
    const span = spanOf(item, this.base);
    const [first, ...rest] = item.children;
    const own = first?.type === 'paragraph' ? spanOf(first, this.base) : { start: span.end, end: span.end };
    const content: BlockContent = {
      rich_text: first?.type === 'paragraph' ? richText(first.children) : [],
      ...(item.checked === null || item.checked === undefined ? {} : { checked: item.checked }),
    };
    const index = this.add(type, span, own, content, parent);
    for (const child of first?.type === 'paragraph' ? rest : item.children) this.node(child, index);
    this.blocks[index].hasChildren = this.blocks.length > index + 1;
  }

  private blockquote(node: Blockquote, span: Span, parent: number | null): void {
    const [first, ...rest] = node.children;
    let kind: string | null = null;
    let content: RichText[] = [];
    let own: Span = { start: span.start, end: span.start };
    if (first?.type === 'paragraph') {
      own = spanOf(first, this.base);
      content = richText(first.children);
      const alert = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*/i.exec(content[0]?.text ?? '');
      if (alert) {
        kind = alert[1].toUpperCase();
        content = [{ ...content[0], text: content[0].text.slice(alert[0].length) }, ...content.slice(1)].filter(
          (r) => r.text !== '',
        );
      }
    }
    const index =
      kind === null
        ? this.add('quote', span, own, { rich_text: content }, parent)
        : this.add('callout', span, own, { rich_text: content, kind }, parent);
    for (const child of first?.type === 'paragraph' ? rest : node.children) this.node(child, index);
    this.blocks[index].hasChildren = this.blocks.length > index + 1;
  }

  private table(node: Table, span: Span, parent: number | null): void {
    const rows = node.children.map((row) => row.children.map((cell) => this.cellText(cell, span)));
    const [header = [], ...body] = rows;
    this.add('table', span, span, { header, rows: body, align: node.align ?? [] }, parent);
  }

  private cellText(cell: Table['children'][number]['children'][number], tableSpan: Span): string {
    const s = spanOf(cell, this.base);
    if (s.end <= s.start) return '';
    return this.text.slice(Math.max(s.start, tableSpan.start), s.end).replace(/^\s*\|/, '').replace(/\|\s*$/, '').trim();
  }

  private inlineSpan(children: PhrasingContent[], fallback: Span): Span {
    if (children.length === 0) return fallback;
    return { start: spanOf(children[0], this.base).start, end: spanOf(children[children.length - 1], this.base).end };
  }

  private add(type: BlockType, span: Span, ownSpan: Span, content: BlockContent, parent: number | null): number {
    const own = this.text.slice(ownSpan.start, ownSpan.end);
    this.blocks.push({
      type,
      parent,
      span,
      ownSpan,
      content,
      text: blockText(content),
      checksum: checksum(type, own),
      hasChildren: false,
    });
    return this.blocks.length - 1;
  }
}

export function checksum(type: string, own: string): string {
  return sha256(`${type}\0${own}`);
}

function blockText(content: BlockContent): string {
  if ('rich_text' in content) return content.rich_text.map((r) => r.text).join('');
  if ('language' in content) return content.text;
  if ('header' in content) return [content.header, ...content.rows].map((r) => r.join(' | ')).join('\n');
  return content.caption;
}

/** Inline mdast → Notion-style rich text runs (adjacent runs with the same marks merged). */
export function richText(nodes: PhrasingContent[], marks: Omit<RichText, 'text'> = {}): RichText[] {
  const out: RichText[] = [];
  const push = (text: string, m: Omit<RichText, 'text'>) => {
    if (text === '') return;
    const last = out[out.length - 1];
    if (last && sameMarks(last, m)) last.text += text;
    else out.push({ text, ...m });
  };
  const walk = (list: PhrasingContent[], m: Omit<RichText, 'text'>) => {
    for (const n of list) {
      switch (n.type) {
        case 'text':
          push(n.value, m);
          break;
        case 'inlineCode':
          push(n.value, { ...m, code: true });
          break;
        case 'strong':
          walk(n.children, { ...m, bold: true });
          break;
        case 'emphasis':
          walk(n.children, { ...m, italic: true });
          break;
        case 'delete':
          walk(n.children, { ...m, strikethrough: true });
          break;
        case 'link':
          walk(n.children, { ...m, href: n.url });
          break;
        case 'linkReference':
          walk(n.children, m);
          break;
        case 'break':
          push('\n', m);
          break;
        case 'image':
          push(n.alt ?? '', m);
          break;
        case 'html':
          push(n.value, m);
          break;
        case 'footnoteReference':
          push(`[^${n.identifier}]`, m);
          break;
        default:
          break;
      }
    }
  };
  walk(nodes, marks);
  return exact(out);
}

function sameMarks(a: Omit<RichText, 'text'>, b: Omit<RichText, 'text'>): boolean {
  return a.bold === b.bold && a.italic === b.italic && a.code === b.code && a.strikethrough === b.strikethrough && a.href === b.href;
}

function plainText(nodes: PhrasingContent[]): string {
  return richText(nodes)
    .map((r) => r.text)
    .join('');
}
