/**
 * `npm run test:electron`: downloads VS Code (stable, or KOS_VSCODE_VERSION),
 * starts it on a copy-free examples/rrsp with only this extension, and runs
 * the suite in `suite/` inside it. Needs the network the first time (the
 * download is cached in .vscode-test/); not part of `npm test`.
 */
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  // This file runs as dist/test/runElectronTests.js.
  const root = path.resolve(__dirname, '..', '..');
  await runTests({
    version: process.env.KOS_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'dist', 'test', 'suite.js'),
    launchArgs: [path.join(root, 'examples', 'rrsp'), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
