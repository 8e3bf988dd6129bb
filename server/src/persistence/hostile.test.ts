import { describe, expect, it } from 'vitest';
import { parseDocument } from '../core/document';
import { repositories } from './repositories';
import { table } from './sql/tenant';
import { backends, useDatabase } from './testing';
import { removeDocument, writeDocument } from './writer';

const HOSTILE = [
  `O'Brien "quoted" \`back\``,
  `'); DROP TABLE atoms; --`,
  `"; DROP SCHEMA public CASCADE; --`,
  `}) DETACH DELETE n //`,
  `$1 $$ \\x00 %s {{name}}`,
  `Taux québécois 😀🇨🇦 ＡＢＣ`,
  `${'😀'.repeat(1024)}`, // 4 KB of UTF-8
  `${'long name '.repeat(410)}x`, // > 4 KB, longer than any seed VARCHAR
];

describe.each(backends())('hostile names on $name', (backend) => {
  const db = useDatabase(backend);

  it.each(HOSTILE.map((h, i) => [i, h] as const))('round-trips name %i verbatim', async (_i, name) => {
    const t = db.tenant;
    const repo = repositories(db.client, t);
    const uri = `file:///kb/${name}.md`;
    const text = `---\ndomain: ${JSON.stringify(name)}\ntitle: ${JSON.stringify(name)}\nnote: ${JSON.stringify(name)}\n---\n\n- **${name}**: 12%\n- **Label**: ${name}\n`;
    const doc = parseDocument(uri, text);
    // The test means something only if the core read the hostile text as names and values.
    expect(doc.domain).toBe(name.trim());
    expect(doc.definitions.map((d) => d.name)).toEqual([name.trim(), 'Label']);

    await writeDocument(db.client, t, doc);
    const stored = await repo.documents.findByUri(uri);
    expect(stored).toMatchObject({ uri, title: name.trim(), properties: { domain: name, title: name, note: name } });
    expect(await repo.domains.findByName(name.trim())).toMatchObject({ name: name.trim() });
    expect(await repo.documents.findByTitle(name.trim())).toHaveLength(1);
    const atom = await repo.atoms.findByName(doc.domain, name);
    expect(atom).toMatchObject({ name: name.trim(), numberValue: 0.12 });
    expect((await repo.atoms.findByExactName(name.trim())).map((a) => a.id)).toEqual([atom!.id]);
    const label = await repo.atoms.findByName(doc.domain, 'Label');
    expect(label!.textValue).toBe(doc.definitions[1].value!.kind === 'text' ? doc.definitions[1].value!.value : undefined);
    expect((await writeDocument(db.client, t, doc)).changes).toEqual([]);

    await removeDocument(db.client, t, uri);
    expect(await repo.documents.findByUri(uri)).toBeNull();
    // The tables are all still there.
    for (const name of ['atoms', 'blocks', 'documents', 'domains', 'molecule_metadata', 'sync_state'] as const) {
      await db.client.query(`SELECT 1 FROM ${table(t, name)} LIMIT 1`);
    }
  });

  it('stores what PostgreSQL text cannot hold (NUL, lone surrogates) as U+FFFD instead of failing', async () => {
    const uri = 'file:///kb/nul.md';
    const doc = parseDocument(uri, `---\ntitle: "a\\0b \\uD800"\n---\n\n- **Nul**: x\n`);
    await writeDocument(db.client, db.tenant, doc);
    expect((await repositories(db.client, db.tenant).documents.findByUri(uri))!.title).toBe('a\uFFFDb \uFFFD');
  });
});
