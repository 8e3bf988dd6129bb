/**
 * Code lenses (textDocument/codeLens), knowledge-markdown §5:
 * `N rules · M documents affected` above each atom definition and
 * `K conflicts` above each rule in conflict. Clicking one runs the client's
 * `knowledge.showLocations` with `[uri, position, locations]`: the affected
 * rules, or the conflicting ones.
 *
 * Cheap for big documents: textDocument/codeLens only lists ranges (and the
 * conflict lenses, read in one pass over the document's findings); the impact
 * counts are computed in codeLens/resolve, which the editor asks only for the
 * lenses on screen, and come from the cached graph answers (`../impact.ts`).
 *
 * Lenses shown in one document go stale when another changes (a rule added
 * elsewhere uses the atom). After changes settle, the counts of the lenses
 * handed out are recomputed, and when one differs the client is asked to
 * refresh (`workspace/codeLens/refresh`).
 */
import type { CodeLens, Location } from 'vscode-languageserver/node';
import { COMMANDS } from '../../../../shared/src/protocol';
import { toRange } from '../../core/document';
import type { Range } from '../../core/model';
import type { Feature, ServerContext } from '../context';
import { documentUris, impactOf, placeOfRule } from '../impact';
import { canonicalUri } from '../indexer';

/** Quiet time after the last change before lenses handed out are checked. */
const SETTLE_MS = 300;
/** How often the shared graph's generation is looked at while lenses are shown. */
const GRAPH_POLL_MS = 2000;

interface AtomLensData {
  uri: string;
  domain: string;
  key: string;
}

/** What the client was given for a document, to tell when it is out of date. */
interface Served {
  /** Atom lens (domain + key) → its resolved title. */
  atoms: Map<string, string>;
  /** The document's conflict lenses (ranges and titles) in one string. */
  conflicts: string;
}

class Lenses {
  private readonly served = new Map<string, Served>();
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private graphGeneration = 0;
  private checking: Promise<void> | null = null;

  constructor(private readonly ctx: ServerContext) {}

  /** Ranges for the atom lenses (resolved later), complete lenses for the conflicts. */
  lensesOf(uri: string): CodeLens[] {
    const doc = this.ctx.kb.get(uri);
    if (!doc) return [];
    const lenses: CodeLens[] = doc.definitions.map((d) => {
      const data: AtomLensData = { uri, domain: doc.domain, key: d.key };
      return { range: toRange(doc, d.blockId, d.nameSpan), data };
    });
    const conflicts = conflictLenses(this.ctx, uri);
    for (const c of conflicts) {
      lenses.push({ range: c.range, command: { title: c.title, command: COMMANDS.showLocations, arguments: [uri, c.range.start, c.locations] } });
    }
    this.served.set(uri, { atoms: new Map(), conflicts: signature(conflicts) });
    this.watchGraph();
    return lenses;
  }

  async resolve(lens: CodeLens): Promise<CodeLens> {
    const data = lens.data as AtomLensData | undefined;
    if (!data || typeof data.key !== 'string') return lens;
    const { title, locations } = await atomLens(this.ctx, data);
    this.served.get(data.uri)?.atoms.set(`${data.domain}\0${data.key}`, title);
    return {
      ...lens,
      // A lens with nothing to show is a label, not a link.
      command: { title, command: locations.length > 0 ? COMMANDS.showLocations : '', arguments: [data.uri, lens.range.start, locations] },
    };
  }

