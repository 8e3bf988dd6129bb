/**
 * A small test runner for the extension tests (inside VS Code, where the
 * suite's `run()` is called): named async tests run in order, each with a
 * time limit, failures collected and reported together. Enough for a handful
 * of tests without bringing a test framework's types into the build.
 */

type Test = { name: string; run: () => Promise<void> | void; timeoutMs: number };

const tests: Test[] = [];

export function test(name: string, run: Test['run'], timeoutMs = 60_000): void {
  tests.push({ name, run, timeoutMs });
}

function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** Runs every registered test; rejects when any failed. */
export async function runAll(): Promise<void> {
  const failures: string[] = [];
  for (const t of tests) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.run), t.timeoutMs, t.name);
      console.log(`  ✓ ${t.name} (${Date.now() - started} ms)`);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${t.name}\n    ${text.replace(/\n/g, '\n    ')}`);
      console.log(`  ✗ ${t.name}`);
    }
  }
  console.log(`${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`extension tests failed:\n${failures.join('\n')}`);
}
