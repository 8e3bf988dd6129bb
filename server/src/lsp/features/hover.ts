/**
 * Hover (textDocument/hover), knowledge-markdown §5:
 *
 * - on an atom name, wherever it is written (definition, `[[reference]]`,
 *   rule operand, table header): its type, value (canonical form), source
 *   and confidence, where it is defined, and the impact of a change — the
 *   rules affected directly and through up to `knowledge.impact.depth` hops,
 *   grouped by document with links to each rule — and whether the answer
 *   came from Neo4j or the local index (`../impact.ts`);
 * - on a rule: its normalised form, its atoms, its enforcement, its
 *   exceptions and the rules it conflicts with (the checker's rule-conflict
 *   findings, so always as current as the text);
 * - on a value found in prose (a heuristic atom): what was read and how sure.
 *
 * Markdown when the client renders it, plain text otherwise; names come from
 * the authors' files and are escaped, never interpreted as Markdown.
 */
import type { Hover, MarkupKind } from 'vscode-languageserver/node';
import { blockById, toRange, type DocumentSnapshot } from '../../core/document';
import type { AtomDefinition, AtomType, Molecule, Range, Value } from '../../core/model';
import { atomType } from '../../graph/model';
import { rolesOf } from '../../graph/molecules';
import type { Feature, ServerContext } from '../context';
import {
  conflictsAt,
  definitionsOf,
  describeSource,
  documentUris,
  impactOf,
  placeOfRule,
  ruleAt,
  ruleRange,
  type ImpactAnswer,
} from '../impact';
import { canonicalUri } from '../indexer';
import { offsetAt, type Occurrence } from '../knowledge';
import { placeName } from './atomAt';

/** Rules listed per document, and documents listed, before "and K more". */
const RULES_PER_DOCUMENT = 3;
const DOCUMENTS_LISTED = 8;
const ATOMS_LISTED = 8;

export const hoverFeature: Feature = {
  name: 'hover',
  capabilities: { hoverProvider: true },
  register(ctx) {
    ctx.connection.onHover(({ textDocument, position }) => hoverAt(ctx, textDocument.uri, position));
  },
};

export async function hoverAt(ctx: ServerContext, uri: string, position: { line: number; character: number }): Promise<Hover | null> {
  const doc = ctx.kb.get(canonicalUri(uri));
  if (!doc) return null;
  const offset = offsetAt(doc, position);
  const f = formatter(ctx.client.markdown);
  const occurrence = ctx.kb.occurrenceAt(doc.uri, offset);
  let text: Text;
  let range: Range;
  if (occurrence) {
    text = await atomHover(ctx, f, doc, occurrence);
    range = ctx.kb.range(occurrence);
  } else {
    const rule = ruleAt(doc, offset);
    const value = rule ? undefined : valueAt(doc, offset);
    if (rule) {
      text = ruleHover(ctx, f, doc, rule);
      range = ruleRange(doc, rule);
    } else if (value) {
      text = valueHover(f, value);
      range = toRange(doc, value.blockId, value.span);
    } else return null;
  }
  const progress = ctx.indexer.progress();
  if (progress) text.line(f.italic(`indexing: ${progress.done}/${progress.total} files — the answer may be incomplete`));
  const kind: MarkupKind = f.markdown ? 'markdown' : 'plaintext';
  return { contents: { kind, value: text.render(f.markdown) }, range };
}

// ---------------------------------------------------------------------------
// Atoms
// ---------------------------------------------------------------------------

async function atomHover(ctx: ServerContext, f: Formatter, doc: DocumentSnapshot, o: Occurrence): Promise<Text> {
  const { impactDepth: depth } = await ctx.settings.for(doc.uri);
  const answer = await impactOf(ctx, doc.domain, o.key, depth);
  const definitions = definitionsOf(ctx.kb, doc.domain, o.key);
  const first = definitions[0]?.definition;
  const team = answer.impact?.atom;
  const text = new Text();

  const type = first ? typeOf(first) : (team?.type ?? null);
  text.line([f.bold(first?.name ?? team?.name ?? o.name), ...(type ? [f.text(type)] : []), `domain ${f.code(doc.domain)}`].join(' · '));
  if (first) text.line(`Value: ${valueText(f, first)} · manual · confidence 1`);
  else if (team?.canonical) text.line(`Value: ${f.code(team.canonical)} · manual · confidence 1 (from the team graph)`);
  else text.line(`Value: none — no ${f.code('- **Name**: value')} defines it; rules only use it`);
  if (definitions.length > 0) {
    const links = definitions.map(({ occurrence }) => {
      const r = ctx.kb.range(occurrence);
      return f.link(placeName(occurrence.uri, r), occurrence.uri, r.start.line + 1);
    });
    text.line(`Defined at ${links.join(', ')}${definitions.length > 1 ? ` (${definitions.length} definitions: a duplicate)` : ''}`);
  }

  text.separator();
  impactSection(ctx, f, text, answer, depth);
  text.separator();
  text.line(f.italic(describeSource(answer)));
  return text;
}

