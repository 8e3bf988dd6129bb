/**
 * What the status bar item says, and what clicking it tells: a pure function
 * of the language server's state and its last `knowledge/syncStatus`
 * notification. No `vscode` import, so it is unit-tested without an editor;
 * `statusBar.ts` puts the result on screen.
 */
import type { SyncStatus } from '../../shared/src/protocol';

/** Where the client is with its language server. */
export type ServerState = 'no-folder' | 'starting' | 'running' | 'stopped';

export interface StatusView {
  /** The item's text, with a `$(codicon)` in front. */
  text: string;
  /** One or two sentences for the hover. */
  tooltip: string;
  /** `warning` and `error` colour the item's background. */
  tone: 'normal' | 'warning' | 'error';
}

/** What clicking the item shows: a message and the buttons that help. */
export interface StatusDetails {
  severity: 'info' | 'warning' | 'error';
  message: string;
  actions: StatusAction[];
}

export type StatusAction = 'Sync Now' | 'Show Log' | 'Open Settings' | 'Restart Server';

const NAME = 'Knowledge';

export function changes(n: number): string {
  return n === 1 ? '1 change' : `${n} changes`;
}

/** The store as people call it: `PGlite + Neo4j` stays, an empty name becomes "the database". */
function store(name: string): string {
  return name.trim() === '' ? 'the database' : name;
}

export function statusView(server: ServerState, sync: SyncStatus | undefined): StatusView {
  switch (server) {
    case 'no-folder':
      return { text: `$(book) ${NAME}`, tooltip: 'Open a folder to check and sync the knowledge files in it.', tone: 'normal' };
    case 'starting':
      return { text: `$(loading~spin) ${NAME}: starting`, tooltip: 'The Knowledge OS language server is starting.', tone: 'normal' };
    case 'stopped':
      return { text: `$(error) ${NAME}: stopped`, tooltip: 'The Knowledge OS language server stopped. Click for details.', tone: 'error' };
    case 'running':
      break;
  }
  if (!sync) return { text: `$(book) ${NAME}`, tooltip: 'Knowledge OS is checking your knowledge files.', tone: 'normal' };
  switch (sync.state) {
    case 'synced':
      return { text: `$(check) ${NAME}: synced`, tooltip: `Every change is saved to ${store(sync.store)}.`, tone: 'normal' };
    case 'pending':
      return {
        text: `$(sync~spin) ${NAME}: syncing ${sync.pending}`,
        tooltip: `${changes(sync.pending)} on the way to ${store(sync.store)}.`,
        tone: 'normal',
      };
    case 'offline':
      return {
        text: `$(cloud-offline) ${NAME}: offline${sync.pending > 0 ? ` (${sync.pending})` : ''}`,
        tooltip:
          `${store(sync.store)} cannot be reached: ${sync.reason}. ` +
          `${sync.pending > 0 ? `${changes(sync.pending)} will sync when it is back; ` : ''}checking keeps working on the local index.`,
        tone: 'warning',
      };
    case 'disabled':
      return { text: `$(circle-slash) ${NAME}: sync off`, tooltip: `Sync is off: ${sync.reason}.`, tone: 'normal' };
  }
}

export function statusDetails(server: ServerState, sync: SyncStatus | undefined): StatusDetails {
  if (server === 'no-folder') {
    return { severity: 'info', message: 'Knowledge OS works on a folder: open the folder that holds your knowledge files.', actions: [] };
  }
  if (server === 'starting') return { severity: 'info', message: 'The Knowledge OS language server is starting.', actions: ['Show Log'] };
  if (server === 'stopped') {
    return { severity: 'error', message: 'The Knowledge OS language server stopped. The log says why.', actions: ['Show Log', 'Restart Server'] };
  }
  if (!sync) return { severity: 'info', message: 'Knowledge OS is checking your knowledge files; the sync status follows.', actions: ['Show Log'] };
  switch (sync.state) {
    case 'synced':
      return { severity: 'info', message: `Knowledge sync: every change is saved to ${store(sync.store)}.`, actions: ['Sync Now', 'Show Log'] };
    case 'pending':
      return {
        severity: 'info',
        message: `Knowledge sync: ${changes(sync.pending)} on the way to ${store(sync.store)}.`,
        actions: ['Sync Now', 'Show Log'],
      };
    case 'offline':
      return {
        severity: 'warning',
        message:
          `Knowledge sync is offline: ${store(sync.store)} cannot be reached (${sync.reason}). ` +
          `${sync.pending > 0 ? `${changes(sync.pending)} will sync when it is back. ` : ''}` +
          'Checking, hovers and impact keep working on the local index.',
        actions: ['Sync Now', 'Open Settings', 'Show Log'],
      };
    case 'disabled':
      return { severity: 'info', message: `Knowledge sync is off: ${sync.reason}.`, actions: ['Open Settings', 'Show Log'] };
  }
}
