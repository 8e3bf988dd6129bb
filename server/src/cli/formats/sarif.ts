/** SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Log, PhysicalLocation, ReportingConfiguration, ReportingDescriptor, Result } from 'sarif';
import type { Location, Severity } from '../../core/model';
import { FINDING_CODE_LIST, FINDING_CODES } from '../../core/codes';
import { KOS_HOMEPAGE, KOS_VERSION } from '../meta';
import { displayPath, inReportOrder, type Formatter } from './report';

const SRCROOT = '%SRCROOT%';

const LEVEL: Record<Severity, ReportingConfiguration.level & Result.level> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** One rule per finding code, always all of them, so `ruleIndex` never changes. */
const RULES: ReportingDescriptor[] = FINDING_CODE_LIST.map((code) => {
  const { title, description, help, defaultSeverity } = FINDING_CODES[code];
  return {
    id: code,
    shortDescription: { text: title },
    fullDescription: { text: description },
    defaultConfiguration: { level: LEVEL[defaultSeverity] },
    help: { text: help },
  };
});

export const formatSarif: Formatter = (findings, { cwd }) => {
  const physical = ({ uri, range }: Location): PhysicalLocation => ({
    artifactLocation: { uri: displayPath(uri, cwd), uriBaseId: SRCROOT },
    region: {
      startLine: range.start.line + 1,
      startColumn: range.start.character + 1,
      endLine: range.end.line + 1,
      endColumn: range.end.character + 1,
    },
  });
  const results = inReportOrder(findings, cwd).map(
    (f): Result => ({
      ruleId: f.code,
      ruleIndex: FINDING_CODE_LIST.indexOf(f.code),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: physical(f) }],
      relatedLocations: f.related.map((r, id) => ({
        id,
        physicalLocation: physical(r.location),
        message: { text: r.message },
      })),
      partialFingerprints: { 'kosFinding/v1': fingerprint(f.code, displayPath(f.uri, cwd), f.message) },
    }),
  );
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kos', informationUri: KOS_HOMEPAGE, version: KOS_VERSION, rules: RULES } },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(cwd).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
};

/** Stable across runs and unrelated edits: the code, the file and the message, not the line. */
function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}
