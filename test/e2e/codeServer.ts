/**
 * The VS Code under test: code-server (a real VS Code workbench served over HTTP) with the
 * extension's .vsix installed into a fresh profile, started on a free loopback port in its own
 * process group so that stopping it also ends its extension host and the language server.
 *
 * Everything it writes — profile, extensions, config, the workspace copy, its log — is under one
 * temporary folder; nothing under the user's home is read or written, and it makes no network
 * calls: the extension gallery is switched off (EXTENSIONS_GALLERY={}), as are telemetry and the
 * update check.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Where scripts/e2e-setup.sh put Node 24, code-server and Chromium. */
export interface E2ePaths {
  node: string;
  codeServer: string;
  chromium: string;
}

/** Runs the idempotent setup script (fast once its cache is filled) and reads the paths it prints. */
export function ensureSetup(repo: string): E2ePaths {
  const out = execFileSync('bash', [join(repo, 'scripts/e2e-setup.sh')], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const vars = new Map<string, string>();
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const get = (key: string): string => {
    const value = vars.get(key);
    if (!value) throw new Error(`scripts/e2e-setup.sh printed no ${key}`);
    return value;
  };
  return { node: get('KOS_E2E_NODE'), codeServer: get('KOS_E2E_CODE_SERVER'), chromium: get('KOS_E2E_CHROMIUM') };
}

/**
 * User settings for the profile: no welcome page, tips, AI chat or update prompts, so the
 * workbench shows only what the test looks at; no auto-closing brackets or suggestions, so what
 * the test types is exactly what lands in the file.
 */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoSurround': 'never',
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.inlineSuggest.enabled': false,
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  'files.autoSave': 'off',
};

export interface CodeServer {
  url: string;
  /** The extension's id (`publisher.name`) and display name, read from the installed copy. */
  extension: { id: string; displayName: string };
  logFile: string;
  userDataDir: string;
  stop(): Promise<void>;
}

/** Installs the .vsix into a fresh profile under `root` and starts code-server on `workspace`. */
export async function startCodeServer(paths: E2ePaths, vsix: string, root: string, workspace: string): Promise<CodeServer> {
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));

  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // The extension's server reads KNOWLEDGE_*: the copy under test gets none of the caller's.
    if (!key.startsWith('KNOWLEDGE_') && !key.startsWith('npm_')) env[key] = value;
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CACHE_HOME: join(root, 'cache'),
    EXTENSIONS_GALLERY: '{}',
    CS_DISABLE_FILE_DOWNLOADS: '1',
  });
  const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  execFileSync(paths.node, [paths.codeServer, ...dirs, '--install-extension', vsix, '--force'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const extension = installedExtension(extensionsDir);

  const port = await freePort();
  const logFile = join(root, 'code-server.log');
  const log = openSync(logFile, 'a');
  const child = spawn(
    paths.node,
    [
      paths.codeServer,
      ...dirs,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    { env, stdio: ['ignore', log, log], detached: true },
  );
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const server: CodeServer = { url, extension, logFile, userDataDir, stop: () => stopGroup(child) };
  try {
    await waitForHealth(url, child, logFile);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** The one extension in a fresh extensions folder: its id and display name from its package.json. */
function installedExtension(extensionsDir: string): { id: string; displayName: string } {
  const folders = readdirSync(extensionsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
  if (folders.length !== 1) throw new Error(`expected one installed extension in ${extensionsDir}, found ${folders.map((f) => f.name).join(', ') || 'none'}`);
  const manifest = JSON.parse(readFileSync(join(extensionsDir, folders[0].name, 'package.json'), 'utf8')) as { publisher: string; name: string; displayName?: string };
  return { id: `${manifest.publisher}.${manifest.name}`, displayName: manifest.displayName ?? manifest.name };
}

/** A port the kernel just handed out on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls /healthz until code-server answers; fails at once if the process exits. */
async function waitForHealth(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`code-server exited with ${exited} before it served; see ${logFile}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer ${url}/healthz within 60 s; see ${logFile}`);
}

/** SIGTERM to the whole process group, SIGKILL if it is still there after 10 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
  // Children that outlived the leader (extension host, language server) go with the group.
  signal('SIGKILL');
}
