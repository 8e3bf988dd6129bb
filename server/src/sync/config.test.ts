import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, redactConfigSecrets } from './config';

describe('configuration from the environment', () => {
  it('defaults to PGlite under <folder>/.knowledge, the in-memory graph and the tenant "default"', () => {
    const c = loadConfig({}, '/kb');
    expect(c).toMatchObject({ tenant: { id: 'default' }, postgres: { kind: 'pglite', dataDir: path.resolve('/kb/.knowledge/pglite') }, neo4j: null, secrets: [] });
    expect(loadConfig({ KNOWLEDGE_HOME: 'state' }, '/kb').postgres).toEqual({ kind: 'pglite', dataDir: path.resolve('/kb/state/pglite') });
  });

  it('reads the servers and keeps their secrets out of descriptions and messages', () => {
    const c = loadConfig(
      {
        KNOWLEDGE_POSTGRES_URL: 'postgres://kos:pg-s3cret@db:5432/kos',
        KNOWLEDGE_NEO4J_URL: 'neo4j://graph:7687',
        KNOWLEDGE_NEO4J_USER: 'neo4j',
        KNOWLEDGE_NEO4J_PASSWORD: 'n4j-s3cret',
        KNOWLEDGE_TENANT: 'acme',
      },
      '/kb',
    );
    expect(c).toMatchObject({ tenant: { id: 'acme' }, postgres: { kind: 'pg' }, neo4j: { url: 'neo4j://graph:7687', user: 'neo4j', password: 'n4j-s3cret' } });
    const shown = describeConfig(c);
    expect(shown).toBe('tenant acme, PostgreSQL postgres://kos:***@db:5432/kos, Neo4j neo4j://graph:7687');
    expect(redactConfigSecrets(c, 'auth failed for n4j-s3cret and pg-s3cret')).toBe('auth failed for *** and ***');
  });

  it('rejects an invalid tenant or URL without echoing secrets', () => {
    expect(() => loadConfig({ KNOWLEDGE_TENANT: 'Acme Corp' }, '/kb')).toThrow(ConfigError);
    const error = (() => {
      try {
        loadConfig({ KNOWLEDGE_POSTGRES_URL: 'not a url :pw-s3cret@' }, '/kb');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toBe('KNOWLEDGE_POSTGRES_URL is not a valid URL');
  });
});
