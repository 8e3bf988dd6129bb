/**
 * Which commands the extension registers itself, and the filter that keeps
 * the language client from registering them a second time.
 *
 * The language client registers a VS Code command for every command the
 * server lists in `executeCommandProvider`; registering an id twice throws.
 * The extension owns `knowledge.syncNow` and `knowledge.rebuildIndex`
 * (progress, messages, and they exist before the server runs, which the
 * end-to-end tests and keybindings rely on) and forwards them with
 * `workspace/executeCommand`; so those ids are removed from what the server
 * advertises before the client sees them. Pure: no `vscode` import.
 */
import { COMMANDS } from '../../shared/src/protocol';

/** Commands the extension registers; the server may advertise some of them. */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set(Object.values(COMMANDS));

/** Server commands the extension forwards with `workspace/executeCommand`. */
export const FORWARDED_COMMANDS = [COMMANDS.syncNow, COMMANDS.rebuildIndex] as const;

/** `options` (an `executeCommandProvider` or its registration) without the commands the client owns. */
export function withoutClientCommands<T extends { commands?: string[] }>(options: T): T {
  if (!Array.isArray(options.commands)) return options;
  return { ...options, commands: options.commands.filter((c) => !CLIENT_COMMANDS.has(c)) };
}
