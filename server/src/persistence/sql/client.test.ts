import { describe, expect, it } from 'vitest';
import { redactError, redactSecrets } from './client';
import { createPgClient } from './pg';

describe('redaction', () => {
  it('removes passwords from URLs and key=value strings', () => {
    expect(redactSecrets('connect postgres://kos:s3cr%40t@db:5432/x failed')).toBe('connect postgres://kos:***@db:5432/x failed');
    expect(redactSecrets('postgresql://u:p@h/d and postgres://v:q@h2')).toBe('postgresql://u:***@h/d and postgres://v:***@h2');
    expect(redactSecrets('host=db password=hunter2 user=x')).toBe('host=db password=*** user=x');
    expect(redactSecrets('postgres://nopassword@h/d')).toBe('postgres://nopassword@h/d');
  });

  it('redacts error messages and stacks in place', () => {
    const error = new Error('no route to postgres://a:topsecret@h/d');
    expect(redactError(error)).toBe(error);
    expect(error.message).not.toContain('topsecret');
    expect(error.stack).not.toContain('topsecret');
  });

  it('never shows the password of an invalid or unreachable URL', async () => {
    expect(() => createPgClient('postgres://u:topsecret@[bad')).toThrow(/invalid PostgreSQL URL/);
    try {
      createPgClient('postgres://u:topsecret@[bad');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('topsecret');
    }
    // Port 1 on localhost refuses the connection.
    const client = createPgClient('postgres://u:topsecret@127.0.0.1:1/d');
    const failure = await client.query('SELECT 1').catch((e: Error) => e);
    await client.close();
    expect(failure).toBeInstanceOf(Error);
    expect(JSON.stringify({ message: (failure as Error).message, stack: (failure as Error).stack })).not.toContain('topsecret');
  });
});
