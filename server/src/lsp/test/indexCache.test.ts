/**
 * The index cache's file (`indexCache.ts`): what it reads back of what it wrote, and its housekeeping.
 * Warm starts from it are tested with the workers (indexWorkers.test.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from '../../core/document';
import { CacheWriter, loadCache, removeOrphans } from '../indexCache';
import { recordOf, restingOf } from '../indexWorkers';

describe('the index cache', () => {
  it('reads back what it wrote: names in any script, failure records, lines copied into the next cache byte for byte', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-index-cache-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'index-0123.txt');
    const key = { tenant: 't', folders: ['/kb'], build: '1' };
    const docs = [
      parseDocument('file:///kb/domains/tax/%C3%A9t%C3%A9.md', '# Été\n\n- **Taux québécois 😀**: 10%\n- IF [[Région]] = Québec THEN [[Taux québécois 😀]] = 12%\n'),
      parseDocument('file:///kb/domains/tax/b.md', '# B\n\n- **Rate**: 5%\n- Rate REQUIRES [[Région]]\n'),
    ];
    const failed = 'file:///kb/domains/tax/c.md';
    const writer = await CacheWriter.open(file, key);
    docs.forEach((doc, i) => writer.document(doc.uri, `hash${i}`, recordOf(doc)));
    writer.document(failed, 'hash2', JSON.stringify({ error: 'the parser\tfailed' }));
    writer.domain('tax', [...docs.map((d) => d.uri), failed], []);
    await writer.commit();

    const loaded = (await loadCache(file, key))!;
    expect([...loaded.documents.keys()]).toEqual([...docs.map((d) => d.uri), failed]);
    docs.forEach((doc, i) => {
      const cached = loaded.documents.get(doc.uri)!;
      expect(cached.hash).toBe(`hash${i}`);
      const read = restingOf(cached.record);
      const written = restingOf(recordOf(doc));
      if ('error' in read || 'error' in written) throw new Error('a record read as a failure');
      expect({ ...read, load: null }).toEqual({ ...written, load: null });
      expect(read.load()).toEqual(written.load());
    });
    expect(restingOf(loaded.documents.get(failed)!.record)).toEqual({ error: 'the parser\tfailed' });
    expect(loaded.domains.map((d) => [d.domain, d.uris])).toEqual([['tax', [...docs.map((d) => d.uri), failed]]]);

    // The lines a run takes from the cache go into the next one as they were.
    const before = fs.readFileSync(file);
    const next = await CacheWriter.open(file, key);
    for (const cached of loaded.documents.values()) next.documentLine(cached.line);
    for (const domain of loaded.domains) next.domainLine(domain.line);
    await next.commit();
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    // Another key's cache, a cut-off one and a document line without its fields are not read.
    expect(await loadCache(file, { ...key, build: '2' })).toBeNull();
    fs.writeFileSync(file, Buffer.concat([before, Buffer.from('F\tbroken')]));
    expect(await loadCache(file, key)).toBeNull();
    fs.writeFileSync(file, Buffer.concat([before, Buffer.from('F\tfile:///kb/d.md\thash3\n')]));
    expect(await loadCache(file, key)).toBeNull();
    // A record whose length is not the one its line gives.
    fs.writeFileSync(file, Buffer.concat([before, Buffer.from('F\tfile:///kb/d.md\thash3\t5\t{"error":"x"}\n')]));
    expect(await loadCache(file, key)).toBeNull();
    fs.writeFileSync(file, Buffer.concat([before, Buffer.from('F\tfile:///kb/d.md\thash3\t13\t{"error":"x"}\n')]));
    expect((await loadCache(file, key))?.documents.get('file:///kb/d.md')?.record).toEqual({ head: '{"error":"x"}', body: null });
    fs.writeFileSync(file, before);
    expect(await loadCache(file, key)).not.toBeNull();
  });

  it('removes the temporary files of writers that are gone, and only those', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-index-cache-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'index-0123.txt');
    // A process that has exited: its pid names no running process now.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const names = [
      'index-0123.txt',
      `index-0123.txt.${gone}.1.tmp`,
      `index-0123.txt.${process.pid}.7.tmp`,
      `index-4567.txt.${gone}.1.tmp`,
      'index-0123.txt.notes.tmp',
    ];
    for (const name of names) fs.writeFileSync(path.join(dir, name), '');
    await removeOrphans(file);
    expect(fs.readdirSync(dir).sort()).toEqual(names.filter((n) => n !== `index-0123.txt.${gone}.1.tmp`).sort());
  });
});
