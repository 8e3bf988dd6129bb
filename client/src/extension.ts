/**
 * The VS Code extension's entry point: the output channel (the server's log,
 * redacted), the passwords in SecretStorage, the status bar item, the
 * language server (started when a folder is open), the commands, and the
 * impact graph webview. Ids of commands, the status bar item, the output
 * channel and the webview are contracts (shared/src/protocol.ts, ids.ts):
 * keybindings, the walkthrough and the end-to-end tests use them.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/src/protocol';
import { ImpactGraphPanel } from './impactGraphPanel';
import { impactAtCursor, showImpact, showLocations } from './impact';
import { OUTPUT_CHANNEL_NAME, RESTART_COMMAND, SHOW_LOG_COMMAND } from './ids';
import { RedactingOutputChannel, redactSecrets } from './redact';
import { promptForPassword, SecretStore } from './secrets';
import { KnowledgeServer, ServerUnavailable } from './server';
import type { StatusAction, StatusView } from './status';
import { SyncStatusBar } from './statusBar';

/** What `activate` returns: for the extension tests, and for anyone scripting the extension. */
export interface KnowledgeApi {
  /** Resolves when the language server answered `initialize` (rejects when it could not start). */
  ready(): Promise<void>;
  /** What the status bar item shows now. */
  status(): StatusView;
  readonly onDidChangeStatus: vscode.Event<StatusView>;
}

let server: KnowledgeServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<KnowledgeApi> {
  const secrets = new SecretStore(context.secrets);
  await secrets.load();
  const log = new RedactingOutputChannel(vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true }), () => secrets.texts());
  const statusBar = new SyncStatusBar(() => secrets.texts());
  const graphPanel = new ImpactGraphPanel(context.extensionUri);
  const knowledge = new KnowledgeServer(context, log, secrets, {
    state: (state) => statusBar.setServer(state),
    syncStatus: (status) => statusBar.setSync(status),
  });
  server = knowledge;
  context.subscriptions.push(log, secrets, statusBar, graphPanel, knowledge);

  /** A command that reports failures as a message (redacted) instead of an unhandled rejection. */
  const command = (id: string, run: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets.texts());
        if (!(error instanceof ServerUnavailable)) log.error(`${id} failed: ${message}`);
        void vscode.window.showErrorMessage(`Knowledge OS: ${message}`);
      }
    });

  /** Forwards a server command with a progress indicator; a text result is shown. */
  const forward = (id: string, title: string) =>
    command(id, async () => {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => knowledge.executeCommand(id));
      if (typeof result === 'string' && result.trim() !== '') void vscode.window.showInformationMessage(redactSecrets(result, secrets.texts()));
    });

  context.subscriptions.push(
    forward(COMMANDS.syncNow, 'Knowledge: syncing'),
    forward(COMMANDS.rebuildIndex, 'Knowledge: rebuilding the index'),
    command(COMMANDS.showImpact, () => showImpact(knowledge)),
    command(COMMANDS.showImpactGraph, async () => {
      const found = await impactAtCursor(knowledge);
      if (found) graphPanel.show(found.graph, found.editor.viewColumn);
    }),
    command(COMMANDS.showLocations, (...args) => showLocations(...args)),
    command(COMMANDS.setNeo4jPassword, () => promptForPassword(secrets, 'neo4jPassword')),
    command(COMMANDS.setPostgresPassword, () => promptForPassword(secrets, 'postgresPassword')),
    command(COMMANDS.showSyncDetails, async () => {
      const details = statusBar.details();
      const action =
        details.severity === 'error'
          ? await vscode.window.showErrorMessage(details.message, ...details.actions)
          : details.severity === 'warning'
            ? await vscode.window.showWarningMessage(details.message, ...details.actions)
            : await vscode.window.showInformationMessage(details.message, ...details.actions);
      if (action) await runStatusAction(action);
    }),
    command(SHOW_LOG_COMMAND, () => log.show(true)),
    command(RESTART_COMMAND, () => knowledge.restart()),
  );

  async function runStatusAction(action: StatusAction): Promise<void> {
    switch (action) {
      case 'Sync Now':
        await vscode.commands.executeCommand(COMMANDS.syncNow);
        break;
      case 'Show Log':
        log.show(true);
        break;
      case 'Open Settings':
        await vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`);
        break;
      case 'Restart Server':
        await knowledge.restart();
        break;
    }
  }

  // The server works on workspace folders: without one, wait for one.
  const hasFolder = () => (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const start = () => knowledge.start(); // once: later calls return the same promise
  if (hasFolder()) void start().catch(() => undefined);
  else {
    statusBar.setServer('no-folder');
    context.subscriptions.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        if (hasFolder()) void start().catch(() => undefined);
      }),
    );
  }

  return {
    ready: async () => {
      if (!hasFolder()) throw new ServerUnavailable('no folder is open');
      await start();
    },
    status: () => statusBar.view(),
    onDidChangeStatus: statusBar.onDidChange,
  };
}

export async function deactivate(): Promise<void> {
  const s = server;
  server = undefined;
  await s?.stop();
}
