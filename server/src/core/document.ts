/**
 * A document snapshot: everything the core knows about one Markdown file,
 * as immutable plain data (structured-cloneable, so worker threads can
 * build it). `applyEdits` derives the next snapshot from the previous one,
 * re-parsing only the top-level Markdown nodes an edit touches and
 * re-extracting only the blocks whose content changed.
 */
import { parse as parseYaml } from 'yaml';
import { extractBlock, type BlockKnowledge, type ExtractDetail } from './extract';
import { randomUUID } from 'node:crypto';
import { parseText, STARTS_FRESH, type DraftBlock, type ParsedRegion, type Segment } from './markdown/blocks';
import { blockId } from './markdown/ids';
import { LineIndex } from './markdown/lineIndex';
import type {
  AtomDefinition,
  AtomRef,
  AtomReference,
  Block,
  Enforcement,
  ExtractedValue,
  Molecule,
  ParseProblem,
  Range,
  Span,
} from './model';

export interface DocumentSnapshot {
  uri: string;
  version: number;
  text: string;
  /** From front matter `domain:`, else the folder under `domains/` in the path, else `default`. */
  domain: string;
  /** From front matter `title:`, else the first H1, else the file name. */
  title: string;
  frontMatter: Record<string, unknown> | null;
  /** Front matter `enforcement:`; rules without their own tag inherit it. */
  enforcement: Enforcement | null;
  blocks: Block[];
  definitions: AtomDefinition[];
  references: AtomReference[];
  extracted: ExtractedValue[];
  molecules: Molecule[];
  /** Decision tables: their header inputs and outputs (rows are ConditionMolecules with `table` set). */
  tables: DecisionTableInfo[];
  problems: ParseProblem[];
}

export interface DecisionTableInfo {
  blockId: string;
  inputs: AtomRef[];
  outputs: AtomRef[];
}

/** An edit in the coordinates of the text it applies to (LSP's incremental sync, converted to offsets). */
export interface TextEdit {
  span: Span;
  newText: string;
}

/** What `applyEdits` needs beyond the plain snapshot; lost when a snapshot crosses a thread. */
interface Incremental {
  segments: Segment[];
  frontMatterRaw: string | null;
  /** Extraction per block, aligned with the snapshot's `blocks`. */
  knowledge: BlockKnowledge[];
  hasDefinitions: boolean;
  /** Where each block's output starts in the linked lists. */
  linked: LinkOffsets;
}

const state = new WeakMap<DocumentSnapshot, Incremental>();

/** Link reference definitions (`[x]: url`) change how text elsewhere parses: such documents re-parse fully. */
const LINK_DEFINITION = /^ {0,3}\[[^\]\n]+\]:/m;

/**
 * `detail` `'checks'`: a snapshot only checked and indexed, then dropped (an index worker's): less
 * extracted (`ExtractDetail`), and nothing kept for edits (editing it parses it again).
 */
export function parseDocument(uri: string, text: string, version = 0, detail: ExtractDetail = 'full'): DocumentSnapshot {
  const region = parseText(text);
  const occurrences = new Map<string, number>();
  const blocks = region.blocks.map(
    withIds(region.blocks, (draft) => {
      const n = occurrences.get(draft.checksum) ?? 0;
      occurrences.set(draft.checksum, n + 1);
      return blockId(uri, draft.checksum, n);
    }),
  );
  return assemble(uri, version, text, region.segments, blocks, region.frontMatter, [], undefined, undefined, undefined, detail);
}

/**
 * Applies edits (each in the coordinates of the text left by the previous
 * one, like LSP's `contentChanges`) and returns the new snapshot.
 */
export function applyEdits(previous: DocumentSnapshot, edits: TextEdit[], version = previous.version + 1): DocumentSnapshot {
  let doc = previous;
  for (const edit of edits) doc = applyEdit(doc, edit, version);
  return doc;
}

