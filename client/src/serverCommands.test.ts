/** The language client must not register the commands the extension owns: registering an id twice throws in VS Code. */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../shared/src/protocol';
import { CLIENT_COMMANDS, FORWARDED_COMMANDS, withoutClientCommands } from './serverCommands';

describe('withoutClientCommands', () => {
  it('removes the commands the extension registers and keeps the server-only ones', () => {
    const options = { commands: [COMMANDS.syncNow, 'knowledge.server.internal', COMMANDS.rebuildIndex, COMMANDS.showLocations], workDoneProgress: true };
    expect(withoutClientCommands(options)).toEqual({ commands: ['knowledge.server.internal'], workDoneProgress: true });
    expect(options.commands).toHaveLength(4); // the server's object is not changed
  });

  it('passes options without a command list through', () => {
    const options: { commands?: string[]; workDoneProgress: boolean } = { workDoneProgress: false };
    expect(withoutClientCommands(options)).toBe(options);
  });

  it('owns every command of the shared protocol, including the forwarded ones', () => {
    for (const id of Object.values(COMMANDS)) expect(CLIENT_COMMANDS.has(id)).toBe(true);
    expect(FORWARDED_COMMANDS).toEqual(['knowledge.syncNow', 'knowledge.rebuildIndex']);
  });
});
