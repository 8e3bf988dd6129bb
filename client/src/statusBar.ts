/**
 * The status bar item: "synced", "syncing N", "offline", from the server's
 * `knowledge/syncStatus` notifications and the client's state; clicking it
 * runs `knowledge.showSyncDetails`. The words come from `status.ts`.
 * The item's id and name (ids.ts) are stable: end-to-end tests and users'
 * "hide this item" choices depend on them.
 */
import * as vscode from 'vscode';
import { COMMANDS, type SyncStatus } from '../../shared/src/protocol';
import { STATUS_ITEM_ID, STATUS_ITEM_NAME } from './ids';
import { redactSecrets } from './redact';
import { statusDetails, statusView, type ServerState, type StatusDetails, type StatusView } from './status';

export class SyncStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private server: ServerState = 'starting';
  private sync: SyncStatus | undefined;
  private readonly changed = new vscode.EventEmitter<StatusView>();
  /** Fires after the item changed (tests wait on it). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: () => readonly string[]) {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 50);
    this.item.name = STATUS_ITEM_NAME;
    this.item.command = COMMANDS.showSyncDetails;
    this.render();
    this.item.show();
  }

  setServer(state: ServerState): void {
    this.server = state;
    if (state !== 'running') this.sync = undefined; // a new server reports afresh
    this.render();
  }

  setSync(status: SyncStatus): void {
    this.sync = status;
    this.render();
  }

  /** What the item shows now. */
  view(): StatusView {
    const v = statusView(this.server, this.sync);
    return { ...v, tooltip: redactSecrets(v.tooltip, this.secrets()) };
  }

  /** What clicking the item tells now. */
  details(): StatusDetails {
    const d = statusDetails(this.server, this.sync);
    return { ...d, message: redactSecrets(d.message, this.secrets()) };
  }

  private render(): void {
    const v = this.view();
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor =
      v.tone === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : v.tone === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.changed.fire(v);
  }

  dispose(): void {
    this.item.dispose();
    this.changed.dispose();
  }
}
