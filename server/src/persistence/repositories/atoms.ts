/**
 * Atoms (seed §2.3). Current rows only by default: soft-deleted atoms and
 * history rows (superseded versions, which always carry `deleted_at`) are
 * left out unless asked for.
 */
import { normalizeName } from '../../core/model';
import { atomId } from '../ids';
import { table } from '../sql/tenant';
import { ROW, selectList, TenantRepository, type ListOptions } from './base';

export interface AtomRow {
  id: string;
  tenantId: string;
  domainId: string | null;
  atomType: string;
  textValue: string | null;
  numberValue: number | null;
  booleanValue: boolean | null;
  dateValue: Date | null;
  jsonValue: unknown;
  /** `percent` or a currency (as the core reads it: `$`, `USD`…), for number values. */
  unit: string | null;
  /** The allowed values of an input declared with `one of`. */
  oneOf: unknown[] | null;
  name: string | null;
  description: string | null;
  confidence: number;
  source: string;
  /** The block rows defining (or, for heuristic values, containing) the atom. */
  definedIn: string[];
  version: number;
  previousVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

const COMPARISONS = { '<': '<', '<=': '<=', '=': '=', '>=': '>=', '>': '>' } as const;
export type NumberComparison = keyof typeof COMPARISONS;

export class AtomRepository extends TenantRepository<AtomRow> {
  protected readonly tableName = 'atoms';
  protected readonly columns =
    'id, tenant_id, domain_id, atom_type, text_value, number_value, boolean_value, date_value, json_value, unit, one_of, name, description, confidence, source, defined_in, version, previous_version, created_at, updated_at, deleted_at';

  protected override map(row: Record<string, unknown>): AtomRow {
    const atom = row as unknown as AtomRow;
    // NUMERIC arrives as a string from both drivers (exact decimal); atoms hold JavaScript numbers.
    return { ...atom, numberValue: atom.numberValue === null ? null : Number(atom.numberValue) };
  }

  override findById(id: string, options: ListOptions = {}): Promise<AtomRow | null> {
    return this.selectOne(`WHERE id = $1 ${this.live(options)}`, [id]);
  }

  /** The atom a domain's documents call `name` (matched like the core matches names: case and spacing ignored). */
  findByName(domain: string, name: string, options: ListOptions = {}): Promise<AtomRow | null> {
    return this.findById(atomId(this.tenant.id, domain, normalizeName(name)), options);
  }

  /** Atoms whose name is exactly `name`, in any domain. */
  findByExactName(name: string): Promise<AtomRow[]> {
    return this.select(`WHERE name = $1 ${this.live({})} ORDER BY id`, [name]);
  }

  /** Text atoms with this value (seed §5.2 `findByValue('Quebec')`). */
  findByTextValue(value: string): Promise<AtomRow[]> {
    return this.select(`WHERE text_value = $1 ${this.live({})} ORDER BY id`, [value]);
  }

  /** Number atoms compared with a value (`number_value > $1`), optionally of one unit. */
  whereNumber(op: NumberComparison, value: number, unit?: string): Promise<AtomRow[]> {
    const sqlOp = COMPARISONS[op];
    if (!sqlOp) throw new Error(`unknown comparison ${JSON.stringify(op)}`);
    return unit === undefined
      ? this.select(`WHERE number_value ${sqlOp} $1 ${this.live({})} ORDER BY number_value, id`, [value])
      : this.select(`WHERE number_value ${sqlOp} $1 AND unit = $2 ${this.live({})} ORDER BY number_value, id`, [value, unit]);
  }

  listByDomain(domainId: string, options: ListOptions = {}): Promise<AtomRow[]> {
    return this.select(`WHERE domain_id = $1 ${this.live(options)} ORDER BY name, id`, [domainId]);
  }

  /** Atoms defined (or found, for heuristic values) in a document. */
  listByDocument(documentId: string): Promise<AtomRow[]> {
    return this.select(
      `WHERE defined_in && ARRAY(SELECT id FROM ${table(this.tenant, 'blocks')} WHERE document_id = $1) ${this.live({})} ORDER BY name, id`,
      [documentId],
    );
  }

  /** Atoms with one of these ids (soft-deleted too), or live and defined in one of these blocks (the writer's read). */
  findForDefinitions(ids: string[], blockIds: string[]): Promise<AtomRow[]> {
    return this.select(
      `WHERE id = ANY($1::uuid[]) OR (defined_in && $2::uuid[] AND deleted_at IS NULL) ORDER BY id`,
      [ids, blockIds],
    );
  }

  /** The atom's versions, current first, following `previous_version`. */
  async history(id: string): Promise<AtomRow[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `WITH RECURSIVE chain AS (
         SELECT a.*, 0 AS depth FROM ${this.from} a WHERE id = $1
         UNION ALL
         SELECT p.*, c.depth + 1 FROM ${this.from} p JOIN chain c ON p.id = c.previous_version
       )
       SELECT ${selectList(this.columns)} FROM chain ORDER BY depth`,
      [id],
    );
    return rows.map((r) => this.map(r));
  }

  /**
   * The current-rows filter: not soft-deleted, or (when deleted rows are
   * wanted) at least not a history row: history rows are exactly those some
   * row's `previous_version` points to.
   */
  private live(options: ListOptions): string {
    return options.includeDeleted ? `AND NOT EXISTS (SELECT 1 FROM ${this.from} n WHERE n.previous_version = ${ROW}.id)` : 'AND deleted_at IS NULL';
  }
}
