/**
 * The in-memory graph's storage: one graphology multigraph for all tenants,
 * node keys prefixed by tenant (ids are tenant-scoped already; the prefix
 * makes a lookup under the wrong tenant miss), typed node and edge data.
 */
import { MultiDirectedGraph } from 'graphology';
import type {
  AppearsIn,
  AtomNode,
  BlockNode,
  Conflict,
  DocumentNode,
  DomainNode,
  Label,
  MoleculeNode,
  PartOf,
  Relation,
  RelationshipType,
  Requires,
} from './model';

export type NodeData =
  | { label: 'Atom'; tenantId: string; props: AtomNode }
  | { label: 'Molecule'; tenantId: string; props: MoleculeNode }
  | { label: 'Document'; tenantId: string; props: DocumentNode }
  | { label: 'Block'; tenantId: string; props: BlockNode }
  | { label: 'Domain'; tenantId: string; props: DomainNode };

/** `discriminator` tells parallel edges of one type apart (a role, a block id; '' when there are none). */
export type EdgeData = { discriminator: string } & (
  | { type: 'PART_OF'; props: PartOf }
  | { type: 'APPEARS_IN'; props: AppearsIn }
  | { type: 'REQUIRES'; props: Requires }
  | { type: 'CONFLICTS_WITH'; props: Conflict }
  | { type: 'RELATED_TO'; props: Relation }
  | { type: 'PART_OF_DOCUMENT' | 'IN_DOMAIN'; props: null }
);

interface PropsOf {
  Atom: AtomNode;
  Molecule: MoleculeNode;
  Document: DocumentNode;
  Block: BlockNode;
  Domain: DomainNode;
}
type Props<L extends Label> = PropsOf[L];
type EdgeProps<T extends RelationshipType> = Extract<EdgeData, { type: T }>['props'];

export interface Edge<T extends RelationshipType = RelationshipType> {
  key: string;
  props: EdgeProps<T>;
  /** The node at the other end. */
  other: NodeData;
  otherKey: string;
}

export class TenantGraph {
  readonly graph = new MultiDirectedGraph<NodeData, EdgeData>();

  key(tenant: string, id: string): string {
    return `${tenant}\u0000${id}`;
  }

  /** The node's properties if it exists for this tenant with this label. */
  get<L extends Label>(tenant: string, label: L, id: string): Props<L> | undefined {
    return this.at(this.key(tenant, id), tenant, label);
  }

  at<L extends Label>(key: string, tenant: string, label: L): Props<L> | undefined {
    if (!this.graph.hasNode(key)) return undefined;
    const data: NodeData = this.graph.getNodeAttributes(key);
    if (data.label !== label || data.tenantId !== tenant) return undefined;
    return data.props as Props<L>;
  }

  put(tenant: string, data: NodeData): string {
    const key = this.key(tenant, data.props.id);
    const copy = { ...data, props: copyPlain(data.props) } as NodeData;
    if (this.graph.hasNode(key)) this.graph.replaceNodeAttributes(key, copy);
    else this.graph.addNode(key, copy);
    return key;
  }

  /**
   * Adds or replaces the edge of this type between the nodes (`discriminator` tells parallel edges
   * apart). The edges between two nodes are few, so they are searched rather than keyed: a key naming
   * type, both ends and the discriminator cost ~150 bytes per edge, a fifth of the graph.
   */
  link(type: RelationshipType, source: string, target: string, props: EdgeData['props'], discriminator = ''): void {
    const data = { type, props: copyPlain(props), discriminator } as EdgeData;
    for (const key of this.graph.outEdges(source, target)) {
      const old = this.graph.getEdgeAttributes(key);
      if (old.type === type && old.discriminator === discriminator) {
        this.graph.replaceEdgeAttributes(key, data);
        return;
      }
    }
    this.graph.addDirectedEdge(source, target, data);
  }

  /** Edges of a type leaving (`out`) or entering (`in`) a node, with the node at the other end. */
  edges<T extends RelationshipType>(node: string, direction: 'in' | 'out', type: T): Edge<T>[] {
    const out: Edge<T>[] = [];
    const visit = (key: string, data: EdgeData, source: string, target: string) => {
      if (data.type !== type) return;
      const otherKey = direction === 'out' ? target : source;
      out.push({ key, props: data.props as EdgeProps<T>, other: this.graph.getNodeAttributes(otherKey), otherKey });
    };
    if (direction === 'out') this.graph.forEachOutEdge(node, visit);
    else this.graph.forEachInEdge(node, visit);
    return out;
  }

  drop(key: string): void {
    if (this.graph.hasNode(key)) this.graph.dropNode(key);
  }
}

/**
 * A copy of a record made of primitives, arrays and plain objects (what the
 * graph's nodes and edges hold), so that the store never shares an object
 * with its caller. Several times cheaper than `structuredClone` for these.
 */
export function copyPlain<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyPlain((value as Record<string, unknown>)[key]);
  return out as T;
}