function applyEdit(previous: DocumentSnapshot, edit: TextEdit, version: number): DocumentSnapshot {
  const old = state.get(previous);
  const start = clamp(edit.span.start, 0, previous.text.length);
  const end = clamp(edit.span.end, start, previous.text.length);
  const text = previous.text.slice(0, start) + edit.newText + previous.text.slice(end);
  const removed = previous.text.slice(start, end);
  if (!old || old.hasDefinitions || LINK_DEFINITION.test(edit.newText) || edit.newText.includes(']:') || removed.includes(']:')) {
    return reparse(previous, text, version);
  }
  const delta = edit.newText.length - (end - start);
  const segs = old.segments;
  // An unclosed front matter fence changes how remark parses text far below it: re-parse such documents fully.
  const unclosedFence = /^(---|\+\+\+)/.test(text) && segs[0]?.kind !== 'yaml';
  if (segs.length === 0 || unclosedFence) return reparse(previous, text, version);
  // Segments the edit touches (touching counts: typing right after a paragraph extends it).
  let first = segs.findIndex((s) => s.span.end >= start);
  if (first === -1) first = segs.length;
  let last = first - 1;
  while (last + 1 < segs.length && segs[last + 1].span.start <= end) last++;
  const fresh = freshRegion(previous.text, text, segs, Math.min(first, last), Math.max(first, last), start, end, delta);
  if (fresh) return splice(previous, old, text, version, fresh.region, fresh.lo, fresh.hi, delta, fresh.span);
  // One unchanged neighbour on each side absorbs merges and splits; widen until the re-parse is stable.
  let lo = Math.max(0, Math.min(first, last) - 1);
  let hi = Math.min(segs.length - 1, Math.max(first, last) + 1);
  for (;;) {
    // Regions start at a line start (indentation decides how a node parses) after a blank line (the
    // block above may still be open: lazy continuation, "cannot interrupt a paragraph"), and never at a
    // front matter fence (remark-frontmatter only looks at the very start). Likewise they end before a
    // blank line.
    const regionStart = lo === 0 ? 0 : previous.text.lastIndexOf('\n', segs[lo].span.start - 1) + 1;
    if (regionStart > 0 && (!afterBlankLine(text, regionStart) || /^(---|\+\+\+)/.test(text.slice(regionStart, regionStart + 3)))) {
      lo--;
      continue;
    }
    const atEnd = hi >= segs.length - 1;
    if (!atEnd && !beforeBlankLine(previous.text, segs[hi].span.end)) {
      hi++;
      continue;
    }
    const regionEndOld = atEnd ? previous.text.length : segs[hi].span.end;
    const regionEnd = regionEndOld + delta;
    if (regionStart > start || regionEndOld < end) return reparse(previous, text, version);
    const firstBlock = lo < segs.length ? segs[lo].firstBlock : previous.blocks.length;
    const region = parseText(text, regionStart, regionEnd, firstBlock);
    // Widen while the re-parse moved the first or last segment: the edit reached beyond the region.
    if (lo > 0 && !sameSegment(region.segments[0], segs[lo], 0, previous.text, text)) {
      lo--;
      continue;
    }
    if (!atEnd && !sameSegment(region.segments[region.segments.length - 1], segs[hi], delta, previous.text, text)) {
      hi++;
      continue;
    }
    return splice(previous, old, text, version, region, lo, hi, delta, { start: regionStart, end: regionEnd });
  }
}

/**
 * The common case: the touched segments `lo..hi` stand between places where
 * a chunked parse may cut (a blank line, then a line that can only start a
 * new top-level block; see `parseText`), before and after the edit. Then
 * they re-parse on their own, without neighbours. Null when that does not
 * hold or the re-parse may have left a block open at its end.
 */
