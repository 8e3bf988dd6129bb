// One build for everything that ships or runs: the CLI (which also carries the
// language server), the VS Code client and its impact graph webview. `--watch`
// rebuilds on change, `--bench` also builds the benchmarks, `--e2e` the
// end-to-end test (test/e2e/), `--electron-tests` the @vscode/test-electron
// suite (client/src/test/). `--production` (what `vsce package` runs) minifies
// and writes no source maps.
// Typechecking is `npm run typecheck`.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

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

// PGlite loads its WASM and data files relative to its own module: it stays a runtime dependency.
const builds = [{ ...common, entryPoints: { cli: 'server/src/cli/main.ts' }, outdir: 'dist', external: ['@electric-sql/pglite'] }];
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
