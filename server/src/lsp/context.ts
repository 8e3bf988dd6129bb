/**
 * What every feature of the language server gets: the connection, the
 * knowledge base, settings, and the services the server runs (diagnostics,
 * indexing, graph answers, sync). Features are small modules that register
 * handlers on the connection (see `features/`); none talks to another.
 */
import type { Connection, ServerCapabilities } from 'vscode-languageserver/node';
import type { GraphStore } from '../graph/store';
import type { DiagnosticsPublisher } from './diagnostics';
import type { Indexer } from './indexer';
import type { KnowledgeBase } from './knowledge';
import type { Settings } from './settings';

export interface ServerContext {
  connection: Connection;
  kb: KnowledgeBase;
  settings: Settings;
  diagnostics: DiagnosticsPublisher;
  indexer: Indexer;
  /** Services features may look up (graph answers, sync); set by the server before `initialized`. */
  services: Services;
  /**
   * Server-side commands (`workspace/executeCommand`) by id; a feature adds
   * its handlers in `register` and lists the ids in its capabilities'
   * `executeCommandProvider.commands` (lists of all features are joined).
   */
  commands: Map<string, (args: unknown[]) => unknown>;
  /** The client's capabilities and workspace, from `initialize`. */
  client: ClientInfo;
  log(message: string): void;
}

export interface ClientInfo {
  /** Workspace folder paths (absolute). */
  folders: string[];
  /** The client renders Markdown in hovers and completion documentation. */
  markdown: boolean;
  /** The client can be asked for settings per resource. */
  configuration: boolean;
  /** The client accepts dynamic registration of file watchers. */
  watchers: boolean;
  /** The client shows work-done progress. */
  progress: boolean;
  /** The client accepts `workspace/codeLens/refresh`. */
  codeLensRefresh: boolean;
  /** The client sends workspace folder changes. */
  workspaceFolders: boolean;
  /** The client takes `documentChanges` (versioned edits) in a WorkspaceEdit. */
  documentChanges?: boolean;
  /** The client takes snippets (`${1:placeholder}`) in completion items. */
  snippets?: boolean;
  /** `initialize`'s initializationOptions (secrets from the VS Code client, settings for others). */
  initializationOptions: unknown;
}

/** Optional services: each is absent until a feature or the server provides it. */
export interface Services {
  /** Forget everything and index again (the "rebuild index" command). */
  rebuild?: () => Promise<void>;
  /**
   * The team's Neo4j graph when configured and reachable, else null (then
   * the local index answers graph questions: `localImpact.ts`). Provided by the sync feature.
   */
  neo4j?: () => GraphStore | null;
  /**
   * Bumped whenever the shared graph may have changed (a sync pushed
   * documents, a colleague's change arrived): caches of graph answers key on it.
   */
  graphGeneration?: () => number;
}

export interface Feature {
  /** For logs and tests. */
  name: string;
  /** What the feature adds to the initialize result. */
  capabilities?: ServerCapabilities;
  /** Registers handlers; called once, before the connection listens. */
  register(ctx: ServerContext): void;
  /** Called after `initialized` (start background work here). */
  start?(ctx: ServerContext): void | Promise<void>;
  /** Called on shutdown. */
  stop?(ctx: ServerContext): void | Promise<void>;
}
