/** Builds the bundles once before the tests: the language-server tests start `dist/cli.js` as a process. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: path.resolve(__dirname, '..'), stdio: 'inherit' });
}
