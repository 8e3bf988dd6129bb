import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from './fileSystem';
import { readSources } from './sources';

const root = path.resolve('/project');
const at = (name: string) => path.join(root, name);

/** Files in memory; a path mapped to an error code fails with that code. */
function memoryFileSystem(files: Record<string, Uint8Array | string>): FileSystem {
  return {
    kind: async (p) => (p in files ? 'file' : null),
    readDir: async () => [],
    readFile: async (p) => {
      const content = files[p];
      if (content === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      if (typeof content === 'string') throw Object.assign(new Error(`${content}: ${p}`), { code: content });
      return content;
    },
  };
}

describe('readSources', () => {
  it('reads text with file URIs, skipping what cannot be read or decoded, in the given order', async () => {
    const fs = memoryFileSystem({
      [at('a.md')]: new TextEncoder().encode('# A\n'),
      [at('locked.md')]: 'EACCES',
      [at('bin.md')]: new Uint8Array([0x41, 0x00]),
      [at('latin1.md')]: new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
      [at('b.md')]: new Uint8Array([0xef, 0xbb, 0xbf, 0x23]),
    });
    const files = ['a.md', 'locked.md', 'gone.md', 'bin.md', 'latin1.md', 'b.md'].map(at);
    expect(await readSources(files, fs)).toEqual({
      sources: [
        { path: at('a.md'), uri: pathToFileURL(at('a.md')).href, text: '# A\n' },
        { path: at('b.md'), uri: pathToFileURL(at('b.md')).href, text: '#' },
      ],
      skipped: [
        { path: at('locked.md'), reason: 'permission denied' },
        { path: at('gone.md'), reason: 'no such file or directory' },
        { path: at('bin.md'), reason: 'looks binary (NUL byte at offset 1)' },
        { path: at('latin1.md'), reason: 'not valid UTF-8 (byte 0xe9 at offset 3)' },
      ],
    });
  });

  it('encodes special characters in URIs', async () => {
    const name = at('Règles #1 (été).md');
    const { sources } = await readSources([name], memoryFileSystem({ [name]: new Uint8Array() }));
    expect(sources[0].uri).toBe(pathToFileURL(name).href);
    expect(sources[0].uri).toContain('%231');
  });

  it('lets other I/O complete between its batches, though the file system reads synchronously', async () => {
    const files = Array.from({ length: 200 }, (_, i) => at(`f${i}.md`));
    let immediate = false;
    setImmediate(() => (immediate = true));
    const seen: boolean[] = [];
    const fs = memoryFileSystem(Object.fromEntries(files.map((f) => [f, new TextEncoder().encode('# F\n')])));
    const read = fs.readFile;
    const sources = await readSources(files, { ...fs, readFile: (p) => (seen.push(immediate), read(p)) });
    expect(sources.sources).toHaveLength(200);
    // The first batch before the event loop ran, the last ones after.
    expect(seen[0]).toBe(false);
    expect(seen[199]).toBe(true);
  });
});
