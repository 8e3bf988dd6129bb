/**
 * Generated knowledge for benchmarks: realistic sections (headings, prose
 * with values, definitions, rules, exceptions, constraints, tables).
 */

const PROVINCES = ['Quebec', 'Ontario', 'Alberta', 'British Columbia', 'Manitoba', 'Saskatchewan', 'Nova Scotia', 'New Brunswick'];

/** One section of about 22 lines, numbered so that names do not collide. */
export function section(n: number): string {
  const p = PROVINCES[n % PROVINCES.length];
  return `## Section ${n}: ${p} withdrawals

Withdrawals in ${p} above $${(5 + (n % 10)) * 1000} are withheld at ${10 + (n % 20)}% as of January 1, 2026.

- **Rate ${n}**: ${(n % 30) + 1}%
- **Threshold ${n}**: $${(n % 50) * 100 + 1000}
- **Effective Date ${n}**: 2026-01-01
- **Region ${n}**: one of Quebec, Ontario, Alberta
- IF [[Region ${n}]] = Quebec AND Amount ${n} > $5,000 THEN Withholding ${n} = 10% {warn}
  - UNLESS Status ${n} = non-resident
- IF [[Region ${n}]] = Ontario AND Amount ${n} <= $5,000 THEN Withholding ${n} = 5%
- [[Withholding ${n}]] MUST BE <= 30%
- Withdrawal ${n} REQUIRES [[Rate ${n}]], [[Threshold ${n}]]

| IF Region ${n} | IF Amount ${n} | THEN Fee ${n} |
| --- | --- | --- |
| Quebec | <= $5,000 | 5% |
| Quebec | > $5,000 | 10% |
| Ontario, Alberta | - | 7% |

See [[Rate ${n}]] and the note about ${p}.

`;
}

/** A document of at least `lines` lines. */
export function largeDocument(lines: number, offset = 0): string {
  const parts: string[] = ['---\ndomain: bench\ntitle: Generated\n---\n# Generated knowledge\n\n'];
  let count = 6;
  for (let n = offset; count < lines; n++) {
    const s = section(n);
    parts.push(s);
    count += s.split('\n').length - 1;
  }
  return parts.join('');
}
