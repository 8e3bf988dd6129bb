/** `kos impact "<atom name>"`: what a change to an atom's value affects, from the configured graph. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { normalizeName } from '../core/model';
import { checkDepth, MAX_DEPTH, type GraphStore, type Impact } from '../graph/store';
import { atomId } from '../persistence/ids';
import { repositories } from '../persistence/repositories';
import type { SqlClient } from '../persistence/sql/client';
import { ConfigError, describeConfig, loadConfig, type KnowledgeConfig } from '../sync/config';
import { loadGraph, openGraph, openSql } from '../sync/stores';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, type Command } from './command';
import { relativePath } from './files';
import type { CliIO } from './io';

const DEFAULT_DEPTH = 3;

const HELP = `Usage: kos impact "<atom name>" [options]

Show what a change to the atom's value affects: the rules that use it, the
atoms those rules set, and so on, grouped by document. Reads the stores
'kos sync' writes (same environment variables: KNOWLEDGE_POSTGRES_URL,
KNOWLEDGE_HOME, KNOWLEDGE_NEO4J_URL, KNOWLEDGE_TENANT).

Names match as in the knowledge files: case and spacing are ignored.

Options:
  --domain D   only the atom of domain D (default: every domain having it)
  --depth N    relationships followed, 1 to ${MAX_DEPTH} (default ${DEFAULT_DEPTH})
  -h, --help   show this help

Exit status:
  0  the atom was found and its impact printed
  1  no atom of that name
  2  bad usage, bad configuration, or a store unavailable
`;

export async function runImpact(args: string[], io: CliIO): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`kos impact: ${message}\nRun 'kos help impact' for usage.\n`);
    return EXIT_USAGE;
  };
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { domain: { type: 'string' }, depth: { type: 'string' } } });
  } catch (error) {
    return usage((error as Error).message);
  }
  const [name, ...extra] = parsed.positionals;
  if (name === undefined || name.trim() === '') return usage('which atom? Give its name, e.g. kos impact "Withholding Rate"');
  if (extra.length > 0) return usage(`one atom name expected; quote names with spaces ("${parsed.positionals.join(' ')}")`);
  const depth = Number(parsed.values.depth ?? DEFAULT_DEPTH);
  try {
    checkDepth(depth);
  } catch {
    return usage(`--depth must be a whole number from 1 to ${MAX_DEPTH}, not '${parsed.values.depth}'`);
  }
  let config: KnowledgeConfig;
  try {
    config = loadConfig(io.env, io.cwd);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return usage(error.message);
  }

  let sql: SqlClient;
  try {
    sql = await openSql(config);
  } catch (error) {
    io.stderr.write(`kos impact: cannot open PostgreSQL (${describeConfig(config)}): ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  try {
    let opened;
    try {
      opened = await openGraph(config);
    } catch (error) {
      io.stderr.write(`kos impact: the graph store is unavailable: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    try {
      if (opened.ephemeral) await loadGraph(sql, opened.graph, config);
      const domains = parsed.values.domain !== undefined ? [parsed.values.domain] : (await repositories(sql, config.tenant).domains.list()).map((d) => d.name);
      const found = await impacts(opened.graph, config, domains, name, depth);
      if (found.length === 0) {
        const where = parsed.values.domain !== undefined ? ` in domain ${JSON.stringify(parsed.values.domain)}` : '';
        io.stderr.write(`kos impact: no atom named ${JSON.stringify(name)}${where} (tenant ${config.tenant.id}; run 'kos sync' first?)\n`);
        return EXIT_ERRORS;
      }
      io.stdout.write(found.map((i) => formatImpact(i, io.cwd)).join('\n'));
      return EXIT_OK;
    } finally {
      await opened.graph.close();
    }
  } finally {
    await sql.close();
  }
}

async function impacts(graph: GraphStore, config: KnowledgeConfig, domains: string[], name: string, depth: number): Promise<Impact[]> {
  const t = config.tenant.id;
  const key = normalizeName(name);
  const found: Impact[] = [];
  for (const domain of domains) {
    const impact = await graph.impact(t, atomId(t, domain, key), depth);
    if (impact) found.push(impact);
  }
  return found;
}

export function formatImpact(impact: Impact, cwd: string): string {
  const { atom, molecules, atoms, documents } = impact;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `${atom.name ?? atom.id} (domain ${atom.domain}): ${plural(molecules.length, 'rule')} in ${plural(documents.length, 'document')}, ` +
      `${plural(atoms.length, 'other atom')} affected (depth ${impact.depth})`,
  ];
  for (const doc of documents) {
    lines.push('', `${displayUri(doc.uri, cwd)} — ${doc.title} (${plural(doc.rules, 'rule')})`);
    for (const m of molecules.filter((x) => x.documentId === doc.id)) {
      const tag = `{${m.enforcement}}`;
      lines.push(`  hop ${m.hops}  ${m.summary.endsWith(tag) ? m.summary : `${m.summary} ${tag}`}`);
    }
  }
  if (atoms.length > 0) lines.push('', `Atoms affected: ${atoms.map((a) => `${a.name ?? a.canonical ?? a.id} (hop ${a.hops})`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function displayUri(uri: string, cwd: string): string {
  return uri.startsWith('file:') ? relativePath(cwd, fileURLToPath(uri)) : uri;
}

export const impactCommand: Command = {
  name: 'impact',
  summary: 'show the rules and atoms a change to an atom affects',
  help: HELP,
  run: (args, io) => runImpact(args, io),
};
