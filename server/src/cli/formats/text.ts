/** Compiler-style lines: `path:line:col severity code message`, 1-based. */
import type { Finding, Location, Severity } from '../../core/model';
import { displayPath, inReportOrder, type Formatter, type ReportContext } from './report';

const LABEL: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'info', hint: 'hint' };
const COLOR: Record<Severity, string> = { error: '31', warning: '33', information: '36', hint: '36' };

export const formatText: Formatter = (findings, context) => {
  const paint = (code: string, text: string) => (context.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const where = (location: Location) => {
    const { line, character } = location.range.start;
    return paint('1', `${displayPath(location.uri, context.cwd)}:${line + 1}:${character + 1}`);
  };
  const lines = inReportOrder(findings, context.cwd).flatMap((f) => [
    `${where(f)} ${paint(COLOR[f.severity], LABEL[f.severity])} ${paint('2', f.code)} ${f.message}`,
    ...f.related.map((r) => `  related: ${where(r.location)} ${r.message}`),
  ]);
  if (lines.length > 0) lines.push('');
  lines.push(summary(findings, context));
  return lines.join('\n') + '\n';
};

/** `2 errors, 1 warning, 0 infos in 12 files (1 skipped)`; hints count as infos. */
function summary(findings: Finding[], { files, skipped }: ReportContext): string {
  const count = (...severities: Severity[]) => findings.filter((f) => severities.includes(f.severity)).length;
  const parts = [
    plural(count('error'), 'error'),
    plural(count('warning'), 'warning'),
    plural(count('information', 'hint'), 'info'),
  ];
  return `${parts.join(', ')} in ${plural(files, 'file')}${skipped > 0 ? ` (${skipped} skipped)` : ''}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