function freshRegion(
  oldText: string,
  text: string,
  segs: Segment[],
  lo: number,
  hi: number,
  start: number,
  end: number,
  delta: number,
): { region: ParsedRegion; lo: number; hi: number; span: Span } | null {
  if (lo < 0 || hi >= segs.length || lo > hi) return null;
  const regionStart = lo === 0 ? 0 : oldText.lastIndexOf('\n', segs[lo].span.start - 1) + 1;
  if (regionStart > start || (lo > 0 && !cutsCleanly(text, regionStart))) return null;
  // The segment above reaches into the blank line (an unclosed fence in a list item): where it ends depends on
  // what follows (another list keeps the blank line in it, a paragraph does not), so it is parsed again too.
  if (lo > 0 && segs[lo - 1].span.end > oldText.lastIndexOf('\n', regionStart - 2) + 1) return null;
  const last = hi === segs.length - 1;
  const regionEndOld = last ? oldText.length : oldText.lastIndexOf('\n', segs[hi + 1].span.start - 1) + 1;
  if (regionEndOld < end) return null;
  const regionEnd = regionEndOld + delta;
  if (!last && !cutsCleanly(text, regionEnd)) return null;
  const region = parseText(text, regionStart, regionEnd, segs[lo].firstBlock);
  const tail = region.segments[region.segments.length - 1];
  // A block still open at the region's end (an unclosed fence or HTML block) would run on below it.
  if (!last && tail && !/\n[ \t]*\n/.test(text.slice(tail.span.end, regionEnd))) return null;
  return { region, lo, hi, span: { start: regionStart, end: regionEnd } };
}

/** A line start after a blank line, whose line can only begin a new top-level block. */
function cutsCleanly(text: string, lineStart: number): boolean {
  if (!afterBlankLine(text, lineStart)) return false;
  const lineEnd = text.indexOf('\n', lineStart);
  return STARTS_FRESH.test(text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd));
}

/** Whether the rest of the line at `offset` is blank and so is the next line (or there is none). */
function beforeBlankLine(text: string, offset: number): boolean {
  const lineEnd = text.indexOf('\n', offset);
  if (lineEnd === -1) return true;
  if (text.slice(offset, lineEnd).trim() !== '') return false;
  const nextEnd = text.indexOf('\n', lineEnd + 1);
  return text.slice(lineEnd + 1, nextEnd === -1 ? text.length : nextEnd).trim() === '';
}

/** Whether the line before the one starting at `lineStart` is blank. */
function afterBlankLine(text: string, lineStart: number): boolean {
  const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  return text.slice(previousStart, lineStart - 1).trim() === '';
}

/** True when a re-parsed segment is the same node as before (same kind, same source at the shifted place). */
function sameSegment(now: Segment | undefined, before: Segment, delta: number, oldText: string, newText: string): boolean {
  if (!now || now.kind !== before.kind) return false;
  if (now.span.start !== before.span.start + delta || now.span.end !== before.span.end + delta) return false;
  return oldText.slice(before.span.start, before.span.end) === newText.slice(now.span.start, now.span.end);
}

function splice(
  previous: DocumentSnapshot,
  old: Incremental,
  text: string,
  version: number,
  region: ParsedRegion,
  lo: number,
  hi: number,
  delta: number,
  /** Where `region` was parsed from, in `text`. */
  regionSpan: Span,
): DocumentSnapshot {
  const segs = old.segments;
  const oldFirstBlock = lo < segs.length ? segs[lo].firstBlock : previous.blocks.length;
  const oldEndBlock = hi < segs.length ? segs[hi].firstBlock + segs[hi].blockCount : oldFirstBlock;
  const replaced = previous.blocks.slice(oldFirstBlock, oldEndBlock);
  const newBlocks = region.blocks.map(withIds(region.blocks, matchIds(replaced, region.blocks)));
  const blockDelta = newBlocks.length - replaced.length;
  const blocks: Block[] = previous.blocks.slice(0, oldFirstBlock);
  for (const b of newBlocks) blocks.push(b);
  for (let i = oldEndBlock; i < previous.blocks.length; i++) blocks.push(shifted(previous.blocks[i], delta, i + blockDelta));
  const segments = [
    ...segs.slice(0, lo),
    ...region.segments,
    ...segs.slice(hi + 1).map((s) => ({
      ...s,
      span: { start: s.span.start + delta, end: s.span.end + delta },
      firstBlock: s.firstBlock + blockDelta,
    })),
  ];
  const frontMatter = lo === 0 ? region.frontMatter : old.frontMatterRaw === null ? null : { raw: old.frontMatterRaw, span: segs[0].span };
  // Knowledge is keyed by block id and checked against the checksum, so kept blocks keep their extraction.
  // Blocks outside the region keep their extraction as is; re-parsed ones reuse it when their id, content
  // and marker width are unchanged. A front matter change re-extracts everything (default enforcement).
  let known: (BlockKnowledge | undefined)[] = [];
  if ((frontMatter?.raw ?? null) === old.frontMatterRaw) {
    const replacedKnowledge = byId(replaced, old.knowledge.slice(oldFirstBlock, oldEndBlock));
    known = old.knowledge.slice(0, oldFirstBlock);
    for (const b of newBlocks) known.push(replacedKnowledge.get(b.id));
    for (let i = oldEndBlock; i < old.knowledge.length; i++) known.push(old.knowledge[i]);
  }
  // The previous text held no link definition (else it re-parses fully): a new one lies in the region.
  const definitionsIn = regionSpan;
  const unchangedOutside = known.length > 0 ? { previous, first: oldFirstBlock, end: oldFirstBlock + newBlocks.length, blockDelta } : undefined;
  const doc = assemble(previous.uri, version, text, segments, blocks, frontMatter, known, definitionsIn, previous, unchangedOutside);
  if (newBlocks.length === replaced.length && newBlocks.every((b, i) => b.id === replaced[i].id)) inheritBlockIndex(previous, doc);
  return doc;
}

