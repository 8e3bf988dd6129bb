/**
 * Bad input (knowledge-markdown §6): the core never throws, reports what it
 * cannot read, and keeps everything else working.
 */
import { describe, expect, it } from 'vitest';
import { applyEdits, parseDocument } from './document';
import { Workspace } from './workspace';

function check(text: string, uri = 'file:///kb/domains/tax/x.md') {
  const doc = parseDocument(uri, text);
  const ws = new Workspace();
  ws.upsert(doc);
  return { doc, findings: ws.findings() };
}

describe('bad input', () => {
  it('parses a 10 MB file', () => {
    const section = (n: number) => `## Part ${n}\n\nThe rate is 10% above $5,000 as of 2026-01-01.\n\n- **Rate ${n}**: ${n % 30}%\n- IF Amount ${n} > $5,000 THEN Fee ${n} = 2%\n\n`;
    const parts: string[] = [];
    for (let n = 0, size = 0; size < 10 * 1024 * 1024; n++) {
      const s = section(n);
      parts.push(s);
      size += s.length;
    }
    const { doc, findings } = check(parts.join(''));
    expect(doc.definitions.length).toBe(parts.length);
    expect(doc.molecules.length).toBe(parts.length);
    expect(findings).toEqual([]);
  }, 300_000);

  it('handles a 1 MB line of prose and a 1 MB line that starts like a rule', () => {
    expect(check('word '.repeat(200_000)).doc.blocks).toHaveLength(1);
    const rule = check(`IF ${'A = 1 AND '.repeat(100_000)}\n`);
    expect(rule.findings.map((f) => f.code)).toEqual(['parse-error']);
  });

  it('reads a decision table with 2,000 columns', () => {
    const header = `| ${Array.from({ length: 2000 }, (_, i) => `IF C${i}`).join(' | ')} | THEN R |`;
    const text = `${header}\n|${' --- |'.repeat(2001)}\n|${' 1 |'.repeat(2000)} 5% |\n|${' 1 |'.repeat(2000)} 6% |\n`;
    const { doc, findings } = check(text);
    expect(doc.blocks.map((b) => b.type)).toEqual(['table']);
    expect(doc.molecules).toHaveLength(2);
    // Numeric inputs tested only for `= 1` leave every other amount uncovered: a gap, reported once.
    expect(findings.map((f) => f.code).sort()).toEqual(['rule-conflict', 'rule-conflict', 'table-gap']);
  });

  it('reports unbalanced front matter and keeps the rules below it', () => {
    const { doc, findings } = check('---\ndomain: tax\n\n- IF A = 1 THEN B = 2\n- IF A = 1 THEN B = 3\n');
    expect(findings.map((f) => f.code)).toEqual(['parse-error', 'rule-conflict', 'rule-conflict']);
    expect(doc.molecules).toHaveLength(2);
  });

  it('keeps names full of quotes, SQL and Cypher fragments, emoji and 4 KB verbatim', () => {
    const hostile = [`'); DROP TABLE atoms; --`, `}) DETACH DELETE n //`, `"Quoted" \`name\` O'Brien`, `Taxe 🇨🇦 québécoise`, 'N'.repeat(4096)];
    const text = hostile.map((name, i) => `- **${name}**: ${i + 1}%\n- **${name}**: ${i + 2}%\n`).join('') + `\nSee [[${hostile[0]}x]].\n`;
    const { doc, findings } = check(text);
    expect(doc.definitions.map((d) => d.name)).toEqual(hostile.flatMap((n) => [n, n]));
    const duplicates = findings.filter((f) => f.code === 'duplicate-atom');
    expect(duplicates).toHaveLength(hostile.length * 2);
    for (const name of hostile) expect(duplicates.some((f) => f.message.startsWith(`${name} is defined 2 times`))).toBe(true);
    expect(findings.find((f) => f.code === 'unknown-atom')?.message).toBe(
      `Unknown atom '${hostile[0]}x' in domain 'tax': did you mean '${hostile[0]}'?`,
    );
  });

  it('survives an edit storm of random single-character edits', () => {
    let doc = parseDocument('file:///kb/x.md', '# T\n\n- IF A = 1 THEN B = 2\n\n| IF A | THEN B |\n| --- | --- |\n| 1 | 2 |\n');
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const alphabet = ['|', '-', ' ', '\n', '#', 'IF ', 'THEN ', '[[', ']]', '`', '*', 'x', '---\n', '> '];
    for (let i = 0; i < 1000; i++) {
      const at = Math.floor(random() * (doc.text.length + 1));
      const remove = random() < 0.3 ? 1 : 0;
      doc = applyEdits(doc, [{ span: { start: at, end: Math.min(doc.text.length, at + remove) }, newText: remove ? '' : alphabet[Math.floor(random() * alphabet.length)] }]);
    }
    const full = parseDocument('file:///kb/x.md', doc.text);
    expect(doc.blocks.map((b) => [b.type, b.span])).toEqual(full.blocks.map((b) => [b.type, b.span]));
  });
});
