/** What every report format shares: its signature, file paths as shown, the order. */
import { fileURLToPath } from 'node:url';
import type { Finding, Range } from '../../core/model';
import { relativePath } from '../files';

export interface ReportContext {
  /** Paths are shown relative to this directory. */
  cwd: string;
  /** Files checked. */
  files: number;
  /** Files skipped (unreadable, not UTF-8, binary). */
  skipped: number;
  /** ANSI colours (text format only). */
  color: boolean;
}

export type Formatter = (findings: Finding[], context: ReportContext) => string;

/** A `file://` URI as a path relative to `cwd` with forward slashes; other URIs unchanged. */
export function displayPath(uri: string, cwd: string): string {
  if (!uri.startsWith('file:')) return uri;
  return relativePath(cwd, fileURLToPath(uri));
}

/** Findings by file, line, character, then code: the same order in every format. */
export function inReportOrder(findings: Finding[], cwd: string): Finding[] {
  const keyed = findings.map((finding) => ({ finding, file: displayPath(finding.uri, cwd) }));
  keyed.sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.finding.range.start.line - b.finding.range.start.line ||
      a.finding.range.start.character - b.finding.range.start.character ||
      compare(a.finding.code, b.finding.code),
  );
  return keyed.map((k) => k.finding);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy with exactly the LSP fields (0-based lines and UTF-16 characters). */
export function plainRange({ start, end }: Range): Range {
  return { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } };
}
