/**
 * The impact graph webview's model: the server's `ImpactGraphResult` turned
 * into cytoscape elements, the stylesheet that draws them (conflicts in red),
 * a one-line summary, and the messages between the extension and the
 * webview. Pure data and functions — no `vscode`, no DOM — so the extension
 * host, the webview bundle (`client/webview/main.ts`) and the unit tests all
 * use the same code.
 */
import type { ImpactGraphEdge, ImpactGraphNode, ImpactGraphResult } from '../../shared/src/protocol';

export type ImpactGraph = NonNullable<ImpactGraphResult>;

export interface GraphNodeData {
  id: string;
  /** Shortened for drawing; `title` keeps the whole text. */
  label: string;
  title: string;
  kind: ImpactGraphNode['kind'];
  hops: number;
  conflict: boolean;
  /** The atom the graph is about. */
  root: boolean;
  /** Has a location to open. */
  clickable: boolean;
}

export interface GraphEdgeData {
  id: string;
  source: string;
  target: string;
  kind: ImpactGraphEdge['kind'];
}

export interface GraphElements {
  nodes: { data: GraphNodeData }[];
  edges: { data: GraphEdgeData }[];
}

/** Extension → webview. */
export type HostMessage =
  | { type: 'graph'; atom: string; summary: string; source: ImpactGraph['source']; elements: GraphElements }
  | { type: 'empty'; atom: string; message: string };

/** Webview → extension: `ready` once the script listens; `open` when a node is clicked (by id only: the extension keeps the locations). */
export type WebviewMessage = { type: 'ready' } | { type: 'open'; nodeId: string };

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!value || typeof value !== 'object') return false;
  const m = value as { type?: unknown; nodeId?: unknown };
  return m.type === 'ready' || (m.type === 'open' && typeof m.nodeId === 'string');
}

export const MAX_LABEL = 48;

/** `text` cut at a word boundary to at most `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max = MAX_LABEL): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * Cytoscape elements for a graph: nodes once each (the first occurrence of an
 * id wins), edges only between nodes that exist (cytoscape refuses the rest),
 * once per source, target and kind.
 */
export function toGraphElements(graph: ImpactGraph): GraphElements {
  const nodes = new Map<string, { data: GraphNodeData }>();
  for (const n of graph.nodes) {
    if (nodes.has(n.id)) continue;
    nodes.set(n.id, {
      data: {
        id: n.id,
        label: shorten(n.label),
        title: n.label,
        kind: n.kind,
        hops: Math.max(0, n.hops),
        conflict: n.conflict === true,
        root: n.kind === 'atom' && n.hops === 0,
        clickable: n.location !== undefined,
      },
    });
  }
  const edges = new Map<string, { data: GraphEdgeData }>();
  for (const e of graph.edges) {
    if (!nodes.has(e.source) || !nodes.has(e.target) || e.source === e.target) continue;
    const id = `${e.kind}:${e.source}->${e.target}`;
    if (!edges.has(id)) edges.set(id, { data: { id, source: e.source, target: e.target, kind: e.kind } });
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 rules in 2 documents · 1 in conflict · from the local index". */
export function graphSummary(graph: ImpactGraph): string {
  const rules = graph.nodes.filter((n) => n.kind === 'rule');
  const documents = new Set(graph.nodes.filter((n) => n.kind === 'document').map((n) => n.id));
  if (documents.size === 0) for (const r of rules) if (r.location) documents.add(r.location.uri);
  const conflicts = rules.filter((r) => r.conflict).length;
  const parts = [
    rules.length === 0 ? 'no rule uses it' : `${count(rules.length, 'rule', 'rules')} in ${count(documents.size, 'document', 'documents')}`,
  ];
  if (conflicts > 0) parts.push(`${conflicts} in conflict`);
  parts.push(graph.source === 'neo4j' ? 'from the shared graph (Neo4j)' : 'from the local index');
  return parts.join(' · ');
}

/** Colours the stylesheet needs; the webview reads them from VS Code's theme variables. */
export interface GraphColors {
  foreground: string;
  background: string;
  atom: string;
  rule: string;
  document: string;
  edge: string;
  conflict: string;
  focus: string;
}

/** Readable on dark and light themes when the theme variables are missing (e.g. outside VS Code). */
export const FALLBACK_COLORS: GraphColors = {
  foreground: '#cccccc',
  background: '#1e1e1e',
  atom: '#3794ff',
  rule: '#b180d7',
  document: '#89d185',
  edge: '#808080',
  conflict: '#f14c4c',
  focus: '#ffcc00',
};

/** A cytoscape stylesheet (plain JSON, typed loosely so this module needs no cytoscape types). */
export function graphStylesheet(c: GraphColors): { selector: string; style: Record<string, string | number> }[] {
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        color: c.foreground,
        'font-size': 11,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'text-wrap': 'wrap',
        'text-max-width': '160px',
        'text-background-color': c.background,
        'text-background-opacity': 0.7,
        'text-background-padding': '1px',
        width: 22,
        height: 22,
        'border-width': 1,
        'border-color': c.foreground,
      },
    },
    { selector: 'node[kind = "atom"]', style: { shape: 'ellipse', 'background-color': c.atom } },
    { selector: 'node[kind = "rule"]', style: { shape: 'round-rectangle', width: 30, height: 18, 'background-color': c.rule } },
    { selector: 'node[kind = "document"]', style: { shape: 'barrel', width: 20, height: 24, 'background-color': c.document } },
    { selector: 'node[?root]', style: { width: 36, height: 36, 'border-width': 3, 'font-weight': 'bold', 'font-size': 13 } },
    { selector: 'node[?conflict]', style: { 'background-color': c.conflict, 'border-color': c.conflict, 'border-width': 3, color: c.conflict } },
    { selector: 'node:selected', style: { 'border-color': c.focus, 'border-width': 3 } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': c.edge,
        'target-arrow-color': c.edge,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8,
        'curve-style': 'bezier',
      },
    },
    { selector: 'edge[kind = "requires"]', style: { 'line-style': 'dashed' } },
    { selector: 'edge[kind = "in-document"]', style: { 'line-style': 'dotted', 'target-arrow-shape': 'none', opacity: 0.6 } },
    {
      selector: 'edge[kind = "conflicts-with"]',
      style: { 'line-color': c.conflict, 'target-arrow-shape': 'none', 'line-style': 'dashed', width: 3 },
    },
  ];
}
