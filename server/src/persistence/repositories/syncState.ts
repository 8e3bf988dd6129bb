/** `sync_state` (seed §4.3): what the Neo4j sync worker has to push. */
import type { EntityType } from '../records';
import { TenantRepository } from './base';

export interface SyncStateRow {
  id: string;
  tenantId: string;
  entityType: EntityType;
  entityId: string;
  postgresVersion: number;
  neo4jVersion: number | null;
  /** NULL when the entity was deleted (or soft-deleted): remove it from the graph. */
  postgresChecksum: string | null;
  neo4jChecksum: string | null;
  syncStatus: 'pending' | 'syncing' | 'synced' | 'failed';
  lastSyncAttempt: Date | null;
  syncError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export class SyncStateRepository extends TenantRepository<SyncStateRow> {
  protected readonly tableName = 'sync_state';
  protected readonly columns =
    'id, tenant_id, entity_type, entity_id, postgres_version, neo4j_version, postgres_checksum, neo4j_checksum, sync_status, last_sync_attempt, sync_error, created_at, updated_at';

  /** Served by the seed's UNIQUE(tenant_id, entity_type, entity_id). */
  find(entityType: EntityType, entityId: string): Promise<SyncStateRow | null> {
    return this.selectOne('WHERE tenant_id = $1 AND entity_type = $2 AND entity_id = $3', [this.tenant.rowId, entityType, entityId]);
  }

  /** Pending and failed rows, oldest change first (served by `sync_state_pending_idx`). */
  pending(limit = 1000): Promise<SyncStateRow[]> {
    return this.select(`WHERE tenant_id = $1 AND sync_status IN ('pending', 'failed') ORDER BY updated_at, entity_type, entity_id LIMIT $2`, [
      this.tenant.rowId,
      limit,
    ]);
  }
}
