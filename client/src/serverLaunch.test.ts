/**
 * The language server started exactly the way the extension starts it:
 * `dist/cli.js` forked with the extension's arguments plus the ones
 * vscode-languageclient appends for `TransportKind.ipc`, spoken to over
 * Node's IPC channel, with the extension's environment. Proves the launch
 * configuration works (the server accepts those arguments and answers), and
 * that the passwords the client hands over never reach the server's log.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProtocolConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-languageserver-protocol/node';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_CAPABILITIES, CLI_BUNDLE, TestClient, workspaceOf } from '../../server/src/lsp/testing';
import { SET_SECRETS_NOTIFICATION, type InitializationOptions, type KnowledgeSecrets } from '../../shared/src/protocol';
import { clientAppendedArgs, SERVER_ARGS, SERVER_MODULE, SERVER_NODE_FLAGS, serverEnv } from './launch';

const RATES = `# Rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 10% {block}
`;
const OTHER = `# Other rates

- IF [[Jurisdiction]] = Quebec THEN [[Withholding Rate]] = 5% {block}
`;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Forks the server like vscode-languageclient does for `{ module, args, transport: TransportKind.ipc }`. */
async function launch(folder: string, initializationOptions: InitializationOptions): Promise<TestClient> {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-storage-'));
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('KNOWLEDGE_')) delete env[key];
  const child = fork(CLI_BUNDLE, [...SERVER_ARGS, ...clientAppendedArgs(process.pid)], {
    env: { ...env, ...serverEnv(storage, env) },
    execArgv: [...SERVER_NODE_FLAGS],
    silent: true, // stdin/stdout/stderr piped, plus the IPC channel — as the language client forks it
  });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const client = new TestClient(connection, child, {});
  connection.listen();
  cleanups.push(() => fs.rmSync(storage, { recursive: true, force: true }));
  const result = (await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: path.basename(folder) }],
    capabilities: CLIENT_CAPABILITIES,
    initializationOptions,
  })) as { serverInfo?: { name: string } };
  expect(result.serverInfo?.name).toBe('knowledge-os');
  await connection.sendNotification('initialized', {});
  cleanups.push(() => client.stop());
  return client;
}

describe('the language server as the extension launches it', () => {
  it('is the bundle the extension ships', () => {
    expect(path.resolve(__dirname, '../..', SERVER_MODULE)).toBe(CLI_BUNDLE);
  });

  it('gets its store and two malloc arenas, unless the user set their own', () => {
    expect(serverEnv('/storage', {})).toEqual({ KNOWLEDGE_HOME: '/storage', MALLOC_ARENA_MAX: '2' });
    expect(serverEnv('/storage', { KNOWLEDGE_HOME: '/mine', MALLOC_ARENA_MAX: '8' })).toEqual({ KNOWLEDGE_HOME: '/mine', MALLOC_ARENA_MAX: '8' });
    expect(serverEnv('/storage', { KNOWLEDGE_HOME: ' ', MALLOC_ARENA_MAX: '' })).toEqual({ KNOWLEDGE_HOME: '/storage', MALLOC_ARENA_MAX: '2' });
  });

  it('accepts the language client’s arguments over Node IPC and checks the workspace', async () => {
    const ws = workspaceOf({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': OTHER });
    cleanups.push(ws.cleanup);
    const client = await launch(ws.root, {});
    const [d] = await client.diagnosticsFor(ws.uri('domains/tax/rates.md'), (ds) => ds.some((x) => x.code === 'rule-conflict'));
    expect(d.relatedInformation?.[0].location.uri).toBe(ws.uri('domains/tax/other.md'));
  });

  it('never writes the passwords it is given (at start or later) to its log or stderr', async () => {
    const ws = workspaceOf({ 'domains/tax/rates.md': RATES, 'domains/tax/other.md': OTHER });
    cleanups.push(ws.cleanup);
    const first: KnowledgeSecrets = { postgresPassword: 'pg-Sekret-1xQ', neo4jPassword: 'neo-Sekret-2xQ' };
    const client = await launch(ws.root, { secrets: first });
    await client.indexed();
    const later: KnowledgeSecrets = { postgresPassword: 'pg-Sekret-3xQ', neo4jPassword: 'neo-Sekret-4xQ' };
    client.notify(SET_SECRETS_NOTIFICATION, later);
    // Requests are answered in order: once this one is, the notification above has been handled.
    await client.request('workspace/symbol', { query: 'Jurisdiction' }).catch(() => undefined);
    await client.stop();
    const everything = `${client.logs.join('\n')}\n${client.stderr}`;
    expect(client.logs.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(first), ...Object.values(later)]) expect(everything).not.toContain(secret);
  });
});