/** A block moved by `delta` characters to position `order` (an explicit literal: this runs for every block below an edit). */
function shifted(b: Block, delta: number, order: number): Block {
  return {
    id: b.id,
    type: b.type,
    parentId: b.parentId,
    span: { start: b.span.start + delta, end: b.span.end + delta },
    ownSpan: { start: b.ownSpan.start + delta, end: b.ownSpan.end + delta },
    content: b.content,
    text: b.text,
    checksum: b.checksum,
    order,
    hasChildren: b.hasChildren,
  };
}

function reparse(previous: DocumentSnapshot, text: string, version: number): DocumentSnapshot {
  const region = parseText(text);
  const blocks = region.blocks.map(withIds(region.blocks, matchIds(previous.blocks, region.blocks)));
  const old = state.get(previous);
  const oldKnowledge = old ? byId(previous.blocks, old.knowledge) : new Map<string, BlockKnowledge>();
  return assemble(previous.uri, version, text, region.segments, blocks, region.frontMatter, blocks.map((b) => oldKnowledge.get(b.id)));
}

function byId(blocks: readonly Block[], knowledge: readonly BlockKnowledge[]): Map<string, BlockKnowledge> {
  return new Map(blocks.map((b, i) => [b.id, knowledge[i]]));
}

type IdFor = (draft: DraftBlock, index: number) => string;

/** Turns drafts into blocks: ids from `idFor`, parent indexes into parent ids, order filled in by `assemble`. */
function withIds(drafts: DraftBlock[], idFor: IdFor): (draft: DraftBlock, index: number) => Block {
  const ids = drafts.map((d, i) => idFor(d, i));
  // Field by field: a rest/spread copy is several times slower, and this runs for every block of every file.
  return (draft, index) => ({
    id: ids[index],
    type: draft.type,
    parentId: draft.parent === null ? null : ids[draft.parent],
    span: draft.span,
    ownSpan: draft.ownSpan,
    content: draft.content,
    text: draft.text,
    checksum: draft.checksum,
    order: 0,
    hasChildren: draft.hasChildren,
  });
}

/**
 * Ids for re-parsed blocks: a block whose content is unchanged keeps its id;
 * otherwise the old block of the same type at the same relative place keeps
 * its id (an in-place edit is an UPDATE for the sync, not DELETE + INSERT);
 * what remains gets a fresh id.
 */
function matchIds(old: Block[], drafts: DraftBlock[]): IdFor {
  const ids: (string | undefined)[] = new Array(drafts.length);
  const taken = new Set<number>();
  const byChecksum = new Map<string, number[]>();
  old.forEach((b, i) => {
    const list = byChecksum.get(b.checksum);
    if (list) list.push(i);
    else byChecksum.set(b.checksum, [i]);
  });
  drafts.forEach((d, i) => {
    const candidates = byChecksum.get(d.checksum);
    const hit = candidates?.find((c) => !taken.has(c));
    if (hit !== undefined) {
      taken.add(hit);
      ids[i] = old[hit].id;
    }
  });
  drafts.forEach((d, i) => {
    if (ids[i] !== undefined) return;
    const j = Math.min(i, old.length - 1);
    if (j >= 0 && !taken.has(j) && old[j].type === d.type) {
      taken.add(j);
      ids[i] = old[j].id;
    }
  });
  return (_draft, index) => ids[index] ?? randomUUID();
}