function impactSection(ctx: ServerContext, f: Formatter, text: Text, answer: ImpactAnswer, depth: number): void {
  const impact = answer.impact;
  const rules = impact?.molecules ?? [];
  const documents = impact?.documents ?? [];
  const direct = rules.filter((m) => m.hops === 1).length;
  const detail =
    rules.length === 0 ? '' : ` (${direct} direct, ${rules.length - direct} through other atoms; up to ${plural(depth, 'hop')})`;
  text.line(`${f.bold(`${plural(rules.length, 'rule')} · ${plural(documents.length, 'document')} affected`)}${detail}`);
  if (!impact || rules.length === 0) return;

  const uris = documentUris(impact);
  for (const d of documents.slice(0, DOCUMENTS_LISTED)) {
    text.paragraph();
    text.line(`${f.link(d.title, d.uri)} ${f.text(`(${pathName(d.uri)})`)} — ${plural(d.rules, 'rule')}`);
    const places = rules
      .filter((m) => m.documentId === d.id)
      .map((m) => ({ m, place: placeOfRule(ctx.kb, m, uris.get(m.documentId) ?? d.uri) }))
      .sort((a, b) => a.m.hops - b.m.hops || a.place.range.start.line - b.place.range.start.line);
    for (const { m, place } of places.slice(0, RULES_PER_DOCUMENT)) {
      const where = place.local ? f.link(`line ${place.range.start.line + 1}`, place.uri, place.range.start.line + 1) : f.link('rule', place.uri);
      text.line(`- ${where} ${f.code(m.summary)}${m.hops > 1 ? ` · ${m.hops} hops away` : ''}`);
    }
    if (places.length > RULES_PER_DOCUMENT) text.line(`- and ${places.length - RULES_PER_DOCUMENT} more`);
  }
  if (documents.length > DOCUMENTS_LISTED) {
    text.paragraph();
    text.line(`and ${plural(documents.length - DOCUMENTS_LISTED, 'more document')}`);
  }
  const atoms = impact.atoms.filter((a) => a.name !== null);
  if (atoms.length > 0) {
    text.paragraph();
    const names = atoms.slice(0, ATOMS_LISTED).map((a) => f.bold(a.name!));
    text.line(`Atoms affected: ${names.join(', ')}${atoms.length > ATOMS_LISTED ? ` and ${atoms.length - ATOMS_LISTED} more` : ''}`);
  }
}

function typeOf(d: AtomDefinition): AtomType {
  const value = d.value ?? d.oneOf?.[0];
  return value ? atomType(value) : 'TextAtom';
}

