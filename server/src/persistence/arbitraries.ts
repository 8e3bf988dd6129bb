/**
 * Random knowledge documents for the persistence property tests: Markdown
 * made of definitions, rules, constraints, prose with values and headings,
 * and random line edits of it (applied incrementally, like an editor).
 */
import fc from 'fast-check';
import { applyEdits, parseDocument, type DocumentSnapshot, type TextEdit } from '../core/document';

const NAMES = ['Rate', 'Cap', 'Floor', 'Top Rate', 'Amount', "Owner's \"Share\""];
const VALUES = ['10%', '25%', '$5,000', '2026-01-01', 'yes', 'plain text', '42'];

const name = fc.constantFrom(...NAMES);
export const knowledgeLine: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(name, fc.constantFrom(...VALUES)).map(([n, v]) => `- **${n}**: ${v}`),
  fc.tuple(name, fc.nat(100), name, fc.nat(100)).map(([a, x, b, y]) => `- IF [[${a}]] > ${x} THEN [[${b}]] = ${y}%`),
  fc.tuple(name, fc.nat(100)).map(([a, x]) => `- [[${a}]] MUST BE <= ${x}% {block}`),
  fc.tuple(fc.nat(20_000), fc.nat(40)).map(([x, p]) => `A payment of $${x} has ${p}% withheld; see [[Rate]].`),
  fc.nat(3).map((n) => `## Section ${n}`),
);

export interface LineEdit {
  /** Line index (modulo the number of lines + 1; past the end appends). */
  at: number;
  /** Replacement; null deletes the line. */
  line: string | null;
}

export const lineEdit: fc.Arbitrary<LineEdit> = fc.record({ at: fc.nat(), line: fc.option(knowledgeLine, { nil: null }) });

export function knowledgeText(domain: string, lines: string[]): string {
  return `---\ndomain: ${domain}\n---\n\n${lines.map((l) => `${l}\n`).join('\n')}`;
}

/** `lines` parsed, then each edit applied as an incremental text edit (like an editor's); returns every snapshot. */
export function editedSnapshots(uri: string, domain: string, lines: string[], edits: LineEdit[]): DocumentSnapshot[] {
  const current = [...lines];
  let doc = parseDocument(uri, knowledgeText(domain, current));
  const snapshots = [doc];
  for (const edit of edits) {
    const at = edit.at % (current.length + 1);
    if (edit.line === null) current.splice(at, 1);
    else if (at === current.length) current.push(edit.line);
    else current[at] = edit.line;
    doc = applyEdits(doc, [textEdit(doc.text, knowledgeText(domain, current))]);
    snapshots.push(doc);
  }
  return snapshots;
}

/** The one edit turning `a` into `b`: what lies between their common prefix and suffix. */
function textEdit(a: string, b: string): TextEdit {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { span: { start: p, end: a.length - s }, newText: b.slice(p, b.length - s) };
}
