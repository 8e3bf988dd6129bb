/**
 * The language server: one connection, one knowledge base, and the features
 * (`features/`), each registering its own handlers. `createServer` wires
 * them; `kos lsp` (cli/lsp.ts) makes the connection over stdio or IPC.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  ResponseError,
  FileChangeType,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { KOS_VERSION } from '../cli/meta';
import type { ClientInfo, Feature, ServerContext } from './context';
import { DiagnosticsPublisher } from './diagnostics';
import { registerDocuments, textSyncCapabilities } from './documents';
import { FEATURES } from './features';
import { canonicalUri, folderPath, Indexer } from './indexer';
import { KnowledgeBase } from './knowledge';
import { Settings, settingsFromEnv } from './settings';

/** Files read in other domains before a domain being indexed counts as complete (`KnowledgeBase.checkSettled`). */
const SETTLED_AFTER = 300;

export interface ServerOptions {
  /** Worker threads for indexing large workspaces (default: the cores, at most 4). */
  jobs?: number;
  env?: Record<string, string | undefined>;
  features?: Feature[];
}

export function createServer(connection: Connection, options: ServerOptions = {}): ServerContext {
  const features = options.features ?? FEATURES;
  const env = options.env ?? process.env;
  let kb = new KnowledgeBase('default');
  let progress: WorkDoneProgressServerReporter | null = null;
  let lastIndexFlush = performance.now();
  const client: ClientInfo = {
    folders: [],
    markdown: false,
    configuration: false,
    watchers: false,
    progress: false,
    codeLensRefresh: false,
    workspaceFolders: false,
    initializationOptions: undefined,
  };
  const log = (message: string) => connection.console.log(message);
  const settings = new Settings(connection, () => client.configuration, settingsFromEnv(env));
  const diagnostics = new DiagnosticsPublisher(connection, () => kb);
  const indexer = new Indexer(() => kb, {
    // The server's own thread mostly waits while workers parse: one worker per core.
    jobs: options.jobs ?? Math.max(1, Math.min(4, os.availableParallelism())),
    cacheDir: (folders) => indexCacheDir(folders, env),
    log,
    onBatch: ({ done, total }) => {
      // A domain whose files have all arrived is checked and set at rest while the next ones are read.
      if (done < total) kb.checkSettled(SETTLED_AFTER);
      // Checking every touched domain after each batch costs more than the parse (the domains grow with every
      // batch): while indexing, publish every 10 s, and at the end.
      const now = performance.now();
      if (done === total || now - lastIndexFlush > 10_000) {
        lastIndexFlush = now;
        diagnostics.schedule();
      }
      if (progress && total > 0) progress.report(Math.round((done / total) * 100), `${done}/${total} files`);
    },
  });
  const ctx: ServerContext = {
    connection,
    get kb() {
      return kb;
    },
    settings,
    diagnostics,
    indexer,
    services: {},
    commands: new Map(),
    client,
    log,
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    client.folders = (params.workspaceFolders ?? [])
      .map((f) => folderPath(f.uri))
      .filter((p): p is string => p !== null);
    if (client.folders.length === 0 && params.rootUri) {
      const root = folderPath(params.rootUri);
      if (root) client.folders.push(root);
    }
    client.markdown = caps.textDocument?.hover?.contentFormat?.includes('markdown') ?? false;
    client.configuration = caps.workspace?.configuration ?? false;
    client.watchers = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration ?? false;
    client.progress = caps.window?.workDoneProgress ?? false;
    client.codeLensRefresh = caps.workspace?.codeLens?.refreshSupport ?? false;
    client.workspaceFolders = caps.workspace?.workspaceFolders ?? false;
    client.documentChanges = caps.workspace?.workspaceEdit?.documentChanges ?? false;
    client.snippets = caps.textDocument?.completion?.completionItem?.snippetSupport ?? false;
    client.initializationOptions = params.initializationOptions;
    let capabilities: ServerCapabilities = { ...textSyncCapabilities, workspace: { workspaceFolders: { supported: true, changeNotifications: true } } };
    for (const f of features) if (f.capabilities) capabilities = mergeCapabilities(capabilities, f.capabilities);
    return { capabilities, serverInfo: { name: 'knowledge-os', version: KOS_VERSION } };
  });

  connection.onInitialized(async () => {
    if (client.configuration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'knowledge' }).catch(() => undefined);
    if (client.watchers) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{md,markdown}' }, { globPattern: '**/' }] })
        .catch(() => undefined);
    }
    if (client.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async ({ added, removed }) => {
        for (const f of removed) {
          const p = folderPath(f.uri);
          client.folders = client.folders.filter((x) => x !== p);
          indexer.forget(pathToFileURL(p ?? fileURLToPath(f.uri)).href);
        }
        for (const f of added) {
          const p = folderPath(f.uri);
          if (p) client.folders.push(p);
        }
        await reindex();
      });
    }
    const resolved = await settings.for();
    if (resolved.tenant !== kb.tenant) kb.reset(resolved.tenant);
    // Indexing starts first: features starting meanwhile (sync) see it running and wait for it.
    const indexed = reindex();
    for (const f of features) {
      try {
        await f.start?.(ctx);
      } catch (error) {
        log(`${f.name} did not start: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await indexed;
  });

  async function reindex(): Promise<void> {
    const done = indexer.index(client.folders);
    if (client.progress) {
      const reporter = await connection.window.createWorkDoneProgress().catch(() => null);
      if (indexer.progress()) {
        progress = reporter;
        progress?.begin('Indexing knowledge', 0, 'finding files', false);
      } else reporter?.done();
    }
    await done;
    progress?.done();
    progress = null;
    diagnostics.schedule();
  }

  connection.onDidChangeConfiguration(async (change) => {
    settings.changed(change);
    const resolved = await settings.for();
    if (resolved.tenant !== kb.tenant) await rebuild(resolved.tenant);
  });

  /** Starts over: forget everything, re-read the open documents' text and the disk. */
  async function rebuild(tenant: string): Promise<void> {
    const open = [...kb.uris()].filter((uri) => kb.origin(uri) === 'open').map((uri) => kb.get(uri)!);
    diagnostics.clearAll();
    kb.reset(tenant);
    for (const doc of open) kb.upsert(doc, 'open');
    await reindex();
  }
  ctx.services.rebuild = () => rebuild(kb.tenant);

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    for (const change of changes) {
      const uri = canonicalUri(change.uri);
      if (change.type === FileChangeType.Deleted) indexer.forget(uri);
      else await indexer.refreshFile(uri);
    }
    diagnostics.schedule();
  });

  connection.onExecuteCommand(async ({ command, arguments: args }) => {
    const handler = ctx.commands.get(command);
    if (!handler) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command: ${command}`);
    return handler(args ?? []);
  });

  registerDocuments(ctx, connection);
  for (const f of features) f.register(ctx);

  connection.onShutdown(async () => {
    for (const f of features) await f.stop?.(ctx);
  });
  return ctx;
}

/** Capabilities of several features in one object (nested objects merged, lists joined, the rest last-wins). */
export function mergeCapabilities(a: ServerCapabilities, b: ServerCapabilities): ServerCapabilities {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    if (Array.isArray(mine) && Array.isArray(value)) out[key] = [...new Set([...mine, ...value])];
    else if (mine && value && typeof mine === 'object' && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = mergeCapabilities(mine as ServerCapabilities, value as ServerCapabilities);
    } else out[key] = value;
  }
  return out as ServerCapabilities;
}

/**
 * Where a workspace's index is kept between sessions: `index/` in the
 * embedded store's folder (`KNOWLEDGE_HOME`, else `.knowledge` in the first
 * workspace folder); `KNOWLEDGE_INDEX_CACHE=off` keeps none.
 */
export function indexCacheDir(folders: string[], env: Record<string, string | undefined>): string | null {
  if (folders.length === 0 || env.KNOWLEDGE_INDEX_CACHE?.trim().toLowerCase() === 'off') return null;
  return path.resolve(folders[0], env.KNOWLEDGE_HOME?.trim() || '.knowledge', 'index');
}
