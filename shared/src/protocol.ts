/**
 * What the VS Code client and the language server agree on beyond LSP: the
 * custom notifications and requests, command ids and setting names. Plain
 * data and types only, so both sides (and other editors' configs) can use it.
 */

/** The extension's language id for knowledge files is plain Markdown. */
export const LANGUAGE_ID = 'markdown';

/** Settings section; every setting below lives under it (`knowledge.tenant`, …). */
export const SETTINGS_SECTION = 'knowledge';

/** What `workspace/configuration` returns for the `knowledge` section (all optional). */
export interface KnowledgeSettings {
  tenant?: string;
  postgres?: { url?: string };
  neo4j?: { url?: string; user?: string };
  impact?: { depth?: number };
  sync?: { debounceMs?: number; enabled?: boolean };
}

/** Server → client: the state of the background sync, for the status bar. */
export const SYNC_STATUS_NOTIFICATION = 'knowledge/syncStatus';

export type SyncStatus =
  | { state: 'synced'; store: string }
  | { state: 'pending'; pending: number; store: string }
  | { state: 'offline'; pending: number; store: string; reason: string }
  | { state: 'disabled'; reason: string };

/**
 * Client → server (initializationOptions and `knowledge/setSecrets`):
 * passwords kept in the client's secret storage, never in settings files.
 */
export const SET_SECRETS_NOTIFICATION = 'knowledge/setSecrets';

export interface KnowledgeSecrets {
  postgresPassword?: string;
  neo4jPassword?: string;
}

export interface InitializationOptions {
  secrets?: KnowledgeSecrets;
}

/** Client → server request: the neighbourhood of an atom, for the impact graph webview. */
export const IMPACT_GRAPH_REQUEST = 'knowledge/impactGraph';

export interface ImpactGraphParams {
  textDocument: { uri: string };
  position: { line: number; character: number };
  depth?: number;
}

export interface ImpactGraphNode {
  id: string;
  kind: 'atom' | 'rule' | 'document';
  label: string;
  /** Where clicking the node goes. */
  location?: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } };
  /** True for rules in a conflict. */
  conflict?: boolean;
  hops: number;
}

export interface ImpactGraphEdge {
  source: string;
  target: string;
  kind: 'part-of' | 'requires' | 'sets' | 'conflicts-with' | 'in-document';
}

export type ImpactGraphResult = { atom: string; nodes: ImpactGraphNode[]; edges: ImpactGraphEdge[]; source: 'neo4j' | 'memory' } | null;

/** Commands the server executes (`workspace/executeCommand`) and the client forwards. */
export const COMMANDS = {
  syncNow: 'knowledge.syncNow',
  rebuildIndex: 'knowledge.rebuildIndex',
  /** Client-side: reveal locations (the code lenses' command). */
  showLocations: 'knowledge.showLocations',
  showImpact: 'knowledge.showImpact',
  showImpactGraph: 'knowledge.showImpactGraph',
  setNeo4jPassword: 'knowledge.setNeo4jPassword',
  setPostgresPassword: 'knowledge.setPostgresPassword',
  showSyncDetails: 'knowledge.showSyncDetails',
} as const;

/** Client → server request: the server's own measurements (benchmarks, "show sync details"). */
export const STATS_REQUEST = 'knowledge/stats';

export interface ServerStats {
  /** Documents in the index, by origin; `resting`: how many of them hold no snapshot (their domain is not being edited). */
  documents: { open: number; disk: number; team: number; resting: number };
  /** Indexing progress, null when done. */
  indexing: { done: number; total: number } | null;
  /** Server time from an edit's arrival to its diagnostics being sent (ms), most recent last; cleared by `reset: true`. */
  editLatencies: number[];
  /** Domains whose checks keep their state between edits (those with documents open in the editor, all while indexing). */
  checkState: string[];
  /** process.memoryUsage() in bytes. */
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number };
}
