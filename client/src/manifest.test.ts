/**
 * The extension manifest (package.json) and the .vsix contents as contracts:
 * every command the code registers is contributed and every contributed one
 * is registered, every setting the server reads is declared with a
 * description and a scope, the grammar and walkthrough files exist, and the
 * package holds exactly what runs — the bundles, the grammar, the
 * walkthrough pages and PGlite's runtime files, which are proven to load
 * from a copy of just those files.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../shared/src/protocol';
import { RESTART_COMMAND, SHOW_LOG_COMMAND } from './ids';
import { SERVER_MODULE } from './launch';

const ROOT = path.resolve(__dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

describe('package.json', () => {
  it('contributes exactly the commands the extension registers, each titled in the Knowledge category', () => {
    const registered = new Set([...Object.values(COMMANDS), SHOW_LOG_COMMAND, RESTART_COMMAND]);
    const contributed = contributes.commands as { command: string; title: string; category: string }[];
    expect(new Set(contributed.map((c) => c.command))).toEqual(registered);
    for (const c of contributed) {
      expect(c.category).toBe('Knowledge');
      expect(c.title.length).toBeGreaterThan(3);
    }
    // The code lenses' command takes arguments: not for the palette.
    expect(contributes.menus.commandPalette).toContainEqual({ command: COMMANDS.showLocations, when: 'false' });
  });

  it('declares every setting the server reads, with a description and a scope', () => {
    const props = contributes.configuration.properties as Record<string, { markdownDescription?: string; description?: string; scope?: string }>;
    const keys = [
      'knowledge.tenant',
      'knowledge.postgres.url',
      'knowledge.neo4j.url',
      'knowledge.neo4j.user',
      'knowledge.impact.depth',
      'knowledge.sync.debounceMs',
      'knowledge.sync.enabled',
      'knowledge.trace.server',
    ];
    expect(Object.keys(props).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect((props[key].markdownDescription ?? props[key].description ?? '').length, key).toBeGreaterThan(40);
      expect(['window', 'resource', 'machine-overridable', 'application'], key).toContain(props[key].scope);
    }
    // No setting for a password: they live in the secret storage.
    expect(Object.keys(props).some((k) => /password/i.test(k))).toBe(false);
    // An untrusted workspace cannot point the extension at its own database.
    expect(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations).toEqual(['knowledge.postgres.url', 'knowledge.neo4j.url', 'knowledge.neo4j.user']);
  });

  it('activates on Markdown and starts from the bundles esbuild writes', () => {
    expect(manifest.activationEvents).toContain('onLanguage:markdown');
    expect(manifest.main).toBe('./dist/client.js');
    expect(SERVER_MODULE).toBe('dist/cli.js');
  });

  it('injects the grammar into Markdown', () => {
    const [g] = contributes.grammars as { scopeName: string; path: string; injectTo: string[] }[];
    const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, g.path), 'utf8'));
    expect(grammar.scopeName).toBe(g.scopeName);
    expect(g.injectTo).toEqual(['text.html.markdown']);
    expect(grammar.injectionSelector).toMatch(/^L:text\.html\.markdown /);
  });

  it('has a walkthrough whose pages exist and whose command links name real commands', () => {
    const [walkthrough] = contributes.walkthroughs as { steps: { media: { markdown: string }; description: string }[] }[];
    expect(walkthrough.steps.length).toBeGreaterThanOrEqual(4);
    const ours = new Set((contributes.commands as { command: string }[]).map((c) => c.command));
    for (const step of walkthrough.steps) {
      expect(fs.existsSync(path.join(ROOT, step.media.markdown)), step.media.markdown).toBe(true);
      for (const [, id] of step.description.matchAll(/\(command:(knowledge\.[\w.]+)/g)) expect(ours.has(id), id).toBe(true);
    }
  });
});

describe('the .vsix', () => {
  let files: string[];
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-vsix-'));

  beforeAll(() => {
    // `vsce ls` lists what `vsce package` would ship (offline: it reads node_modules, asks no registry).
    const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
    files = execFileSync(process.execPath, [vsce, 'ls', '--readme-path', 'client/README.md'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .map((f) => f.trim())
      .filter(Boolean)
      .sort();
  }, 60_000);

  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('ships only what runs: the bundles, the grammar, the walkthrough pages and PGlite', () => {
    const walkthrough = fs.readdirSync(path.join(ROOT, 'client/walkthrough')).map((f) => `client/walkthrough/${f}`);
    const pglite = ['LICENSE', 'package.json', 'dist/index.cjs', 'dist/initdb.wasm', 'dist/pglite.data', 'dist/pglite.wasm'].map((f) => `node_modules/@electric-sql/pglite/${f}`);
    expect(files).toEqual(
      ['package.json', 'client/README.md', 'dist/cli.js', 'dist/client.js', 'dist/webview.js', 'syntaxes/knowledge.injection.tmLanguage.json', ...walkthrough, ...pglite].sort(),
    );
  });

  it('carries a PGlite that the server bundle finds and that runs SQL from those files alone', () => {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
    }
    // Resolved from dist/ (where cli.js requires it) to the shipped copy, then used: a fresh database in memory.
    const script = `
      const entry = require.resolve('@electric-sql/pglite', { paths: [${JSON.stringify(path.join(copy, 'dist'))}] });
      if (!entry.startsWith(${JSON.stringify(copy)})) throw new Error('resolved outside the package: ' + entry);
      require(entry).PGlite.create().then((db) => db.query('select 40 + 2 as answer')).then((r) => console.log(r.rows[0].answer));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(out.trim()).toBe('42');
  }, 180_000); // PGlite's first start (initdb in WebAssembly) takes a while on a busy machine
});
