/**
 * Tests drive the real language server: `node dist/cli.js lsp --stdio` as a
 * child process, spoken to with vscode-languageserver-protocol's JSON-RPC
 * connection. The test client records diagnostics, progress, logs and
 * `knowledge/syncStatus`, answers the server's requests like an editor, and
 * lets tests wait on notifications (never on fixed sleeps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { SYNC_STATUS_NOTIFICATION, type KnowledgeSettings, type SyncStatus } from '../../../shared/src/protocol';

export const CLI_BUNDLE = path.resolve(__dirname, '../../../dist/cli.js');

export const CLIENT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceFolders: true,
    codeLens: { refreshSupport: true },
    semanticTokens: { refreshSupport: true },
    applyEdit: true,
    workspaceEdit: { documentChanges: true },
  },
  window: { workDoneProgress: true },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    rename: { prepareSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    semanticTokens: {
      requests: { full: true, range: false },
      tokenTypes: [],
      tokenModifiers: [],
      formats: ['relative'],
    },
  },
};

export interface StartOptions {
  /** Workspace folders (absolute paths). */
  folders?: string[];
  /** What `workspace/configuration` answers for the `knowledge` section (per scope URI when a function). */
  settings?: KnowledgeSettings | ((scopeUri: string | undefined) => KnowledgeSettings);
  env?: Record<string, string | undefined>;
  /**
   * Background sync to the stores (default off: most tests are about the
   * index, and each server would open its own PGlite). When off, the
   * settings answered carry `sync.enabled: false` unless they say otherwise.
   */
  sync?: boolean;
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** The CLI bundle to run (default: dist/cli.js of this checkout). */
  cli?: string;
  /** Extra arguments for node (e.g. --max-old-space-size). */
  nodeArgs?: string[];
  /** `kos lsp --jobs`: worker threads for indexing (default: the server's). */
  jobs?: number;
}

type Waiter = { check: () => boolean; resolve: () => void; reject: (error: Error) => void };

