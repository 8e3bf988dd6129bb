/**
 * Publishing findings as LSP diagnostics. After each change the server asks
 * for a flush; flushes are coalesced (an edit storm publishes once), and only
 * documents of the domains that changed are looked at. A document is
 * published when its findings differ from what the client last got — the
 * edited file, and every other file a conflict or a missing REQUIRES now
 * reaches. Documents that left the workspace get an empty list, so nothing
 * stale stays in the Problems panel.
 */
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Connection,
  type Diagnostic,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { FINDING_CODES } from '../core/codes';
import type { Finding, Severity } from '../core/model';
import type { KnowledgeBase } from './knowledge';

export const DIAGNOSTIC_SOURCE = 'knowledge';
export const CODE_HELP_URL = 'https://github.com/knowledge-os/knowledge-os/blob/main/docs/findings.md#';

export class DiagnosticsPublisher {
  private readonly published = new Map<string, Finding[]>();
  private scheduled: NodeJS.Immediate | null = null;
  private readonly listeners: ((uris: string[]) => void)[] = [];
  /** Server time of the last flush, in milliseconds (for the benchmarks and the log). */
  lastFlushMs = 0;
  /** When the oldest edit not yet answered by a flush arrived (`performance.now()`). */
  private editSince: number | null = null;
  private readonly forced = new Set<string>();
  /** Server time from an edit's arrival to its diagnostics being sent, for the last edits (ms). */
  readonly editLatencies: number[] = [];

  constructor(
    private readonly connection: Pick<Connection, 'sendDiagnostics'>,
    private readonly kb: () => KnowledgeBase,
  ) {}

  /**
   * An edit arrived: its latency runs until the flush that answers it, and
   * the edited document is published even if its findings did not change,
   * so the client knows they are current for the new version.
   */
  edited(uri?: string): void {
    this.editSince ??= performance.now();
    if (uri !== undefined) this.forced.add(uri);
    this.schedule();
  }

  /** Publishes an open document at the next flush even if nothing changed (it was just opened). */
  opened(uri: string): void {
    this.forced.add(uri);
    this.schedule();
  }

  /** Asks for a flush after the messages already received are handled. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = null;
      this.flush();
    });
  }

  /** Called with the URIs published by each flush (tests and benchmarks wait on it). */
  onPublished(listener: (uris: string[]) => void): void {
    this.listeners.push(listener);
  }

  /** What the client was last sent for a document. */
  current(uri: string): Finding[] {
    return this.published.get(uri) ?? [];
  }

  flush(): void {
    const started = performance.now();
    const kb = this.kb();
    const sent: string[] = [];
    const send = (uri: string, findings: Finding[]) => {
      if (findings.length === 0) this.published.delete(uri);
      else this.published.set(uri, findings);
      sent.push(uri);
      void this.connection.sendDiagnostics(toParams(uri, findings, kb.origin(uri) === 'open' ? kb.get(uri)?.version : undefined));
    };
    for (const domain of kb.takeTouched()) {
      for (const uri of kb.urisOf(domain)) {
        if (kb.origin(uri) === 'team') continue;
        const findings = kb.workspace.findingsFor(uri);
        if (!sameFindings(findings, this.published.get(uri) ?? [])) send(uri, findings);
      }
    }
    for (const uri of [...this.published.keys()]) {
      const origin = kb.origin(uri);
      if (origin === undefined || origin === 'team') send(uri, []);
    }
    for (const uri of this.forced) if (kb.origin(uri) === 'open' && !sent.includes(uri)) send(uri, kb.workspace.findingsFor(uri));
    this.forced.clear();
    const ended = performance.now();
    this.lastFlushMs = ended - started;
    if (this.editSince !== null) {
      this.editLatencies.push(ended - this.editSince);
      if (this.editLatencies.length > 10_000) this.editLatencies.splice(0, 5_000);
      this.editSince = null;
    }
    if (sent.length > 0) for (const listener of this.listeners) listener(sent);
  }

  /** Clears every published list (the index is being rebuilt). */
  clearAll(): void {
    for (const uri of [...this.published.keys()]) {
      this.published.delete(uri);
      void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }
}

function toParams(uri: string, findings: Finding[], version: number | undefined): PublishDiagnosticsParams {
  return { uri, ...(version !== undefined ? { version } : {}), diagnostics: findings.map(toDiagnostic) };
}

export function toDiagnostic(f: Finding): Diagnostic {
  const diagnostic: Diagnostic = {
    range: f.range,
    severity: toSeverity(f.severity),
    code: f.code,
    codeDescription: { href: CODE_HELP_URL + f.code },
    source: DIAGNOSTIC_SOURCE,
    message: f.message,
  };
  if (f.related.length > 0) diagnostic.relatedInformation = f.related.map((r) => ({ location: r.location, message: r.message }));
  if (f.code === 'redundant-rule') diagnostic.tags = [DiagnosticTag.Unnecessary];
  if (f.data) diagnostic.data = f.data;
  return diagnostic;
}

export function toSeverity(s: Severity): DiagnosticSeverity {
  switch (s) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
  }
}

/** Field by field: cheaper than serialising every document's findings on each keystroke. */
export function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.code !== y.code || x.severity !== y.severity || x.message !== y.message || !sameRange(x.range, y.range)) return false;
    if (x.related.length !== y.related.length) return false;
    for (let j = 0; j < x.related.length; j++) {
      const r = x.related[j];
      const s = y.related[j];
      if (r.message !== s.message || r.location.uri !== s.location.uri || !sameRange(r.location.range, s.location.range)) return false;
    }
    if (JSON.stringify(x.data) !== JSON.stringify(y.data)) return false;
  }
  return true;
}

function sameRange(a: Finding['range'], b: Finding['range']): boolean {
  return (
    a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character
  );
}

export { FINDING_CODES };
