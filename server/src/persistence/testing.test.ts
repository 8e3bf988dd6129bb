import { describe, expect, it } from 'vitest';
import { backends } from './testing';

describe('test backends', () => {
  it('always include PGlite, and PostgreSQL when a URL is given', () => {
    expect(backends({}).map((b) => b.name)).toEqual(['pglite']);
    expect(backends({ KNOWLEDGE_TEST_POSTGRES_URL: 'postgres://x@127.0.0.1:1/d' }).map((b) => b.name)).toEqual(['pglite', 'pg']);
  });

  it('fail loudly when services are required but PostgreSQL is missing or unreachable', async () => {
    expect(() => backends({ KNOWLEDGE_REQUIRE_SERVICES: '1' })).toThrow(/KNOWLEDGE_TEST_POSTGRES_URL is not set/);
    const [, pg] = backends({ KNOWLEDGE_REQUIRE_SERVICES: '1', KNOWLEDGE_TEST_POSTGRES_URL: 'postgres://u:hunter2@127.0.0.1:1/d' });
    const error = await pg.connect().catch((e: Error) => e);
    expect((error as Error).message).toMatch(/unreachable/);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
