/**
 * Which files `kos check` reads: Markdown files under the given directories
 * (honouring `.gitignore` files, git's way) plus every file named explicitly.
 */
import path from 'node:path';
import ignore from 'ignore';
import { errorReason, type EntryKind, type FileSystem } from './fileSystem';

/** Directory names never searched, whatever `.gitignore` says. */
const ALWAYS_SKIPPED = new Set(['node_modules', '.git', '.knowledge']);
const MARKDOWN = /\.(md|markdown)$/i;

export interface Skip {
  /** Absolute path. */
  path: string;
  reason: string;
}

export interface Discovery {
  /** Absolute paths, sorted, without duplicates. */
  files: string[];
  /** Arguments that name nothing, as given. */
  missing: string[];
  /** Paths that exist but could not be searched or are not files. */
  skipped: Skip[];
}

/** The `.gitignore` of one directory; its patterns are relative to `dir`. */
interface IgnoreFile {
  dir: string;
  rules: ignore.Ignore;
}

export async function discoverFiles(args: string[], cwd: string, fs: FileSystem): Promise<Discovery> {
  const files = new Set<string>();
  const result: Discovery = { files: [], missing: [], skipped: [] };

  async function walk(dir: string, ignores: IgnoreFile[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readDir(dir);
    } catch (error) {
      result.skipped.push({ path: dir, reason: errorReason(error) });
      return;
    }
    const own = entries.some((e) => e.name === '.gitignore') ? await readIgnoreFile(fs, dir) : null;
    const scope = own ? [...ignores, own] : ignores;
    for (const entry of entries) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      const kind = entry.kind === 'symlink' ? await symlinkKind(fs, full) : entry.kind;
      if (kind === 'directory' && !isIgnored(scope, full, true)) await walk(full, scope);
      if (kind === 'file' && MARKDOWN.test(entry.name) && !isIgnored(scope, full, false)) files.add(full);
    }
  }

  for (const arg of args) {
    const full = path.resolve(cwd, arg);
    let kind;
    try {
      kind = await fs.kind(full);
    } catch (error) {
      result.skipped.push({ path: full, reason: errorReason(error) });
      continue;
    }
    if (kind === null) result.missing.push(arg);
    else if (kind === 'file') files.add(full);
    else if (kind === 'directory') await walk(full, await enclosingIgnoreFiles(fs, full));
    else result.skipped.push({ path: full, reason: 'not a regular file or directory' });
  }
  result.files = [...files].sort();
  return result;
}

/** Symlinked files are read; symlinked directories are not followed (no cycles), as git does. */
async function symlinkKind(fs: FileSystem, full: string): Promise<EntryKind> {
  const target = await fs.kind(full).catch(() => null);
  return target === 'file' ? 'file' : 'other';
}

/** Git's precedence: the deepest `.gitignore` with a matching pattern decides. */
function isIgnored(scope: IgnoreFile[], full: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const { dir, rules } of scope) {
    const relative = toPosix(path.relative(dir, full)) + (isDirectory ? '/' : '');
    const verdict = rules.test(relative);
    if (verdict.ignored) ignored = true;
    else if (verdict.unignored) ignored = false;
  }
  return ignored;
}

/**
 * The `.gitignore` files of the directories above `dir`, up to the root of
 * its git repository, outermost first; none when `dir` is not in a repository.
 */
async function enclosingIgnoreFiles(fs: FileSystem, dir: string): Promise<IgnoreFile[]> {
  if (await hasGit(fs, dir)) return [];
  const ancestors: string[] = [];
  for (let current = dir; path.dirname(current) !== current; ) {
    current = path.dirname(current);
    ancestors.unshift(current);
    if (await hasGit(fs, current)) {
      const found = await Promise.all(ancestors.map((a) => readIgnoreFile(fs, a)));
      return found.filter((f): f is IgnoreFile => f !== null);
    }
  }
  return [];
}

async function hasGit(fs: FileSystem, dir: string): Promise<boolean> {
  return fs.kind(path.join(dir, '.git')).then(
    (kind) => kind !== null,
    () => false,
  );
}

async function readIgnoreFile(fs: FileSystem, dir: string): Promise<IgnoreFile | null> {
  try {
    const bytes = await fs.readFile(path.join(dir, '.gitignore'));
    return { dir, rules: ignore().add(new TextDecoder().decode(bytes)) };
  } catch {
    return null; // absent or unreadable: git ignores it too
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** An absolute path as shown to the user: relative to `cwd`, forward slashes. */
export function relativePath(cwd: string, absolute: string): string {
  return toPosix(path.relative(cwd, absolute)) || '.';
}
