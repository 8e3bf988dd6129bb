/** A document's names packed for rest (`names.ts`) come back as the occurrences they were made from. */
import { describe, expect, it } from 'vitest';
import { parseDocument, toRange } from '../../core/document';
import { exampleTexts } from '../../core/testing/examples';
import { KnowledgeBase, occurrencesOf, type Occurrence } from '../knowledge';
import { ENTRIES, ENTRY, entriesOf, type SymbolTable } from '../features/workspaceSymbols';
import { recordOf, restingOf } from '../indexWorkers';
import { idsOf, joinIds, pack, packIds, packMore, SEPARATOR, stringAt, unpack, type PackedStrings } from '../names';
import { deflateText, textOf } from '../storedText';

const docs = () => exampleTexts().map((text, i) => parseDocument(`file:///kb/domains/tax/doc${i}.md`, text));

describe('packed names', () => {
  it('unpack to the occurrences they were packed from, in document order, all or those of one key', () => {
    let checked = 0;
    for (const doc of docs()) {
      const all = occurrencesOf(doc);
      const names = pack(all);
      expect(unpack(names, doc.uri)).toStrictEqual(all);
      const keys = new Set(all.map((o) => o.key));
      for (const key of keys) {
        expect(unpack(names, doc.uri, key)).toStrictEqual(all.filter((o) => o.key === key));
        checked++;
      }
      expect(unpack(names, doc.uri, 'no such atom')).toEqual([]);
    }
    // The examples write names of every kind, operands with their molecule among them.
    expect(checked).toBeGreaterThan(20);
    const kinds = new Set(docs().flatMap((d) => occurrencesOf(d).map((o) => o.kind)));
    expect([...kinds].sort()).toEqual(['definition', 'operand', 'reference', 'table-header']);
  });

  it('keep their numbers in as few bytes as they need, however large the document', () => {
    const small = parseDocument('file:///kb/domains/tax/s.md', '# S\n\n- **Rate**: 5%\n- IF [[Rate]] > 2% THEN [[Other]] = 1\n');
    expect(pack(occurrencesOf(small)).places).toBeInstanceOf(Uint8Array);
    // Eight numbers a place, in about as many bytes (16-bit numbers took 16).
    let bytes = 0;
    let places = 0;
    for (const doc of docs()) {
      bytes += pack(occurrencesOf(doc)).places.length;
      places += occurrencesOf(doc).length;
    }
    expect(bytes / places).toBeLessThan(10);
    // Names written past offset 65,535.
    const text = `# L\n\n${Array.from({ length: 1200 }, (_, i) => `- **Rate ${i}**: ${i}%\n- IF [[Rate ${i}]] > 2% THEN [[Other ${i}]] = 1\n`).join('')}`;
    expect(text.length).toBeGreaterThan(70_000);
    const large = parseDocument('file:///kb/domains/tax/l.md', text);
    const all = occurrencesOf(large);
    const names = pack(all);
    expect(unpack(names, large.uri)).toStrictEqual(all);
    expect(unpack(names, large.uri, 'other 1199')).toStrictEqual(all.filter((o) => o.key === 'other 1199'));
    expect(all.at(-1)!.offset).toBeGreaterThan(65_535);
  });

  it('keep block and molecule ids as their bytes, and other ids as they are', () => {
    const doc = docs().find((d) => d.molecules.some((m) => m.id.includes('#')))!;
    const names = pack(occurrencesOf(doc));
    const ids = idsOf(names.ids);
    // Every id once: blocks' and molecules' (a suffix after the block's UUID: `#unless1`, `#row2`).
    expect(ids.some((id) => id.includes('#'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(names.ids.length).toBeLessThan(joinIds(ids).length * 0.55);
    // Bytes that are line breaks or the mark itself.
    const odd = ['0a0a0a0a-0101-5a0a-8a0a-0a0a0a0a0a0a', '01010101-0a01-5101-8101-010101010101#row1', '00000000-0000-5000-8000-000000000000#unless12'];
    expect(idsOf(packIds(joinIds(odd)))).toEqual(odd);
    for (const plain of [['b1', 'b2#unless1'], ['0A0A0A0A-0101-5A0A-8A0A-0A0A0A0A0A0A'], [odd[0], 'b2'], [`${odd[0]}x`]]) {
      expect(packIds(joinIds(plain))).toBe(joinIds(plain));
      expect(idsOf(packIds(joinIds(plain)))).toEqual(plain);
    }
    expect(idsOf(packIds(''))).toEqual([]);
  });

  it('come back whatever their numbers: offsets out of order, spans past 2³¹', () => {
    const at = (offset: number, start: number, end: number, moleculeId?: string): Occurrence => ({
      uri: 'file:///kb/a.md',
      key: 'rate',
      name: 'Rate',
      kind: moleculeId ? 'operand' : 'definition',
      blockId: 'b1',
      span: { start, end },
      offset,
      ...(moleculeId ? { moleculeId } : {}),
    });
    const occurrences = [at(5000, 3, 7), at(12, 0, 4, 'b1#unless1'), at(2 ** 33, 2 ** 32, 2 ** 32 + 127), at(0, 9, 2), at(300, 128, 16_384)];
    expect(unpack(pack(occurrences), 'file:///kb/a.md')).toStrictEqual(occurrences);
  });

  it('keep a name as written that is a key with capitals as which key and where, and every other as it is', () => {
    const list = ['effective date 12', 'rate', 'straße', 'section 4: ontario'];
    const written = ['Effective Date 12', 'Rate', 'RATE', 'Other', '\u0001odd', 'STRASSE', 'Straße', 'Section 4: Ontario', 'rate', ''];
    const more = packMore(list, written.join(SEPARATOR));
    const strings: PackedStrings = { list, more };
    expect(written.map((_, i) => stringAt(strings, list.length + i))).toEqual(written);
    const split = {};
    expect(written.map((_, i) => stringAt(strings, list.length + i, split))).toEqual(written);
    // Shorter, and still one byte a character.
    expect(more.length).toBeLessThan(written.join(SEPARATOR).length - 20);
    expect(more.split(SEPARATOR)[0]).toBe('\u0001\u0001\u0001\u000b');
    expect([...more].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
    // Nothing to keep shorter: the same string.
    const plain = ['Other', 'rate'].join(SEPARATOR);
    expect(packMore(list, plain)).toBe(plain);
  });

  it('find a key that is also written as a name in another place', () => {
    // "rate" is the key of `Rate` and a name as written (lower case) elsewhere: the key is matched, never the name.
    const doc = parseDocument('file:///kb/domains/tax/a.md', '# A\n\n- **Rate**: 5%\n- IF [[rate]] > 2% THEN [[Other]] = 1\n');
    const all = occurrencesOf(doc);
    const names = pack(all);
    const rate = unpack(names, doc.uri, 'rate');
    expect(rate).toStrictEqual(all.filter((o) => o.key === 'rate'));
    expect(rate.map((o) => o.name)).toEqual(expect.arrayContaining(['Rate', 'rate']));
    expect(unpack(names, doc.uri, 'other').map((o) => o.name)).toEqual(expect.arrayContaining(['Other']));
  });
});

describe('the name index', () => {
  it('lists the documents that write a name, by URI, as they come and go', () => {
    const kb = new KnowledgeBase('t');
    const put = (file: string, text: string) => kb.upsert(parseDocument(`file:///kb/domains/tax/${file}.md`, text), 'disk');
    const uris = (key: string) => [...new Set(kb.occurrences('tax', key).map((o) => o.uri.slice(23)))];
    put('b', '# B\n\n- **Rate**: 5%\n');
    expect(uris('rate')).toEqual(['b.md']);
    put('c', '# C\n\nSee [[Rate]] and [[rate]].\n');
    put('a', '# A\n\nSee [[RATE]].\n');
    expect(uris('rate')).toEqual(['a.md', 'b.md', 'c.md']);
    expect(kb.atomNames('tax').get('rate')).toBe('Rate');
    kb.remove('file:///kb/domains/tax/b.md');
    expect(uris('rate')).toEqual(['a.md', 'c.md']);
    // A name no definition writes is shown as first written.
    expect(kb.atomNames('tax').get('rate')).toBe('RATE');
    put('c', '# C\n\nNothing.\n');
    expect(uris('rate')).toEqual(['a.md']);
    put('b', '# B\n\n- **Rate**: 6%\n');
    expect(uris('rate')).toEqual(['a.md', 'b.md']);
    kb.remove('file:///kb/domains/tax/a.md');
    expect(uris('rate')).toEqual(['b.md']);
    put('a', '# A\n\nSee [[RATE]].\n');
    expect(uris('rate')).toEqual(['a.md', 'b.md']);
    kb.remove('file:///kb/domains/tax/a.md');
    kb.remove('file:///kb/domains/tax/b.md');
    expect(uris('rate')).toEqual([]);
    expect(kb.atomNames('tax').has('rate')).toBe(false);
  });
});

describe('index records', () => {
  it("hold the keys in their head, and the names and symbol entries in their body, read once when first asked for", () => {
    for (const doc of docs()) {
      const resting = restingOf(recordOf(doc));
      if ('error' in resting) throw new Error(resting.error);
      const all = occurrencesOf(doc);
      expect([...resting.keys].sort()).toEqual([...new Set(all.map((o) => o.key))].sort());
      expect(resting.domain).toBe(doc.domain);
      const keys = [...resting.keys];
      const body = resting.load();
      expect(resting.load()).toBe(body);
      // The keys and the rest of the record's strings are one array: the keys first.
      expect(body.names.strings.list).toBe(resting.keys);
      expect(body.names.strings.list.slice(0, resting.keyCount)).toEqual(keys);
      expect(unpack(body.names, doc.uri)).toStrictEqual(all);
      // The symbol entries say the same as the document's own table (their names are numbered in the record's).
      const read = new Map(body.derived).get(ENTRIES) as SymbolTable;
      const own = entriesOf(doc);
      const entries = (table: SymbolTable) =>
        Array.from({ length: table.entries.length / ENTRY }, (_, n) => {
          const e = Array.from(table.entries.subarray(n * ENTRY, (n + 1) * ENTRY));
          // The lower-case form is where the search reads it.
          expect(e[1]).toBeLessThan(table.names.list.length);
          return [stringAt(table.names, e[0]), stringAt(table.names, e[1]), stringAt(table.names, e[2]), ...e.slice(3)];
        });
      expect(entries(read)).toEqual(entries(own));
      // Names as written are one string, not one each.
      expect(body.names.strings.more).not.toBe('');
      expect(own.entries.length).toBeGreaterThan(0);
    }
  });

  it('say why the parser failed', () => {
    expect(restingOf(JSON.stringify({ error: 'the parser\tfailed' }))).toEqual({ error: 'the parser\tfailed' });
  });
});

describe('documents at rest', () => {
  it('give back their text as it was, kept deflated or as it is, and ranges in it', () => {
    const text = '# Taxe — été\n\n- **Taux réduit**: 5 €\n- IF [[Taux réduit]] > 2% THEN [[Frais 🪙]] = 1\n';
    const uri = 'file:///kb/domains/tax/%C3%A9t%C3%A9.md';
    const doc = parseDocument(uri, text);
    const place = occurrencesOf(doc).find((o) => o.key === 'frais 🪙')!;
    for (const stored of [text, deflateText(text)]) {
      const resting = restingOf(recordOf(doc));
      if ('error' in resting) throw new Error(resting.error);
      const kb = new KnowledgeBase('t');
      kb.rest({ uri, text: stored, version: doc.version, domain: resting.domain, keys: resting.keys, load: resting.load });
      expect(kb.text(uri)).toBe(text);
      expect(kb.range(kb.occurrences('tax', 'frais 🪙')[0])).toEqual(toRange(doc, place.blockId, place.span));
      expect(kb.get(uri)!.text).toBe(text);
      while (kb.settle(10));
      expect(kb.text(uri)).toBe(text);
    }
    // What a 10,000-file workspace's texts are like: deflated to a fraction.
    const long = exampleTexts().join('\n');
    expect(textOf(deflateText(long))).toBe(long);
    expect(deflateText(long).length).toBeLessThan(Buffer.byteLength(long) / 2);
  });


  it("are indexed by their keys, and read their names once: when a question needs them or when they settle", () => {
    const kb = new KnowledgeBase('t');
    const loads = new Map<string, number>();
    const rested = docs().filter((d) => occurrencesOf(d).length > 0).slice(0, 3);
    for (const doc of rested) {
      const resting = restingOf(recordOf(doc));
      if ('error' in resting) throw new Error(resting.error);
      const load = () => (loads.set(doc.uri, (loads.get(doc.uri) ?? 0) + 1), resting.load());
      kb.rest({ uri: doc.uri, text: doc.text, version: doc.version, domain: resting.domain, keys: resting.keys, load });
    }
    expect(loads.size).toBe(0);
    // A question about one document's names reads that document's only.
    const [first] = rested;
    const key = occurrencesOf(first)[0].key;
    const places = kb.occurrences(first.domain, key).filter((o) => o.uri === first.uri);
    expect(places).toStrictEqual(occurrencesOf(first).filter((o) => o.key === key));
    expect(loads.get(first.uri)).toBe(1);
    // Settling reads the others, a batch at a time, each once.
    expect(kb.settle(1)).toBe(true);
    while (kb.settle(1));
    expect([...loads.keys()].sort()).toEqual(rested.map((d) => d.uri).sort());
    expect([...loads.values()]).toEqual([1, 1, 1]);
  });

  it('read at once are indexed by their keys only, and taken out of the index whole', () => {
    const kb = new KnowledgeBase('t');
    const rested = docs().filter((d) => occurrencesOf(d).length > 0);
    for (const doc of rested) {
      const resting = restingOf(recordOf(doc), true);
      if ('error' in resting) throw new Error(resting.error);
      // Read at once: the strings past the keys are in the array already (names as written, containers).
      expect(resting.keys.length).toBeGreaterThan(resting.keyCount);
      kb.rest({ uri: doc.uri, text: doc.text, ...resting });
    }
    const domains = [...new Set(rested.map((d) => d.domain))];
    for (const domain of domains) {
      const keys = new Set(rested.filter((d) => d.domain === domain).flatMap((d) => occurrencesOf(d).map((o) => o.key)));
      expect(new Set(kb.atomNames(domain).keys())).toEqual(keys);
    }
    for (const doc of rested) kb.remove(doc.uri);
    for (const domain of domains) expect(kb.atomNames(domain).size).toBe(0);
  });

  it('name each atom by a definition, else where it is first written, all at once and after a change', () => {
    const kb = new KnowledgeBase('t');
    const texts: Record<string, string> = {
      a: '# A\n\n- IF [[Rate X]] > 1% THEN Fee Y = 2%\n',
      b: '# B\n\n- **RATE x**: 5%\n',
      c: '# C\n\nSee [[fee y]] and [[Only Here]].\n',
    };
    for (const [name, text] of Object.entries(texts)) {
      const doc = parseDocument(`file:///kb/domains/tax/${name}.md`, text);
      const resting = restingOf(recordOf(doc), true);
      if ('error' in resting) throw new Error(resting.error);
      kb.rest({ uri: doc.uri, text, ...resting });
    }
    expect(Object.fromEntries(kb.atomNames('tax'))).toEqual({ 'rate x': 'RATE x', 'fee y': 'Fee Y', 'only here': 'Only Here' });
    // Without the definition, where the name is first written (the documents in the order of URIs).
    kb.remove('file:///kb/domains/tax/b.md');
    expect(Object.fromEntries(kb.atomNames('tax'))).toEqual({ 'rate x': 'Rate X', 'fee y': 'Fee Y', 'only here': 'Only Here' });
  });

  it("build a domain's name index when a question first needs it, else one domain per settle", () => {
    const kb = new KnowledgeBase('t');
    // Three domains (the examples name theirs in front matter; these copies are in folders of their own).
    const texts = exampleTexts().map((text) => text.replace(/^domain: .*$/m, ''));
    const rested = ['a', 'b', 'c'].flatMap((domain) => texts.map((text, i) => parseDocument(`file:///kb/domains/${domain}/doc${i}.md`, text)));
    for (const doc of rested) {
      const resting = restingOf(recordOf(doc), true);
      if ('error' in resting) throw new Error(resting.error);
      kb.rest({ uri: doc.uri, text: doc.text, ...resting });
    }
    expect(new Set(rested.map((d) => d.domain))).toEqual(new Set(['a', 'b', 'c']));
    // A document taken out before its domain's index is built is not in it.
    const gone = rested.find((d) => d.domain === 'a' && occurrencesOf(d).length > 0)!;
    kb.remove(gone.uri);
    const key = occurrencesOf(gone)[0].key;
    const places = kb.occurrences('a', key);
    expect(places.filter((o) => o.uri === gone.uri)).toEqual([]);
    expect(places).toStrictEqual(rested.filter((d) => d.domain === 'a' && d !== gone).flatMap((d) => occurrencesOf(d).filter((o) => o.key === key)));
    // The question built domain a's: settling builds b's and c's, one a call.
    let calls = 0;
    while (kb.settle(1000)) calls++;
    expect(calls).toBe(2);
    for (const domain of ['a', 'b', 'c']) {
      const keys = new Set(rested.filter((d) => d.domain === domain && d !== gone).flatMap((d) => occurrencesOf(d).map((o) => o.key)));
      expect(new Set(kb.atomNames(domain).keys())).toEqual(keys);
    }
    expect(kb.domains()).toEqual(['a', 'b', 'c']);
  });
});
