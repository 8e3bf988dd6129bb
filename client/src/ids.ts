/**
 * The names other things depend on — keybindings, the walkthrough, users'
 * "hide this status bar item" choices, the end-to-end tests — in one place.
 * Command ids shared with the server are in shared/src/protocol.ts (COMMANDS);
 * these are the client's own. Changing one is a breaking change.
 */

/** The output channel with the language server's log (and the protocol trace). */
export const OUTPUT_CHANNEL_NAME = 'Knowledge OS';

/** Commands only the client knows. */
export const SHOW_LOG_COMMAND = 'knowledge.showLog';
export const RESTART_COMMAND = 'knowledge.restartServer';

/** The status bar item: its id and the name VS Code shows in the status bar's context menu. */
export const STATUS_ITEM_ID = 'knowledge.status';
export const STATUS_ITEM_NAME = 'Knowledge OS Sync';

/** The impact graph webview's view type, and its tab title. */
export const IMPACT_GRAPH_VIEW_TYPE = 'knowledge.impactGraph';
export function impactGraphTitle(atom: string): string {
  return `Impact graph: ${atom}`;
}
