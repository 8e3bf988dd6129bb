/**
 * The language server, from the client's side: `dist/cli.js lsp` started
 * over Node IPC by vscode-languageclient (which appends `--node-ipc` and
 * `--clientProcessId=…`), its state for the status bar, the passwords handed
 * over at start (`initializationOptions.secrets`) and whenever they change
 * (`knowledge/setSecrets`), and the requests the commands send.
 */
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  COMMANDS,
  LANGUAGE_ID,
  SET_SECRETS_NOTIFICATION,
  SETTINGS_SECTION,
  SYNC_STATUS_NOTIFICATION,
  type InitializationOptions,
  type SyncStatus,
} from '../../shared/src/protocol';
import { SERVER_ARGS, SERVER_MODULE, SERVER_NODE_FLAGS, serverEnv } from './launch';
import type { SecretStore } from './secrets';
import { withoutClientCommands } from './serverCommands';
import type { ServerState } from './status';

/** Why a command cannot reach the server; shown to the user as is. */
export class ServerUnavailable extends Error {
  override name = 'ServerUnavailable';
}

export interface ServerEvents {
  state(state: ServerState): void;
  syncStatus(status: SyncStatus): void;
}

export class KnowledgeServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private started: Promise<void> | undefined;
  private state: ServerState = 'no-folder';
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets: SecretStore,
    private readonly events: ServerEvents,
  ) {
    this.subscriptions.push(
      secrets.onDidChange((current) => {
        if (this.client?.isRunning()) void this.client.sendNotification(SET_SECRETS_NOTIFICATION, current);
      }),
    );
  }

  /** Starts the server (once); resolves when it answered `initialize`. */
  start(): Promise<void> {
    this.started ??= this.launch();
    return this.started;
  }

  /** The running client, waiting for a start in progress. */
  async running(): Promise<LanguageClient> {
    if (!this.started) throw new ServerUnavailable('Knowledge OS needs a folder: open the folder that holds your knowledge files.');
    await this.started.catch(() => undefined);
    if (!this.client?.isRunning()) throw new ServerUnavailable('The Knowledge OS language server is not running. The log says why.');
    return this.client;
  }

  async restart(): Promise<void> {
    if (!this.client) return this.start();
    await this.client.restart();
  }

  /** `workspace/executeCommand` for a command the server implements. */
  async executeCommand(command: string, args: unknown[] = []): Promise<unknown> {
    const client = await this.running();
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private async launch(): Promise<void> {
    const module = this.context.asAbsolutePath(SERVER_MODULE);
    const env = serverEnv(await this.storageFolder(), process.env);
    const args = [...SERVER_ARGS];
    const serverOptions: ServerOptions = {
      run: { module, args, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_NODE_FLAGS] } },
      debug: { module, args, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: LANGUAGE_ID }],
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      diagnosticCollectionName: 'knowledge',
      // Read at every (re)start, so a restarted server gets the current passwords.
      initializationOptions: (): InitializationOptions => ({ secrets: this.secrets.current() }),
      markdown: { isTrusted: { enabledCommands: [COMMANDS.showLocations, COMMANDS.showImpact, COMMANDS.showImpactGraph] }, supportHtml: false },
    };
    // The client id is the settings section, so `knowledge.trace.server` controls the trace.
    const client = new LanguageClient(SETTINGS_SECTION, 'Knowledge OS', serverOptions, clientOptions);
    keepClientCommands(client);
    this.client = client;
    this.subscriptions.push(
      client.onDidChangeState(({ newState }) => this.setState(newState === State.Running ? 'running' : newState === State.Starting ? 'starting' : 'stopped')),
      client.onNotification(SYNC_STATUS_NOTIFICATION, (status: SyncStatus) => this.events.syncStatus(status)),
    );
    this.setState('starting');
    try {
      await client.start();
    } catch (error) {
      this.setState('stopped');
      this.log.error(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** The embedded database (PGlite) lives in the workspace's storage folder, not in the user's files. */
  private async storageFolder(): Promise<string> {
    const uri = this.context.storageUri ?? this.context.globalStorageUri;
    await vscode.workspace.fs.createDirectory(uri);
    return uri.fsPath;
  }

  private setState(state: ServerState): void {
    if (state === this.state) return;
    this.state = state;
    this.events.state(state);
  }

  /** Stops the server; deactivation waits for it. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.started = undefined;
    if (client?.needsStop()) await client.stop().catch(() => undefined);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    void this.stop();
  }
}

/** The client must not register the commands the extension owns (see serverCommands.ts). */
function keepClientCommands(client: LanguageClient): void {
  const feature = client.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data) => register({ ...data, registerOptions: withoutClientCommands(data.registerOptions) });
}
