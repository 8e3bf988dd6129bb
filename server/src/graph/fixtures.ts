/** Test knowledge for the graph tests: the bundled example, a rule chain, cycles, hostile names. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '../core/document';
import { normalizeName } from '../core/model';
import { atomId } from '../persistence/ids';
import { toGraph, type DocumentGraph } from './model';

const TAX = fileURLToPath(new URL('../../../examples/rrsp/domains/tax/', import.meta.url));

/** The example's tax documents (`examples/rrsp/domains/tax/*.md`), parsed. */
export function taxExample(tenant: string): DocumentGraph[] {
  return readdirSync(TAX)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => toGraph(tenant, parseDocument(`file:///kb/domains/tax/${f}`, readFileSync(TAX + f, 'utf8'))));
}

export function markdown(tenant: string, name: string, text: string, domain = 'test'): DocumentGraph {
  return toGraph(tenant, parseDocument(`file:///kb/domains/${domain}/${name}.md`, text));
}

/** A → rule1 → B → rule2 → C → rule3 (second document) → D ← E REQUIRES; F in an exception of rule1. */
export function chain(tenant: string): DocumentGraph[] {
  return [
    markdown(tenant, 'chain-1', '# Chain\n\n- IF [[A]] > 1 THEN [[B]] = 2\n  - UNLESS [[F]] = yes\n- IF [[B]] > 1 THEN [[C]] = 3\n'),
    markdown(tenant, 'chain-2', '# Chain, part two\n\n- IF [[C]] > 1 THEN [[D]] = 4\n- [[E]] REQUIRES [[D]]\n'),
  ];
}

/** X ⇄ Y through two rules, P ⇄ Q through two REQUIRES, and Z outside any cycle. */
export function cyclic(tenant: string, domain = 'test'): DocumentGraph {
  return markdown(
    tenant,
    'cycles',
    '# Cycles\n\n- IF [[X]] > 1 THEN [[Y]] = 1\n- IF [[Y]] > 1 THEN [[X]] = 2\n- [[P]] REQUIRES [[Q]]\n- [[Q]] REQUIRES [[P]]\n- IF [[X]] > 5 THEN [[Z]] = 1\n',
    domain,
  );
}

export const HOSTILE_NAMES = [
  `O'Brien "the" \`Rate\``,
  `'); DROP TABLE atoms; --`,
  `}) DETACH DELETE n //`,
  '$tenantId \\u0000 ${x} {{y}}',
  'Taux 🇨🇦 québécois 🚀 ∑ 中文',
  'L'.repeat(4096),
];

/** A document defining and using every hostile name. */
export function hostile(tenant: string): DocumentGraph {
  const defs = HOSTILE_NAMES.map((n, i) => `- **${n}**: ${i + 1}%`).join('\n');
  const rules = HOSTILE_NAMES.map((n, i) => `- IF [[${n}]] > 1% THEN [[${HOSTILE_NAMES[(i + 1) % HOSTILE_NAMES.length]}]] = 2%`).join('\n');
  return markdown(tenant, `hostile '"}) DETACH DELETE n //`, `---\ntitle: "'); MATCH (n) DETACH DELETE n //"\n---\n\n${defs}\n\n${rules}\n`);
}

export function atom(tenant: string, name: string, domain = 'test'): string {
  return atomId(tenant, domain, normalizeName(name));
}
