/** The extension test suite's entry (`extensionTestsPath`): VS Code calls `run()` once the window is up. */
import { runAll } from './harness';
import './extension.etest';

export function run(): Promise<void> {
  return runAll();
}