export class TestClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly publishCount = new Map<string, number>();
  /** The document version the last diagnostics of each URI were computed for (open documents). */
  readonly diagnosticsVersion = new Map<string, number>();
  readonly syncStatuses: SyncStatus[] = [];
  readonly logs: string[] = [];
  readonly progress: unknown[] = [];
  /** Every request the server sent to the client, by method. */
  readonly serverRequests: { method: string; params: unknown }[] = [];
  settings: StartOptions['settings'];
  /** See StartOptions.sync. */
  syncEnabled = false;
  private readonly waiters = new Set<Waiter>();
  private versions = new Map<string, number>();
  private exited = false;
  private exitReason = '';
  stderr = '';

  constructor(
    readonly connection: ProtocolConnection,
    readonly process: ChildProcess,
    settings: StartOptions['settings'],
  ) {
    this.settings = settings;
    process.on('exit', (code, signal) => {
      this.exited = true;
      this.exitReason = `the server exited (${signal ?? code})`;
      this.poke();
    });
    process.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      if (p.version !== undefined) this.diagnosticsVersion.set(p.uri, p.version);
      this.publishCount.set(p.uri, (this.publishCount.get(p.uri) ?? 0) + 1);
      this.poke();
    });
    connection.onNotification(SYNC_STATUS_NOTIFICATION, (s: SyncStatus) => {
      this.syncStatuses.push(s);
      this.poke();
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      this.poke();
    });
    connection.onNotification('$/progress', (p: unknown) => {
      this.progress.push(p);
      this.poke();
    });
    connection.onRequest('workspace/configuration', (p: { items: { scopeUri?: string; section?: string }[] }) => {
      this.serverRequests.push({ method: 'workspace/configuration', params: p });
      return p.items.map((item) => {
        const s = typeof this.settings === 'function' ? this.settings(item.scopeUri) : (this.settings ?? {});
        if (item.section !== 'knowledge') return null;
        return this.syncEnabled || s.sync?.enabled !== undefined ? s : { ...s, sync: { ...s.sync, enabled: false } };
      });
    });
    for (const method of ['client/registerCapability', 'client/unregisterCapability', 'window/workDoneProgress/create', 'workspace/codeLens/refresh', 'workspace/semanticTokens/refresh', 'workspace/diagnostic/refresh', 'workspace/inlayHint/refresh']) {
      connection.onRequest(method, (params: unknown) => {
        this.serverRequests.push({ method, params });
        this.poke();
        return null;
      });
    }
    connection.onRequest('workspace/applyEdit', (params: unknown) => {
      this.serverRequests.push({ method: 'workspace/applyEdit', params });
      return { applied: true };
    });
    connection.onRequest('window/showMessageRequest', () => null);
    connection.onNotification('window/showMessage', (p: { message: string }) => void this.logs.push(`[showMessage] ${p.message}`));
  }

  /** Resolves once `check()` holds (checked now and after every message from the server). */
  waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${this.exited ? ' (the server exited)' : ''}\nlogs:\n${this.logs.slice(-20).join('\n')}\nstderr:\n${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private poke(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters.delete(w);
        w.resolve();
      } else if (this.exited) {
        this.waiters.delete(w);
        w.reject(new Error(`${this.exitReason} while waiting\nstderr:\n${this.stderr.slice(-2000)}`));
      }
    }
  }

  /** Waits until the latest diagnostics of `uri` satisfy `predicate`. */
  async diagnosticsFor(uri: string, predicate: (d: Diagnostic[]) => boolean, what = 'diagnostics', timeoutMs?: number): Promise<Diagnostic[]> {
    await this.waitFor(
      () => predicate(this.diagnostics.get(uri) ?? []),
      `${what} of ${uri} (now: ${JSON.stringify((this.diagnostics.get(uri) ?? []).map((d) => d.code))})`,
      timeoutMs,
    );
    return this.diagnostics.get(uri) ?? [];
  }

  /** Waits for the server's log line matching `pattern`. */
  async logged(pattern: RegExp): Promise<string> {
    await this.waitFor(() => this.logs.some((l) => pattern.test(l)), `a log line matching ${pattern}`);
    return this.logs.find((l) => pattern.test(l))!;
  }

  /** Waits until the initial indexing has ended. */
  indexed(): Promise<string> {
    return this.logged(/^indexed \d+ files/);
  }

  open(uri: string, text: string, version = 1): void {
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version, text } });
  }

  change(uri: string, changes: TextDocumentContentChangeEvent[]): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** Replaces the whole text. */
  replace(uri: string, text: string): number {
    return this.change(uri, [{ text }]);
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Sends a request; rejects if the server exits before answering (a pending promise alone keeps no process alive). */
  request<R>(method: string, params: unknown): Promise<R> {
    const answer = this.connection.sendRequest(method, params) as Promise<R>;
    if (this.exited) return Promise.reject(new Error(`${this.exitReason} before ${method}\nstderr:\n${this.stderr.slice(-2000)}`));
    return new Promise<R>((resolve, reject) => {
      const exited = () => reject(new Error(`${this.exitReason} while waiting for ${method}\nstderr:\n${this.stderr.slice(-2000)}`));
      this.process.once('exit', exited);
      answer.then(
        (value) => {
          this.process.off('exit', exited);
          resolve(value);
        },
        (error: unknown) => {
          this.process.off('exit', exited);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  notify(method: string, params: unknown): void {
    void this.connection.sendNotification(method, params);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
      void this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    await Promise.race([new Promise((r) => this.process.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
    if (!this.exited) this.process.kill('SIGKILL');
    this.connection.dispose();
  }
}

/** Starts the server as a process and completes the initialize handshake. */
export async function startServer(options: StartOptions = {}): Promise<TestClient> {
  const cli = options.cli ?? CLI_BUNDLE;
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build"`);
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('KNOWLEDGE_')) delete env[key];
  Object.assign(env, options.env ?? {});
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cli, 'lsp', '--stdio', ...(options.jobs ? ['--jobs', String(options.jobs)] : [])], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const client = new TestClient(connection, child, options.settings);
  client.syncEnabled = options.sync ?? false;
  connection.listen();
  const folders = options.folders ?? [];
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code) => setTimeout(() => reject(new Error(`the server exited (${code}) during initialize:\n${client.stderr}`)), 50)),
  );
  died.catch(() => undefined);
  await Promise.race([died, connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: folders[0] ? pathToFileURL(folders[0]).href : null,
    workspaceFolders: folders.map((f) => ({ uri: pathToFileURL(f).href, name: path.basename(f) })),
    capabilities: options.capabilities ?? CLIENT_CAPABILITIES,
    initializationOptions: options.initializationOptions,
  })]);
  await connection.sendNotification('initialized', {});
  return client;
}

/** A temporary folder with files (relative path → text); removed by the returned cleanup. */
export function workspaceOf(files: Record<string, string>): { root: string; uri: (relative: string) => string; cleanup: () => void } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kos-lsp-')));
  for (const [relative, text] of Object.entries(files)) {
    const full = path.join(root, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return {
    root,
    uri: (relative) => pathToFileURL(path.join(root, relative)).href,
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** The range of the `n`th (0-based) occurrence of `needle` in `text`, as an LSP position at its start (plus `offset` characters). */
export function positionOf(text: string, needle: string, offset = 0, n = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at === -1) throw new Error(`'${needle}' (#${n}) is not in the text`);
  }
  const before = text.slice(0, at + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
