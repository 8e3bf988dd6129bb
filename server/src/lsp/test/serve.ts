/**
 * One real server per test: `serve(files)` writes a temporary workspace,
 * starts the server on it and waits for the index; the server is stopped
 * and the folder removed after the test (with whatever `onCleanup` added).
 * Test files only: it registers a vitest `afterEach`.
 */
import { afterEach } from 'vitest';
import { startServer, workspaceOf, type StartOptions } from '../testing';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs after the current test, last added first. */
export function onCleanup(...fns: (() => void | Promise<void>)[]): void {
  cleanups.push(...fns);
}

export async function serve(files: Record<string, string> = {}, options: Omit<StartOptions, 'folders'> = {}) {
  const ws = workspaceOf(files);
  onCleanup(ws.cleanup);
  const client = await startServer({ folders: [ws.root], ...options });
  onCleanup(() => client.stop());
  await client.indexed();
  return { ws, client };
}
