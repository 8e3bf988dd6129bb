/** Blocks (seed §2.1). A document's blocks hang under its root block (`block_type` 'page'). */
import { TenantRepository } from './base';

export interface BlockRow {
  id: string;
  tenantId: string;
  documentId: string;
  parentId: string | null;
  parentType: string | null;
  blockType: string;
  /** Document order; the root block is 0. */
  position: number;
  content: unknown;
  atomIds: string[] | null;
  moleculeIds: string[] | null;
  hasChildren: boolean;
  archived: boolean;
  inTrash: boolean;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  lastEditedBy: string | null;
}

export class BlockRepository extends TenantRepository<BlockRow> {
  protected readonly tableName = 'blocks';
  protected readonly columns =
    'id, tenant_id, document_id, parent_id, parent_type, block_type, position, content, atom_ids, molecule_ids, has_children, archived, in_trash, created_at, updated_at, created_by, last_edited_by';

  /** In document order, the root block first. */
  listByDocument(documentId: string): Promise<BlockRow[]> {
    return this.select('WHERE document_id = $1 ORDER BY position', [documentId]);
  }

  children(parentId: string): Promise<BlockRow[]> {
    return this.select('WHERE parent_id = $1 ORDER BY position', [parentId]);
  }

  /** Blocks an atom appears in (defined, extracted, referenced or used by a rule). */
  containingAtom(atomId: string): Promise<BlockRow[]> {
    return this.select('WHERE atom_ids @> ARRAY[$1::uuid] ORDER BY document_id, position', [atomId]);
  }

  containingMolecule(moleculeId: string): Promise<BlockRow[]> {
    return this.select('WHERE molecule_ids @> ARRAY[$1::uuid] ORDER BY document_id, position', [moleculeId]);
  }
}