function assemble(
  uri: string,
  version: number,
  text: string,
  segments: Segment[],
  blocks: Block[],
  frontMatterSource: { raw: string; span: Span } | null,
  /** Extraction that may still be valid, aligned with `blocks` (checked against checksum and marker width). */
  candidates: readonly (BlockKnowledge | undefined)[],
  /** Where a link reference definition may stand (the whole text unless the caller knows better). */
  definitionsIn: Span = { start: 0, end: text.length },
  /** The snapshot this one was edited from: its linked lists are reused when they come out the same. */
  previous?: DocumentSnapshot,
  /**
   * Set by `splice`: only blocks `[first, end)` are new; those outside are `previous`'s (shifted by
   * `blockDelta` after the region), with its extraction, under the same front matter.
   */
  edited?: Edited,
  detail: ExtractDetail = 'full',
): DocumentSnapshot {
  const problems: ParseProblem[] = [];
  const frontMatter = readFrontMatter(text, frontMatterSource, problems);
  const enforcement = enforcementOf(frontMatter?.enforcement);
  if (frontMatter && frontMatter.enforcement !== undefined && enforcement === null) {
    problems.push({ blockId: null, span: frontMatterSource!.span, message: `front matter 'enforcement' must be block, warn or inform` });
  }
  const knowledge: BlockKnowledge[] = new Array(blocks.length);
  const ordered = blocks;
  for (let i = 0; i < ordered.length; i++) {
    let k: BlockKnowledge;
    if (edited && (i < edited.first || i >= edited.end)) k = candidates[i]!; // valid by construction
    else {
      let block = ordered[i];
      if (block.order !== i) ordered[i] = block = { ...block, order: i };
      const cached = candidates[i];
      const reusable = cached && cached.checksum === block.checksum && cached.ownOffset === block.ownSpan.start - block.span.start;
      k = reusable ? cached : extractBlock(text, block, detail);
    }
    knowledge[i] = k;
    if (k.problems.length) problems.push(...k.problems);
  }
  const { lists, offsets } = link(ordered, knowledge, enforcement ?? 'warn', previous, edited);
  const doc: DocumentSnapshot = {
    uri,
    version,
    text,
    domain: domainOf(uri, frontMatter),
    title: titleOf(uri, frontMatter, ordered),
    frontMatter,
    enforcement,
    blocks: ordered,
    ...lists,
    problems,
  };
  if (detail !== 'full') return doc;
  state.set(doc, {
    segments,
    frontMatterRaw: frontMatterSource?.raw ?? null,
    knowledge,
    hasDefinitions:
      segments.some((s) => s.kind === 'definition' || s.kind === 'footnoteDefinition') ||
      LINK_DEFINITION.test(definitionsIn.start === 0 && definitionsIn.end === text.length ? text : text.slice(definitionsIn.start, definitionsIn.end)),
    linked: offsets,
  });
  return doc;
}

/**
 * Document-level linking of per-block knowledge: default enforcement, the
 * enforcement of a table's caption line, UNLESS items attached to the rule
 * they are nested under, and JSON atoms whose value is the fenced block
 * right under their definition. Every link stays within a top-level block
 * or joins two adjacent blocks, so after an edit only the edited blocks and
 * the top-level blocks around them are linked again; the rest of the lists
 * is copied from the previous snapshot. When the lists come out element for
 * element the same, the previous snapshot's arrays are handed back.
 */
