// One build for everything that ships or runs: the CLI (which also carries the
// language server), the VS Code client and its impact graph webview. `--watch`
// rebuilds on change, `--bench` also builds the benchmarks, `--e2e` the
// end-to-end test (test/e2e/), `--electron-tests` the @vscode/test-electron
// suite (client/src/test/). `--production` (what `vsce package` runs) minifies
// and writes no source maps.
// Typechecking is `npm run typecheck`.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asciiComments, sameCode } from './scripts/asciiSource.mjs';

const watch = process.argv.includes('--watch');
const bench = process.argv.includes('--bench');
const e2e = process.argv.includes('--e2e');
const electronTests = process.argv.includes('--electron-tests');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  keepNames: production,
  logLevel: 'warning',
};

/**
 * V8 keeps a script's source text while its functions live: one byte a
 * character when all are ASCII, else two. esbuild escapes the non-ASCII
 * characters of strings and names (its default `charset`) but not of the
 * comments it keeps (ours and dependencies'), which made the CLI bundle's
 * 3.5 MB a 7 MB string in each of the language server's isolates (its
 * thread and two index workers). They become `?`, one character for one
 * (lines, columns and the source map stay as they are), and only if the
 * bundle minifies to the same code after (nothing but comments changed).
 */
const asciiSource = {
  name: 'ascii-source',
  setup(build) {
    build.onEnd(async (result) => {
      for (const file of result.outputFiles ?? []) {
        let contents = file.contents;
        if (file.path.endsWith('.js')) {
          const { code, left } = asciiComments(file.text);
          if (code !== file.text && !(await sameCode(file.text, code))) throw new Error(`${file.path}: replacing the comments' non-ASCII characters changed the code`);
          if (left > 0) console.warn(`${path.relative('.', file.path)}: ${left} non-ASCII characters outside comments (its source is kept as two bytes a character)`);
          contents = Buffer.from(code);
        }
        mkdirSync(path.dirname(file.path), { recursive: true });
        writeFileSync(file.path, contents);
      }
    });
  },
};

// PGlite loads its WASM and data files relative to its own module: it stays a runtime dependency.
const builds = [{ ...common, entryPoints: { cli: 'server/src/cli/main.ts' }, outdir: 'dist', external: ['@electric-sql/pglite'], write: false, plugins: [asciiSource] }];
if (existsSync('client/src/extension.ts')) {
  builds.push({ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] });
  // The impact graph webview runs in the browser: one IIFE with cytoscape in it.
  builds.push({ ...common, entryPoints: { webview: 'client/webview/main.ts' }, outdir: 'dist', platform: 'browser', target: 'es2022', format: 'iife' });
}
if (electronTests) {
  // The runner downloads VS Code; the suite runs inside it (vscode external, like the client).
  builds.push({ ...common, entryPoints: { 'test/runElectronTests': 'client/src/test/runElectronTests.ts' }, outdir: 'dist', external: ['@vscode/test-electron'] });
  builds.push({ ...common, entryPoints: { 'test/suite': 'client/src/test/suite/index.ts' }, outdir: 'dist', external: ['vscode'] });
}
if (bench) builds.push({ ...common, entryPoints: { bench: 'test/bench/main.ts' }, outdir: 'dist' });
// playwright-core finds its own files at run time: it stays a dependency, not bundled.
if (e2e) builds.push({ ...common, entryPoints: { e2e: 'test/e2e/main.ts' }, outdir: 'dist', external: ['playwright-core'] });

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
