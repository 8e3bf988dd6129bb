/** Molecule metadata (seed §2.4): rule configurations. */
import { table } from '../sql/tenant';
import { TenantRepository } from './base';

export interface MoleculeRow {
  id: string;
  tenantId: string;
  domainId: string | null;
  moleculeType: string;
  atomIds: string[];
  configuration: Record<string, unknown> | null;
  validationRules: unknown;
  enforcementLevel: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export class MoleculeRepository extends TenantRepository<MoleculeRow> {
  protected readonly tableName = 'molecule_metadata';
  protected readonly columns = 'id, tenant_id, domain_id, molecule_type, atom_ids, configuration, validation_rules, enforcement_level, created_at, updated_at';

  findByIds(ids: string[]): Promise<MoleculeRow[]> {
    return this.select('WHERE id = ANY($1::uuid[]) ORDER BY id', [ids]);
  }

  /** The rules that mention an atom (`$1 = ANY(atom_ids)`, answered by the GIN index). */
  containingAtom(atomId: string): Promise<MoleculeRow[]> {
    return this.select('WHERE atom_ids @> ARRAY[$1::uuid] ORDER BY id', [atomId]);
  }

  listByDomain(domainId: string, moleculeType?: string): Promise<MoleculeRow[]> {
    return moleculeType === undefined
      ? this.select('WHERE domain_id = $1 ORDER BY id', [domainId])
      : this.select('WHERE domain_id = $1 AND molecule_type = $2 ORDER BY id', [domainId, moleculeType]);
  }

  /** The rules written in a document's blocks. */
  listByDocument(documentId: string): Promise<MoleculeRow[]> {
    return this.select(`WHERE id IN (SELECT unnest(molecule_ids) FROM ${table(this.tenant, 'blocks')} WHERE document_id = $1) ORDER BY id`, [documentId]);
  }
}
