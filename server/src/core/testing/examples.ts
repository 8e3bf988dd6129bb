/** The texts of the bundled example knowledge bases (every `.md` under `examples/`), for tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLES_ROOT = join(__dirname, '../../../../examples');

export function exampleTexts(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.md')) files.push(join(dir, entry.name));
    }
  };
  walk(EXAMPLES_ROOT);
  return files.sort().map((f) => readFileSync(f, 'utf8'));
}
