/**
 * The database backends persistence tests run on: PGlite always; real
 * PostgreSQL when `KNOWLEDGE_TEST_POSTGRES_URL` is set. With
 * `KNOWLEDGE_REQUIRE_SERVICES=1` (CI) a missing URL fails the suite at
 * collection and an unreachable server fails it in `beforeAll`, so a skipped
 * backend can never pass silently.
 *
 *     describe.each(backends())('writer on $name', (backend) => {
 *       const db = useDatabase(backend); // one client + fresh tenants per describe
 *       it('…', async () => { await writeDocument(db.client, db.tenant, snapshot); });
 *     });
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { redactSecrets, type SqlClient } from './sql/client';
import { dropTenant, provisionTenant } from './sql/migrations';
import { createPgClient } from './sql/pg';
import { createPgliteClient } from './sql/pglite';
import { tenant, type Tenant } from './sql/tenant';

export interface Backend {
  name: 'pglite' | 'pg';
  connect(): Promise<SqlClient>;
}

export function backends(env: NodeJS.ProcessEnv = process.env): Backend[] {
  const url = env.KNOWLEDGE_TEST_POSTGRES_URL;
  const list: Backend[] = [{ name: 'pglite', connect: () => createPgliteClient() }];
  if (url) list.push({ name: 'pg', connect: () => connectPg(url) });
  else if (env.KNOWLEDGE_REQUIRE_SERVICES === '1') {
    throw new Error('KNOWLEDGE_REQUIRE_SERVICES=1 but KNOWLEDGE_TEST_POSTGRES_URL is not set: the PostgreSQL suite would be skipped');
  }
  return list;
}

async function connectPg(url: string): Promise<SqlClient> {
  const client = createPgClient(url, { max: 4 });
  try {
    await client.query('SELECT 1');
  } catch (error) {
    await client.close();
    throw new Error(`PostgreSQL at ${redactSecrets(url)} is unreachable: ${(error as Error).message}`);
  }
  return client;
}

/** A tenant id no other test run uses (real PostgreSQL is shared between runs and files). */
export function uniqueTenant(prefix = 't'): Tenant {
  return tenant(`${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`);
}

export interface TestDatabase {
  readonly client: SqlClient;
  /** The first of `tenants`. */
  readonly tenant: Tenant;
  readonly tenants: Tenant[];
  /** A provisioned tenant more, dropped with the others in `afterAll`. */
  newTenant(): Promise<Tenant>;
}

/** Connects in `beforeAll`, provisions `count` fresh tenants; drops them and closes in `afterAll`. */
export function useDatabase(backend: Backend, count = 1): TestDatabase {
  let client: SqlClient | undefined;
  const tenants: Tenant[] = [];
  const db: TestDatabase = {
    get client() {
      if (!client) throw new Error('useDatabase: not connected yet (use it inside tests or hooks)');
      return client;
    },
    get tenant() {
      return tenants[0];
    },
    tenants,
    async newTenant() {
      const t = uniqueTenant();
      tenants.push(t);
      await provisionTenant(db.client, t);
      return t;
    },
  };
  beforeAll(async () => {
    client = await backend.connect();
    for (let i = 0; i < count; i++) await db.newTenant();
  });
  afterAll(async () => {
    if (!client) return;
    for (const t of tenants) await dropTenant(client, t);
    await client.close();
  });
  return db;
}
