/** The repositories of one tenant, over a client or a transaction. */
import type { Queryable } from '../sql/client';
import type { Tenant } from '../sql/tenant';
import { AtomRepository } from './atoms';
import { BlockRepository } from './blocks';
import { DocumentRepository } from './documents';
import { DomainRepository } from './domains';
import { MoleculeRepository } from './molecules';
import { SyncStateRepository } from './syncState';

export interface Repositories {
  domains: DomainRepository;
  documents: DocumentRepository;
  blocks: BlockRepository;
  atoms: AtomRepository;
  molecules: MoleculeRepository;
  syncState: SyncStateRepository;
}

export function repositories(db: Queryable, t: Tenant): Repositories {
  return {
    domains: new DomainRepository(db, t),
    documents: new DocumentRepository(db, t),
    blocks: new BlockRepository(db, t),
    atoms: new AtomRepository(db, t),
    molecules: new MoleculeRepository(db, t),
    syncState: new SyncStateRepository(db, t),
  };
}