  /** Something changed: check the lenses handed out once changes settle. */
  changed(): void {
    if (!this.ctx.client.codeLensRefresh || this.served.size === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // One check at a time; changes during a check are looked at after it.
      if (this.checking) void this.checking.then(() => this.changed());
      else this.checking = this.check().finally(() => (this.checking = null));
    }, SETTLE_MS);
  }

  /** Asks the client to refresh when a lens it has would now read differently. */
  private async check(): Promise<void> {
    if (!(await this.anyStale())) return;
    this.served.clear();
    await this.ctx.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  private async anyStale(): Promise<boolean> {
    for (const [uri, served] of [...this.served]) {
      if (!this.ctx.kb.get(uri)) {
        this.served.delete(uri);
        continue;
      }
      if (signature(conflictLenses(this.ctx, uri)) !== served.conflicts) return true;
      for (const [id, title] of served.atoms) {
        const [domain, key] = id.split('\0');
        if ((await atomLens(this.ctx, { uri, domain, key })).title !== title) return true;
      }
    }
    return false;
  }

  /** The shared graph changes without an event (a sync ran): look at its generation now and then while lenses are shown. */
  private watchGraph(): void {
    const generation = this.ctx.services.graphGeneration;
    if (this.poll || !generation) return;
    this.graphGeneration = generation();
    this.poll = setInterval(() => {
      if (this.served.size === 0) {
        this.stop();
        return;
      }
      const now = generation();
      if (now !== this.graphGeneration) {
        this.graphGeneration = now;
        this.changed();
      }
    }, GRAPH_POLL_MS);
    this.poll.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    this.timer = null;
    this.poll = null;
  }
}

/** An atom lens's title and the affected rules' locations. */
async function atomLens(ctx: ServerContext, data: AtomLensData): Promise<{ title: string; locations: Location[] }> {
  const { impactDepth } = await ctx.settings.for(data.uri);
  const { impact } = await impactOf(ctx, data.domain, data.key, impactDepth);
  if (!impact || impact.molecules.length === 0) return { title: 'no rules affected', locations: [] };
  const uris = documentUris(impact);
  const locations = impact.molecules.flatMap((m) => {
    const uri = uris.get(m.documentId);
    if (!uri) return [];
    const { range } = placeOfRule(ctx.kb, m, uri);
    return [{ uri, range }];
  });
  return { title: `${plural(impact.molecules.length, 'rule')} · ${plural(impact.documents.length, 'document')} affected`, locations };
}

interface ConflictLens {
  range: Range;
  title: string;
  locations: Location[];
}

/** One lens per rule with rule-conflict findings (one finding per conflicting rule), in one pass. */
function conflictLenses(ctx: ServerContext, uri: string): ConflictLens[] {
  const byRule = new Map<string, { range: Range; count: number; locations: Location[] }>();
  for (const f of ctx.kb.workspace.findingsFor(uri)) {
    if (f.code !== 'rule-conflict') continue;
    const { start, end } = f.range;
    const id = `${start.line}:${start.character}-${end.line}:${end.character}`;
    let lens = byRule.get(id);
    if (!lens) byRule.set(id, (lens = { range: f.range, count: 0, locations: [] }));
    lens.count++;
    const other = f.related[0]?.location;
    if (other) lens.locations.push(other);
  }
  return [...byRule.values()].map(({ range, count, locations }) => ({ range, locations, title: plural(count, 'conflict') }));
}

function signature(lenses: ConflictLens[]): string {
  return lenses.map((l) => `${l.range.start.line}:${l.range.start.character}=${l.title}`).join('|');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const lensesOf = new WeakMap<ServerContext, Lenses>();

export const codeLensFeature: Feature = {
  name: 'codeLens',
  capabilities: { codeLensProvider: { resolveProvider: true } },
  register(ctx) {
    const lenses = new Lenses(ctx);
    lensesOf.set(ctx, lenses);
    ctx.connection.onCodeLens(({ textDocument }) => lenses.lensesOf(canonicalUri(textDocument.uri)));
    ctx.connection.onCodeLensResolve((lens) => lenses.resolve(lens));
    ctx.kb.onChange(() => lenses.changed());
    ctx.diagnostics.onPublished(() => lenses.changed());
    ctx.settings.onChange(() => lenses.changed());
  },
  stop(ctx) {
    lensesOf.get(ctx)?.stop();
  },
};
