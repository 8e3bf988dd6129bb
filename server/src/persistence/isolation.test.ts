import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editedSnapshots, knowledgeLine } from './arbitraries';
import { repositories, type Repositories } from './repositories';
import type { Tenant } from './sql/tenant';
import { backends, useDatabase } from './testing';
import { knowledgeRows } from './testingState';
import { writeDocument } from './writer';

/** Every read method of every repository, called with every probe. */
async function everyRead(repo: Repositories, p: { ids: string[]; names: string[]; domains: string[]; uris: string[] }): Promise<{ tenantId: string; id: string }[]> {
  const out: ({ tenantId: string; id: string } | null)[] = [];
  const add = async (rows: Promise<({ tenantId: string; id: string } | null)[] | { tenantId: string; id: string } | null>) => {
    const r = await rows;
    out.push(...(Array.isArray(r) ? r : [r]));
  };
  await add(repo.domains.list());
  await add(repo.documents.list());
  await add(repo.atoms.whereNumber('>=', -1e9));
  await add(repo.atoms.whereNumber('<', 1e9, 'percent'));
  await add(repo.syncState.pending(100_000));
  for (const id of p.ids) {
    await add(repo.domains.findById(id));
    await add(repo.documents.findById(id));
    await add(repo.documents.listByDomain(id));
    await add(repo.blocks.findById(id));
    await add(repo.blocks.listByDocument(id));
    await add(repo.blocks.children(id));
    await add(repo.blocks.containingAtom(id));
    await add(repo.blocks.containingMolecule(id));
    await add(repo.atoms.findById(id, { includeDeleted: true }));
    await add(repo.atoms.listByDomain(id, { includeDeleted: true }));
    await add(repo.atoms.listByDocument(id));
    await add(repo.atoms.history(id));
    await add(repo.atoms.findForDefinitions([id], [id]));
    await add(repo.molecules.findById(id));
    await add(repo.molecules.findByIds([id]));
    await add(repo.molecules.containingAtom(id));
    await add(repo.molecules.listByDomain(id));
    await add(repo.molecules.listByDocument(id));
  }
  for (const name of p.names) {
    await add(repo.atoms.findByExactName(name));
    await add(repo.atoms.findByTextValue(name));
    await add(repo.documents.findByTitle(name));
    for (const domain of p.domains) await add(repo.atoms.findByName(domain, name, { includeDeleted: true }));
  }
  for (const domain of p.domains) await add(repo.domains.findByName(domain));
  for (const uri of p.uris) await add(repo.documents.findByUri(uri));
  return out.filter((r): r is { tenantId: string; id: string } => r !== null);
}

describe.each(backends())('tenant isolation on $name', (backend) => {
  const db = useDatabase(backend, 2);

  it('no repository method of one tenant returns the rows of another', async () => {
    const uri = fc.constantFrom('file:///kb/domains/tax/a.md', 'file:///kb/domains/tax/b.md', 'file:///kb/domains/pay/c.md');
    const doc = fc.record({ uri, domain: fc.constantFrom('tax', 'pay'), lines: fc.array(knowledgeLine, { maxLength: 6 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { maxLength: 3 }), fc.array(doc, { maxLength: 3 }), async (docs1, docs2) => {
        const [t1, t2] = db.tenants;
        const written = async (t: Tenant, docs: typeof docs1) => {
          for (const d of docs) for (const s of editedSnapshots(d.uri, d.domain, d.lines, [])) await writeDocument(db.client, t, s);
        };
        await written(t1, docs1);
        await written(t2, docs2);
        const rows1 = await knowledgeRows(db.client, t1);
        const rows2 = await knowledgeRows(db.client, t2);
        const idsOf = (rows: Record<string, unknown[]>) => Object.values(rows).flatMap((r) => r.map((x) => (x as { id: string }).id));
        const probes = {
          ids: [...idsOf(rows1), ...idsOf(rows2)],
          names: ['Rate', 'Cap', "Owner's \"Share\"", 'plain text'],
          domains: ['tax', 'pay'],
          uris: [...docs1, ...docs2].map((d) => d.uri),
        };
        for (const [mine, theirs] of [
          [t1, rows2],
          [t2, rows1],
        ] as const) {
          const foreign = new Set(idsOf(theirs));
          for (const row of await everyRead(repositories(db.client, mine), probes)) {
            expect(row.tenantId).toBe(mine.rowId);
            if (!('entityId' in row)) expect(foreign.has(row.id)).toBe(false);
          }
        }
      }),
      { numRuns: 6 },
    );
  });
});