function link(
  blocks: Block[],
  knowledge: readonly BlockKnowledge[],
  defaultEnforcement: Enforcement,
  previous?: DocumentSnapshot,
  edited?: Edited,
): { lists: Linked; offsets: LinkOffsets } {
  const n = blocks.length;
  const before = edited && state.get(edited.previous)?.linked;
  const lists: Linked = { definitions: [], references: [], extracted: [], molecules: [], tables: [] };
  const offsets = Object.fromEntries(LISTS.map((name) => [name, new Int32Array(n + 1)])) as LinkOffsets;
  if (!edited || !before) {
    linkRange(blocks, knowledge, 0, n, defaultEnforcement, lists, offsets);
  } else {
    // The top-level blocks around the edited ones: a caption or a JSON block may join them.
    let from = Math.max(0, edited.first - 1);
    while (from > 0 && blocks[from].parentId !== null) from--;
    let to = Math.min(n, edited.end + 1);
    while (to < n && blocks[to].parentId !== null) to++;
    const oldTo = to - edited.blockDelta;
    const old = edited.previous;
    for (const name of LISTS) {
      offsets[name].set(before[name].subarray(0, from + 1));
      const list = lists[name] as unknown[];
      const prefix = old[name] as unknown[];
      for (let i = 0; i < before[name][from]; i++) list.push(prefix[i]);
    }
    linkRange(blocks, knowledge, from, to, defaultEnforcement, lists, offsets);
    for (const name of LISTS) {
      const list = lists[name] as unknown[];
      const suffix = old[name] as unknown[];
      const shift = list.length - before[name][oldTo];
      for (let i = before[name][oldTo]; i < suffix.length; i++) list.push(suffix[i]);
      const into = offsets[name];
      const was = before[name];
      for (let j = to + 1; j <= n; j++) into[j] = was[j - edited.blockDelta] + shift;
    }
  }
  return {
    lists: {
      definitions: sameOr(previous?.definitions, lists.definitions),
      references: sameOr(previous?.references, lists.references),
      extracted: sameOr(previous?.extracted, lists.extracted),
      molecules: sameOr(previous?.molecules, lists.molecules),
      tables: sameOr(previous?.tables, lists.tables),
    },
    offsets,
  };
}

/** Links blocks `[from, to)`, appending to `lists` and recording where each block's output starts (`offsets[name][i]`, up to `to`). */
function linkRange(
  blocks: Block[],
  knowledge: readonly BlockKnowledge[],
  from: number,
  to: number,
  defaultEnforcement: Enforcement,
  lists: Linked,
  offsets: LinkOffsets,
): void {
  const { definitions, references, extracted, molecules, tables } = lists;
  /** The extracted molecules in order, and what linking sets in each (sparse: most keep what they have). */
  const sources: Molecule[] = [];
  const enforcements: Enforcement[] = [];
  const parentIds = new Map<number, string>();
  const exceptionIds = new Map<number, string[]>();
  /** Index in `sources` of the rule (not exception) each block holds, -1 for none (relative to `from`). */
  const ruleOfBlock = new Int32Array(to - from).fill(-1);
  const moleculesBefore = molecules.length;
  let captionEnforcement: Enforcement | null = from > 0 && blocks[from - 1].type === 'paragraph' ? knowledge[from - 1].caption : null;
  for (let i = from; i < to; i++) {
    offsets.definitions[i] = definitions.length;
    offsets.references[i] = references.length;
    offsets.extracted[i] = extracted.length;
    offsets.molecules[i] = moleculesBefore + sources.length;
    offsets.tables[i] = tables.length;
    const block = blocks[i];
    const k = knowledge[i];
    for (const r of k.references) references.push(r);
    for (const e of k.extracted) extracted.push(e);
    if (k.table) tables.push(derive(k.table, block.id, () => ({ blockId: block.id, ...k.table! })));
    for (const def of k.definitions) {
      const next = blocks[i + 1];
      if (def.value === null && !def.oneOf && next?.type === 'code' && 'language' in next.content && next.content.language === 'json') {
        const json = next.content.text;
        definitions.push(derive(def, json, () => jsonDefinition(def, json)));
      } else definitions.push(def);
    }
    if (k.molecules.length > 0) {
      const tableDefault = block.type === 'table' ? (captionEnforcement ?? defaultEnforcement) : defaultEnforcement;
      for (const m of k.molecules) {
        const index = sources.length;
        sources.push(m);
        enforcements.push(m.explicitEnforcement ? m.enforcement : tableDefault);
        if (m.type === 'ExceptionMolecule') {
          const parentBlock = m.parentId === null && block.parentId !== null ? indexBefore(blocks, from, i, block.parentId) : -1;
          const parentIndex = parentBlock >= 0 ? ruleOfBlock[parentBlock - from] : -1;
          const parent = parentIndex >= 0 ? sources[parentIndex] : undefined;
          if (parent?.type === 'ConditionMolecule' || parent?.type === 'ConstraintMolecule') {
            parentIds.set(index, parent.id);
            if (parent.type === 'ConditionMolecule') exceptionIds.set(parentIndex, [...(exceptionIds.get(parentIndex) ?? parent.exceptionIds), m.id]);
          }
        } else if (ruleOfBlock[i - from] === -1) ruleOfBlock[i - from] = index;
      }
    }
    captionEnforcement = block.type === 'paragraph' ? k.caption : null;
  }
  offsets.definitions[to] = definitions.length;
  offsets.references[to] = references.length;
  offsets.extracted[to] = extracted.length;
  offsets.molecules[to] = moleculesBefore + sources.length;
  offsets.tables[to] = tables.length;
  // Linked molecules are derived once per change, so unchanged rules stay the same objects across edits
  // (the checks memoise on identity).
  for (let i = 0; i < sources.length; i++) {
    const m = sources[i];
    const enforcement = enforcements[i];
    const parentId = parentIds.get(i);
    const exceptions = exceptionIds.get(i);
    if (enforcement === m.enforcement && parentId === undefined && exceptions === undefined) molecules.push(m);
    else {
      const signature = `${enforcement}|${parentId ?? ''}|${exceptions?.join(',') ?? ''}`;
      const linked = () =>
        ({
          ...m,
          enforcement,
          ...(parentId === undefined ? {} : { parentId }),
          ...(exceptions === undefined ? {} : { exceptionIds: exceptions }),
        }) as Molecule;
      molecules.push(derive(m, signature, linked));
    }
  }
}

