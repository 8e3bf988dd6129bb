/**
 * The plain-data side of the navigation commands: checking the arguments a
 * code lens hands to `knowledge.showLocations` (LSP JSON, from the server),
 * and turning an impact graph into the "show impact" quick pick's items.
 * No `vscode` import; `impact.ts` converts to editor types and shows them.
 */
import type { ImpactGraph } from './graphView';

export interface LspPosition {
  line: number;
  character: number;
}

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

export interface LspLocation {
  uri: string;
  range: LspRange;
}

export interface ShowLocationsArgs {
  uri: string;
  position: LspPosition;
  locations: LspLocation[];
}

function isPosition(v: unknown): v is LspPosition {
  const p = v as LspPosition | null;
  return !!p && typeof p === 'object' && Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0;
}

function isLocation(v: unknown): v is LspLocation {
  const l = v as LspLocation | null;
  return !!l && typeof l === 'object' && typeof l.uri === 'string' && !!l.range && isPosition(l.range.start) && isPosition(l.range.end);
}

/**
 * `(uri, position, locations)` as the server's code lenses send them, or null
 * when they are not that shape (a stale lens, another server): then the
 * command does nothing rather than opening a broken peek view.
 */
export function parseShowLocationsArgs(args: readonly unknown[]): ShowLocationsArgs | null {
  const [uri, position, locations] = args;
  if (typeof uri !== 'string' || !isPosition(position) || !Array.isArray(locations) || !locations.every(isLocation)) return null;
  return { uri, position, locations };
}

export interface ImpactPickItem {
  label: string;
  description: string;
  /** Where the rule is written, e.g. `domains/tax/quebec.md:12`. */
  detail: string;
  location: LspLocation;
  conflict: boolean;
}

/**
 * One item per affected rule that has a location: nearest first (by hops),
 * then by place (file, line), so the list reads like the documents do.
 * `where(uri, line)` names a place for people (workspace-relative path).
 */
export function impactPickItems(graph: ImpactGraph, where: (uri: string, line: number) => string): ImpactPickItem[] {
  const seen = new Set<string>();
  const rules = graph.nodes.filter((n) => {
    if (n.kind !== 'rule' || !n.location || seen.has(n.id)) return false;
    seen.add(n.id);
    return true;
  });
  rules.sort(
    (a, b) =>
      a.hops - b.hops ||
      a.location!.uri.localeCompare(b.location!.uri) ||
      a.location!.range.start.line - b.location!.range.start.line,
  );
  return rules.map((n) => ({
    label: `${n.conflict ? '$(warning) ' : ''}${n.label}`,
    description: [n.hops <= 1 ? 'uses it directly' : `${n.hops} hops away`, n.conflict ? 'in conflict' : ''].filter(Boolean).join(' · '),
    detail: where(n.location!.uri, n.location!.range.start.line),
    location: n.location!,
    conflict: n.conflict === true,
  }));
}

/** The quick pick's title: "Impact of Withholding Rate: 3 rules in 2 documents". */
export function impactTitle(graph: ImpactGraph, items: readonly ImpactPickItem[]): string {
  const documents = new Set(items.map((i) => i.location.uri)).size;
  const rules = items.length === 1 ? '1 rule' : `${items.length} rules`;
  return `Impact of ${graph.atom}: ${rules} in ${documents === 1 ? '1 document' : `${documents} documents`}`;
}