function valueText(f: Formatter, d: AtomDefinition): string {
  if (d.value) {
    const written = d.value.raw !== d.value.canonical && d.value.kind !== 'json' ? ` (written ${f.code(d.value.raw)})` : '';
    return `${f.code(d.value.kind === 'json' ? 'JSON' : d.value.canonical)}${written}`;
  }
  if (d.oneOf) return `one of ${d.oneOf.map((v) => f.code(v.canonical)).join(', ')}`;
  return 'none';
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

const RULE_KINDS: Record<Molecule['type'], string> = {
  ConditionMolecule: 'IF … THEN rule',
  ConstraintMolecule: 'constraint (MUST BE)',
  ExceptionMolecule: 'exception (UNLESS)',
  RequiresMolecule: 'prerequisite (REQUIRES)',
};

function ruleHover(ctx: ServerContext, f: Formatter, doc: DocumentSnapshot, m: Molecule): Text {
  const text = new Text();
  const kind = m.type === 'ConditionMolecule' && m.table ? 'decision table row' : RULE_KINDS[m.type];
  const inherited = m.explicitEnforcement ? '' : ' (inherited)';
  text.line(`${f.bold('Rule')} · ${kind} · enforcement ${f.code(`{${m.enforcement}}`)}${inherited}`);
  text.line(f.code(m.normalized));

  // The atoms, each linked to its definition when there is one.
  const roles = rolesOf(m).map(({ ref, role }) => ({ ref, role: role as string }));
  if (m.type === 'RequiresMolecule') for (const ref of m.required) roles.push({ ref, role: 'required' });
  if (roles.length > 0) {
    const atoms = roles.map(({ ref, role }) => {
      const def = definitionsOf(ctx.kb, doc.domain, ref.key)[0];
      const name = def ? f.link(ref.name, def.occurrence.uri, ctx.kb.range(def.occurrence).start.line + 1) : f.text(ref.name);
      return `${name} (${role})`;
    });
    text.line(`Atoms: ${atoms.join(', ')}`);
  }
  const exceptions = m.type === 'ConditionMolecule' ? doc.molecules.filter((x) => m.exceptionIds.includes(x.id)) : [];
  for (const e of exceptions) text.line(`Narrowed by: ${f.code(e.normalized)}`);
  if (m.type === 'ExceptionMolecule') {
    const parent = m.parentId === null ? undefined : doc.molecules.find((x) => x.id === m.parentId);
    if (parent) {
      const line = ruleRange(doc, parent).start.line + 1;
      text.line(`Narrows: ${f.link(`line ${line}`, doc.uri, line)} ${f.code(parent.normalized)}`);
    } else text.line('Narrows: no rule (an orphan exception)');
  }

  text.separator();
  const conflicts = conflictsAt(ctx.kb, doc.uri, ruleRange(doc, m));
  if (conflicts.length === 0) text.line('No conflicts.');
  else {
    text.line(f.bold(plural(conflicts.length, 'conflict')));
    for (const c of conflicts) {
      const other = c.related[0]?.location;
      const where = other ? `${f.link(placeName(other.uri, other.range), other.uri, other.range.start.line + 1)}: ` : '';
      text.line(`- ${where}${f.text(c.message)}`);
    }
  }
  return text;
}

// ---------------------------------------------------------------------------
// Values found in prose
// ---------------------------------------------------------------------------

function valueAt(doc: DocumentSnapshot, offset: number): DocumentSnapshot['extracted'][number] | undefined {
  return doc.extracted.find((x) => {
    const start = blockById(doc, x.blockId)?.span.start;
    return start !== undefined && offset >= start + x.span.start && offset <= start + x.span.end;
  });
}

function valueHover(f: Formatter, x: DocumentSnapshot['extracted'][number]): Text {
  const text = new Text();
  text.line(`${f.code(x.value.canonical)} · ${atomType(x.value)}`);
  text.line(`Found in prose · heuristic · confidence ${Number(x.confidence.toFixed(2))}`);
  text.line(`Rules cannot use it until it is named: ${f.code(`- **Name**: ${x.value.raw}`)}`);
  return text;
}

// ---------------------------------------------------------------------------
// Markdown or plain text
// ---------------------------------------------------------------------------

export interface Formatter {
  markdown: boolean;
  /** Text from the authors' files: escaped in Markdown. */
  text(s: string): string;
  bold(s: string): string;
  italic(s: string): string;
  /** A code span, whatever backticks `s` holds. */
  code(s: string): string;
  /** A link to a document (at a 1-based line when given); the label only in plain text. */
  link(label: string, uri: string, line?: number): string;
}

export function formatter(markdown: boolean): Formatter {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  if (!markdown) {
    return { markdown, text: oneLine, bold: oneLine, italic: oneLine, code: oneLine, link: (label) => oneLine(label) };
  }
  const text = (s: string) => escapeMarkdown(oneLine(s));
  return {
    markdown,
    text,
    bold: (s) => `**${text(s)}**`,
    italic: (s) => `*${text(s)}*`,
    code: (s) => codeSpan(oneLine(s)),
    link: (label, uri, line) => `[${text(label)}](${linkTarget(uri, line)})`,
  };
}

/**
 * Backslash-escapes the ASCII punctuation Markdown could read as markup:
 * emphasis, code, links, HTML, headings, lists, tables, strikethrough, and
 * the `:` and `.` of bare URLs that GFM would turn into links.
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+\-.!|~&$:]/g, '\\$&');
}

/** A code span fenced by more backticks than `s` holds in a row (CommonMark §6.1). */
export function codeSpan(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s === '' ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A link destination that cannot end the link early: parentheses, spaces and angle brackets percent-encoded. */
function linkTarget(uri: string, line?: number): string {
  const safe = uri.replace(/[()<>\s\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return line === undefined ? safe : `${safe}#L${line}`;
}

/**
 * Paragraphs of lines. In Markdown, lines of a paragraph are joined with hard
 * breaks (list items with plain newlines) and a separator is a rule; in plain
 * text, lines are lines and a separator a blank line.
 */
class Text {
  private readonly blocks: (string[] | 'separator')[] = [[]];

  line(s: string): void {
    const last = this.blocks[this.blocks.length - 1];
    if (last === 'separator') this.blocks.push([s]);
    else last.push(s);
  }

  paragraph(): void {
    const last = this.blocks[this.blocks.length - 1];
    if (last !== 'separator' && last.length > 0) this.blocks.push([]);
  }

  separator(): void {
    this.blocks.push('separator');
  }

  render(markdown: boolean): string {
    const blocks = this.blocks.filter((b) => b === 'separator' || b.length > 0);
    return blocks
      .map((b) => {
        if (b === 'separator') return markdown ? '---' : '';
        if (!markdown) return b.join('\n');
        return b.reduce((out, line, i) => (i === 0 ? line : `${out}${line.startsWith('- ') ? '\n' : '  \n'}${line}`), '');
      })
      .join(markdown ? '\n\n' : '\n')
      .replace(/^\n+|\n+$/g, '');
  }
}

/** `tax/rates.md`: the last two path segments, as the checker's messages name files. */
function pathName(uri: string): string {
  return placeName(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }).replace(/:1$/, '');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
