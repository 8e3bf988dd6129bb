import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backends, useDatabase } from '../testing';
import { copyLine, copyValue, type CopyColumn } from './copy';
import { table } from './tenant';

const COLUMNS: CopyColumn[] = [
  { name: 'ord', type: 'integer' },
  { name: 'id', type: 'uuid' },
  { name: 'name', type: 'text' },
  { name: 'ids', type: 'uuid[]' },
  { name: 'doc', type: 'jsonb' },
  { name: 'amount', type: 'numeric' },
  { name: 'share', type: 'float8' },
  { name: 'position', type: 'integer' },
  { name: 'flag', type: 'boolean' },
  { name: 'at', type: 'timestamptz' },
];
const LIST = COLUMNS.map((c) => c.name).join(', ');

/** Text PostgreSQL stores: no U+0000 and no lone surrogates (the writer's pgSafe guarantees it of every row). */
const storable = fc.string({ unit: fc.oneof(fc.constantFrom('\t', '\n', '\r', '\\', '"', ',', '{', '}', 'N', '\\N', ' '), fc.constant('é'), fc.constant('😀'), fc.string({ minLength: 1, maxLength: 1 })) }).map((s) => s.replace(/\0/g, ''));
const uuid = fc.uuid();
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    storable,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(storable, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const row = fc.record({
  id: uuid,
  name: fc.option(storable, { nil: null }),
  ids: fc.option(fc.array(uuid, { maxLength: 3 }), { nil: null }),
  doc: fc.option(json, { nil: null }),
  amount: fc.option(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 })), { nil: null }),
  share: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  position: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
  flag: fc.option(fc.boolean(), { nil: null }),
  at: fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), { nil: null }),
});

describe('COPY text', () => {
  it('escapes what the format gives a meaning, writes NULL as \\N, arrays as literals and JSON as JSON', () => {
    expect(copyValue('text', 'a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyValue('text', '\\N')).toBe('\\\\N');
    expect(copyValue('text', null)).toBe('\\N');
    expect(copyValue('jsonb', null)).toBe('\\N');
    expect(copyValue('jsonb', 'x')).toBe('"x"');
    expect(copyValue('jsonb', { a: 'tab\there' })).toBe('{"a":"tab\\\\there"}');
    expect(copyValue('numeric', Number.POSITIVE_INFINITY)).toBe('\\N');
    expect(copyValue('uuid[]', [])).toBe('{}');
    expect(copyValue('text[]', ['a b', 'NULL', null, 'q"\\'])).toBe('{"a b","NULL",NULL,"q\\\\"\\\\\\\\"}');
    expect(copyLine(COLUMNS.slice(1, 3), { id: 'x', name: null })).toBe('x\t\\N');
    expect(copyLine(COLUMNS.slice(2, 4), { name: 'n', ids: ['a', 'b'] })).toBe('n\t{a,b}');
    expect(() => copyValue('integer', { a: 1 })).toThrow(/no COPY form/);
  });
});

describe.each(backends())('COPY … FROM STDIN on $name', (backend) => {
  const db = useDatabase(backend);
  // A scratch table in the tenant's schema (dropped with it).
  const scratch = (name: string) => table(db.tenant, 'domains').replace('"domains"', `"${name}"`);

  it('copies rows exactly as jsonb_to_recordset inserts the same rows', async () => {
    const target = scratch('copy_rows');
    await db.client.query(`CREATE TABLE ${target} (via text, tenant_id uuid, ${COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')})`);
    const tenant = db.tenant.rowId;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 8 }), async (generated) => {
        const rows = generated.map((r, ord) => ({ ...r, ord }));
        await db.client.query(`DELETE FROM ${target}`);
        await db.client.transaction(async (tx) => {
          // Sent without waiting, as the writer sends them: the COPY's data travels between the statements around it.
          const copied = tx.query(`COPY ${target} (via, tenant_id, ${LIST}) FROM STDIN`, [rows.map((r) => `copy\t${tenant}\t${copyLine(COLUMNS, r)}\n`).join('')]);
          const inserted = tx.query(
            `INSERT INTO ${target} (via, tenant_id, ${LIST}) SELECT 'json', $1, ${LIST} FROM jsonb_to_recordset($2::jsonb) AS r(${COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')})`,
            [tenant, JSON.stringify(rows)],
          );
          expect((await copied).rowCount).toBe(rows.length);
          expect((await inserted).rowCount).toBe(rows.length);
        });
        const read = async (via: string) =>
          (await db.client.query(`SELECT ${LIST} FROM ${target} WHERE via = $1 ORDER BY ord`, [via])).rows;
        expect(await read('copy')).toEqual(await read('json'));
      }),
      { numRuns: 40 },
    );
  });

  it('a COPY that fails rolls its transaction back and leaves the connection usable', async () => {
    const target = scratch('copy_failures');
    await db.client.query(`CREATE TABLE ${target} (n integer)`);
    await db.client.transaction((tx) => tx.query(`COPY ${target} (n) FROM STDIN`, ['1\n2\n']));
    const failure = await db.client
      .transaction(async (tx) => {
        const first = tx.query(`COPY ${target} (n) FROM STDIN`, ['3\n']);
        const bad = tx.query(`COPY ${target} (n) FROM STDIN`, ['4\nnot a number\n']);
        const after = tx.query(`INSERT INTO ${target} (n) VALUES (5)`);
        await first;
        await Promise.allSettled([bad, after]);
        return bad;
      })
      .catch((e: Error) => e.message);
    expect(failure).toMatch(/invalid input syntax for type integer/);
    const missing = await db.client.transaction((tx) => tx.query(`COPY ${target} (no_such_column) FROM STDIN`, ['1\n'])).catch((e: Error) => e.message);
    expect(missing).toMatch(/no_such_column/);
    // Outside a transaction too.
    expect((await db.client.query(`COPY ${target} (n) FROM STDIN`, ['6\n'])).rowCount).toBe(1);
    expect((await db.client.query<{ n: number }>(`SELECT n FROM ${target} ORDER BY n`)).rows.map((r) => r.n)).toEqual([1, 2, 6]);
    await expect(db.client.query(`COPY ${target} (n) FROM STDIN`, [])).rejects.toThrow(/one text parameter/);
  });
});
