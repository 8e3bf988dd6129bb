// One build for everything that ships or runs: the CLI (which also carries the
// language server), later the VS Code client. `--watch` rebuilds on change,
// `--bench` also builds the benchmarks. Typechecking is `npm run typecheck`.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const bench = process.argv.includes('--bench');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

// PGlite loads its WASM and data files relative to its own module: it stays a runtime dependency.
const builds = [{ ...common, entryPoints: { cli: 'server/src/cli/main.ts' }, outdir: 'dist', external: ['@electric-sql/pglite'] }];
if (existsSync('client/src/extension.ts')) {
  builds.push({ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] });
}
if (bench) builds.push({ ...common, entryPoints: { bench: 'test/bench/main.ts' }, outdir: 'dist' });

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