/** What `splice` tells `assemble`: blocks `[first, end)` are new, the rest `previous`'s (shifted by `blockDelta` after). */
interface Edited {
  previous: DocumentSnapshot;
  first: number;
  end: number;
  blockDelta: number;
}

const LISTS = ['definitions', 'references', 'extracted', 'molecules', 'tables'] as const;

type LinkOffsets = Record<(typeof LISTS)[number], Int32Array>;

type Linked = Pick<DocumentSnapshot, 'definitions' | 'references' | 'extracted' | 'molecules' | 'tables'>;

/** The index of the block `id` in `[from, i)` (a parent: parents precede their children, usually closely). */
function indexBefore(blocks: readonly Block[], from: number, i: number, id: string): number {
  for (let j = i - 1; j >= from; j--) if (blocks[j].id === id) return j;
  return -1;
}

/** `previous` when it holds the same items as `next`, else `next`. */
function sameOr<T>(previous: T[] | undefined, next: T[]): T[] {
  if (!previous || previous.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (previous[i] !== next[i]) return next;
  return previous;
}

const derived = new WeakMap<object, { signature: string; value: unknown }>();

/** `make()`, reused while `source` is derived with the same signature as last time. */
function derive<T>(source: object, signature: string, make: () => T): T {
  const hit = derived.get(source);
  if (hit && hit.signature === signature) return hit.value as T;
  const value = make();
  derived.set(source, { signature, value });
  return value;
}

function jsonDefinition(def: AtomDefinition, source: string): AtomDefinition {
  try {
    const value: unknown = JSON.parse(source);
    return { ...def, value: { kind: 'json', value, raw: source.trim(), canonical: JSON.stringify(value) } };
  } catch {
    return def;
  }
}

function readFrontMatter(
  text: string,
  source: { raw: string; span: Span } | null,
  problems: ParseProblem[],
): Record<string, unknown> | null {
  if (!source) {
    if (/^---[ \t]*\r?\n/.test(text)) {
      problems.push({ blockId: null, span: { start: 0, end: 3 }, message: 'front matter opened with --- is never closed (expected a closing --- line)' });
    }
    return null;
  }
  try {
    const value = parseYamlCached(source.raw);
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ blockId: null, span: source.span, message: 'front matter must be a YAML mapping (key: value lines)' });
      return null;
    }
    return value as Record<string, unknown>;
  } catch (error) {
    problems.push({ blockId: null, span: source.span, message: `front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}` });
    return null;
  }
}

