import { describe, expect, it } from 'vitest';
import { InvalidTenantError, table, tenant } from './tenant';

describe('tenant', () => {
  it('maps a valid id to its schema', () => {
    const t = tenant('acme_2');
    expect(t.schema).toBe('tenant_acme_2');
    expect(table(t, 'atoms')).toBe('"tenant_acme_2"."atoms"');
    expect(t.rowId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(['', 'Acme', '1acme', 'a-b', 'a b', 'a"; DROP SCHEMA public; --', 'é', 'a'.repeat(41), 'tenant\0x'])('rejects %j', (id) => {
    expect(() => tenant(id)).toThrow(InvalidTenantError);
    expect(() => tenant(id)).toThrow(/invalid tenant id/);
  });

  it('accepts the longest id', () => {
    expect(tenant('a'.repeat(40)).schema).toHaveLength(47);
  });
});
