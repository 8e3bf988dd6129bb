/** Documents (seed §2.2). */
import { documentId } from '../ids';
import { TenantRepository } from './base';

export interface DocumentRow {
  id: string;
  tenantId: string;
  domainId: string | null;
  uri: string;
  parentId: string | null;
  parentType: string | null;
  rootBlockId: string | null;
  /** The front matter. */
  properties: Record<string, unknown> | null;
  icon: unknown;
  cover: unknown;
  title: string | null;
  archived: boolean;
  inTrash: boolean;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  lastEditedBy: string | null;
}

export class DocumentRepository extends TenantRepository<DocumentRow> {
  protected readonly tableName = 'documents';
  protected readonly columns =
    'id, tenant_id, domain_id, uri, parent_id, parent_type, root_block_id, properties, icon, cover, title, archived, in_trash, created_at, updated_at, created_by, last_edited_by';

  findByUri(uri: string): Promise<DocumentRow | null> {
    return this.findById(documentId(this.tenant.id, uri));
  }

  findByTitle(title: string): Promise<DocumentRow[]> {
    return this.select('WHERE title = $1 ORDER BY uri', [title]);
  }

  listByDomain(domainId: string): Promise<DocumentRow[]> {
    return this.select('WHERE domain_id = $1 ORDER BY uri', [domainId]);
  }

  list(): Promise<DocumentRow[]> {
    return this.select('ORDER BY uri');
  }
}