let lastYaml: { raw: string; value: unknown } | null = null;

/** Front matter rarely changes while typing below it: keep the last parse (treated as immutable). */
function parseYamlCached(raw: string): unknown {
  if (lastYaml?.raw !== raw) lastYaml = { raw, value: parseYaml(raw) };
  return lastYaml.value;
}

function enforcementOf(value: unknown): Enforcement | null {
  return value === 'block' || value === 'warn' || value === 'inform' ? value : null;
}

export function domainOf(uri: string, frontMatter: Record<string, unknown> | null): string {
  const declared = frontMatter?.domain;
  if (typeof declared === 'string' && declared.trim() !== '') return declared.trim();
  const match = /\/domains\/([^/]+)\//.exec(uri);
  return match ? decodeURIComponent(match[1]) : 'default';
}

function titleOf(uri: string, frontMatter: Record<string, unknown> | null, blocks: Block[]): string {
  if (typeof frontMatter?.title === 'string' && frontMatter.title.trim() !== '') return frontMatter.title.trim();
  const h1 = blocks.find((b) => b.type === 'heading_1');
  if (h1 && h1.text.trim() !== '') return h1.text.trim();
  const name = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  return name.replace(/\.(md|markdown)$/i, '');
}

/** The document range of a span relative to `blockId` (or absolute when `blockId` is null). */
export function toRange(doc: DocumentSnapshot, blockId: string | null, span: Span): Range {
  const base = blockId === null ? 0 : (blockStart(doc, blockId) ?? 0);
  const lines = lineIndex(doc);
  return { start: lines.position(base + span.start), end: lines.position(base + span.end) };
}

/** Absolute start offset of a block. */
export function blockStart(doc: DocumentSnapshot, id: string): number | undefined {
  return blockById(doc, id)?.span.start;
}

/** Block id → position in `blocks`, per snapshot; shared by snapshots whose block ids are the same sequence. */
const blockIndexes = new WeakMap<DocumentSnapshot, Map<string, number>>();

export function blockById(doc: DocumentSnapshot, id: string): Block | undefined {
  let index = blockIndexes.get(doc);
  if (!index) {
    index = new Map();
    for (let i = 0; i < doc.blocks.length; i++) index.set(doc.blocks[i].id, i);
    blockIndexes.set(doc, index);
  }
  const i = index.get(id);
  return i === undefined ? undefined : doc.blocks[i];
}

/** Lets `next` reuse `previous`'s block index (an edit that kept every block id in place). */
function inheritBlockIndex(previous: DocumentSnapshot, next: DocumentSnapshot): void {
  const index = blockIndexes.get(previous);
  if (index) blockIndexes.set(next, index);
}

const lineIndexes = new WeakMap<DocumentSnapshot, LineIndex>();

export function lineIndex(doc: DocumentSnapshot): LineIndex {
  let index = lineIndexes.get(doc);
  if (!index) {
    index = new LineIndex(doc.text);
    lineIndexes.set(doc, index);
  }
  return index;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}


/** The same snapshot under another version (the editor's number), keeping what incremental edits need. */
export function withVersion(doc: DocumentSnapshot, version: number): DocumentSnapshot {
  if (doc.version === version) return doc;
  const next = { ...doc, version };
  const incremental = state.get(doc);
  if (incremental) state.set(next, incremental);
  inheritBlockIndex(doc, next);
  const lines = lineIndexes.get(doc);
  if (lines) lineIndexes.set(next, lines);
  return next;
}

/**
 * Drops what `applyEdits` keeps to edit a snapshot incrementally (the parse
 * segments and per-block extraction): documents only read from disk are never
 * edited, and that state is most of a snapshot's memory. `applyEdits` on such
 * a snapshot re-parses it fully.
 */
export function forgetIncremental(doc: DocumentSnapshot): void {
  state.delete(doc);
}
