/** A JSON array of findings with LSP's 0-based positions, for scripts. */
import { displayPath, inReportOrder, plainRange, type Formatter } from './report';

export const formatJson: Formatter = (findings, { cwd }) => {
  const report = inReportOrder(findings, cwd).map((f) => ({
    file: displayPath(f.uri, cwd),
    range: plainRange(f.range),
    severity: f.severity,
    code: f.code,
    message: f.message,
    related: f.related.map((r) => ({
      file: displayPath(r.location.uri, cwd),
      range: plainRange(r.location.range),
      message: r.message,
    })),
  }));
  return JSON.stringify(report, null, 2) + '\n';
};
