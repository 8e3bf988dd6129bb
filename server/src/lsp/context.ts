/**
 * What every feature of the language server gets: the connection, the
 * knowledge base, settings, and the services the server runs (diagnostics,
 * indexing, graph answers, sync). Features are small modules that register
 * handlers on the connection (see `features/`); none talks to another.
 */
import type { Connection, ServerCapabilities } from 'vscode-languageserver/node';
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
}

/** Optional services: each is absent until a feature or the server provides it. */
export interface Services {
  [name: string]: unknown;
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
