/**
 * Test fixture (bundled and run as a child process by atomicity.test.ts):
 * writes a document to real PostgreSQL and, right after statement number
 * `stallAfter` of the transaction, prints "stalled" and hangs, so that the
 * parent can SIGKILL it mid-transaction.
 */
import { parseDocument } from '../core/document';
import type { SqlClient } from './sql/client';
import { createPgClient } from './sql/pg';
import { tenant } from './sql/tenant';
import { writeDocument } from './writer';

const { url, tenantId, uri, text, stallAfter } = JSON.parse(process.argv[2]) as { url: string; tenantId: string; uri: string; text: string; stallAfter: number };
const client = createPgClient(url, { max: 1 });
let statements = 0;
const stalling: SqlClient = {
  ...client,
  transaction: (fn) =>
    client.transaction((tx) =>
      fn({
        async query(sql, params) {
          const result = await tx.query(sql, params);
          if (++statements === stallAfter) {
            process.stdout.write('stalled\n');
            await new Promise(() => undefined);
          }
          return result as never;
        },
      }),
    ),
};
void writeDocument(stalling, tenant(tenantId), parseDocument(uri, text)).then(async () => {
  process.stdout.write('done\n');
  await client.close();
});
