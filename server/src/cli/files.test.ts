import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileSystem } from './fileSystem';
import { discoverFiles, relativePath } from './files';
import { tempTree } from './testing';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = tempTree(files);
  roots.push(root);
  return root;
}

async function discover(root: string, args: string[], fileSystem: FileSystem = nodeFileSystem) {
  const found = await discoverFiles(args, root, fileSystem);
  return { ...found, files: found.files.map((f) => relativePath(root, f)) };
}

describe('discoverFiles', () => {
  it('finds Markdown files, honouring root and nested .gitignore files and skipping tool folders', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/notes.md': '',
      '.gitignore': 'drafts/\n*.tmp.md\n',
      'a.md': '',
      'README.markdown': '',
      'notes.txt': '',
      'drafts/x.md': '',
      'x.tmp.md': '',
      'sub/.gitignore': '!keep.tmp.md\nlocal.md\n',
      'sub/keep.tmp.md': '',
      'sub/local.md': '',
      'sub/deep/b.md': '',
      'sub/deep/local.md': '',
      'other/local.md': '',
      'node_modules/pkg/readme.md': '',
      'docs/node_modules/x.md': '',
      '.knowledge/cache.md': '',
    });
    expect(await discover(root, ['.'])).toEqual({
      files: ['README.markdown', 'a.md', 'other/local.md', 'sub/deep/b.md', 'sub/keep.tmp.md'],
      missing: [],
      skipped: [],
    });
  });

  it('always includes files named explicitly, once, whatever their name or .gitignore says', async () => {
    const root = tree({ '.gitignore': 'drafts/\n', 'a.md': '', 'drafts/x.md': '', 'notes.txt': '' });
    const found = await discover(root, ['drafts/x.md', 'notes.txt', '.', 'a.md']);
    expect(found.files).toEqual(['a.md', 'drafts/x.md', 'notes.txt']);
  });

  it('applies the .gitignore files above a searched folder up to the repository root', async () => {
    const root = tree({
      '.git/HEAD': '',
      '.gitignore': 'generated/\n',
      'docs/.gitignore': '*.draft.md\n',
      'docs/rules/a.md': '',
      'docs/rules/b.draft.md': '',
      'docs/rules/generated/g.md': '',
    });
    expect((await discover(root, ['docs/rules'])).files).toEqual(['docs/rules/a.md']);
  });

  it('ignores .gitignore files above a folder that is not in a git repository', async () => {
    const root = tree({ '.gitignore': 'generated/\n', 'docs/generated/g.md': '' });
    expect((await discover(root, ['docs'])).files).toEqual(['docs/generated/g.md']);
  });

  it('reports paths that do not exist, as given, and keeps the rest', async () => {
    const root = tree({ 'a.md': '' });
    expect(await discover(root, ['nope.md', 'a.md', 'gone/'])).toEqual({
      files: ['a.md'],
      missing: ['nope.md', 'gone/'],
      skipped: [],
    });
  });

  it('reads symlinked files but does not follow symlinked folders', async () => {
    const root = tree({ 'real/a.md': '' });
    fs.symlinkSync(path.join(root, 'real/a.md'), path.join(root, 'link.md'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'loop'));
    expect((await discover(root, ['.'])).files).toEqual(['link.md', 'real/a.md']);
  });

  it('skips a folder it cannot list, with the reason, and searches the others', async () => {
    const root = tree({ 'open/a.md': '', 'locked/b.md': '' });
    const denied: FileSystem = {
      ...nodeFileSystem,
      readDir: (dir) =>
        dir.endsWith('locked')
          ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }))
          : nodeFileSystem.readDir(dir),
    };
    expect(await discover(root, ['.'], denied)).toEqual({
      files: ['open/a.md'],
      missing: [],
      skipped: [{ path: path.join(root, 'locked'), reason: 'permission denied' }],
    });
  });
});
