/** Domains (seed §2.5): the bounded contexts of a tenant. */
import { domainId } from '../ids';
import { TenantRepository } from './base';

export interface DomainRow {
  id: string;
  tenantId: string;
  name: string;
  path: string;
  description: string | null;
  ownerId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export class DomainRepository extends TenantRepository<DomainRow> {
  protected readonly tableName = 'domains';
  protected readonly columns = 'id, tenant_id, name, path, description, owner_id, created_at, updated_at';

  /** By the domain's name as documents declare it (`domain: tax`). */
  findByName(name: string): Promise<DomainRow | null> {
    return this.findById(domainId(this.tenant.id, name));
  }

  list(): Promise<DomainRow[]> {
    return this.select('ORDER BY name, id');
  }
}
