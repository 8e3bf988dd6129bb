/**
 * The whole pipeline, Markdown in → findings out: for every finding code a
 * case that must fire and near misses that must not.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from './document';
import { Workspace } from './workspace';

/** Files by path (under file:///kb/); findings rendered as `path:line code severity — message`. */
function findings(files: Record<string, string>): string[] {
  const ws = new Workspace({ displayName: (uri) => uri.replace('file:///kb/', '') });
  for (const [path, text] of Object.entries(files)) ws.upsert(parseDocument(`file:///kb/${path}`, text));
  return ws
    .findings()
    .map((f) => `${f.uri.replace('file:///kb/', '')}:${f.range.start.line + 1} ${f.code} ${f.severity} — ${f.message}`);
}

/** Only the codes and places, for cases where the message is checked elsewhere. */
function codes(files: Record<string, string>): string[] {
  return findings(files).map((f) => f.split(' — ')[0]);
}

const TAX = 'domains/tax';

describe('rule-conflict', () => {
  const colleague = `- IF [[Jurisdiction]] = Quebec AND [[Withdrawal Amount]] > $5,000 THEN [[Withholding Rate]] = 15% {block}\n`;

  it('fires at both rules, across files, naming the other rule', () => {
    const found = findings({
      [`${TAX}/a.md`]: `# A\n\n- IF [[Jurisdiction]] = Quebec AND [[Withdrawal Amount]] > $10,000 THEN [[Withholding Rate]] = 10%\n`,
      [`${TAX}/b.md`]: colleague,
    });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^domains\/tax\/a\.md:3 rule-conflict error — Conflicts with the rule at domains\/tax\/b\.md:1/);
    expect(found[0]).toContain('Withdrawal Amount > $10,000');
    expect(found[1]).toMatch(/^domains\/tax\/b\.md:1 rule-conflict error — Conflicts with the rule at domains\/tax\/a\.md:3/);
  });

  it('reports related information pointing at the other rule', () => {
    const ws = new Workspace();
    ws.upsert(parseDocument(`file:///kb/${TAX}/a.md`, `- IF Jurisdiction = Quebec THEN Rate = 10%\n`));
    ws.upsert(parseDocument(`file:///kb/${TAX}/b.md`, `\n\n- IF Jurisdiction = Quebec THEN Rate = 12%\n`));
    const [a] = ws.findingsFor(`file:///kb/${TAX}/a.md`);
    expect(a.related).toEqual([{ location: { uri: `file:///kb/${TAX}/b.md`, range: { start: { line: 2, character: 2 }, end: { line: 2, character: 42 } } }, message: expect.any(String) }]);
  });

  it('does not fire on touching intervals', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- IF Amount <= $5,000 THEN Rate = 10%\n- IF Amount > $5,000 THEN Rate = 20%\n`,
      }),
    ).toEqual([]);
  });

  it('fires on closed bounds that meet (both include $5,000)', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- IF Amount <= $5,000 THEN Rate = 10%\n- IF Amount >= $5,000 THEN Rate = 20%\n`,
      }),
    ).toEqual([`${TAX}/a.md:1 rule-conflict warning`, `${TAX}/a.md:2 rule-conflict warning`]);
  });

  it('does not fire when an exception covers the whole overlap', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- IF Jurisdiction = Quebec THEN Rate = 10%\n  - UNLESS Status = non-resident\n- IF Jurisdiction = Quebec AND Status = non-resident THEN Rate = 25%\n`,
      }),
    ).toEqual([]);
  });

  it('fires when the exception covers only part of the overlap', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- IF Jurisdiction = Quebec THEN Rate = 10% UNLESS Amount > $15,000\n- IF Jurisdiction = Quebec AND Amount > $5,000 THEN Rate = 25%\n`,
      }),
    ).toEqual([`${TAX}/a.md:1 rule-conflict warning`, `${TAX}/a.md:2 rule-conflict warning`]);
  });

  it('does not fire across domains, even with the same names', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- IF Jurisdiction = Quebec THEN Rate = 10%\n`,
        'domains/payroll/a.md': `- IF Jurisdiction = Quebec THEN Rate = 12%\n`,
      }),
    ).toEqual([]);
  });

  it('fires between decision-table rows and list rules', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `| IF Jurisdiction | THEN Rate |\n| --- | --- |\n| Quebec | 5% |\n| Ontario | 10% |\n\n- IF Jurisdiction IN (Quebec, Alberta) THEN Rate = 7%\n`,
      }),
    ).toEqual([`${TAX}/a.md:3 rule-conflict warning`, `${TAX}/a.md:6 rule-conflict warning`]);
  });
});

describe('duplicate-atom', () => {
  it('fires at both definitions with different values', () => {
    expect(
      findings({ [`${TAX}/a.md`]: `- **Quebec Rate**: 14%\n`, [`${TAX}/b.md`]: `- **quebec  rate**: 15%\n` }),
    ).toEqual([
      `${TAX}/a.md:1 duplicate-atom warning — Quebec Rate is defined 2 times in domain 'tax' with different values: 14% here, 15% at ${TAX}/b.md:1`,
      `${TAX}/b.md:1 duplicate-atom warning — quebec  rate is defined 2 times in domain 'tax' with different values: 15% here, 14% at ${TAX}/a.md:1`,
    ]);
  });

  it('does not fire on equal values defined twice, or on the same name in two domains', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- **Quebec Rate**: 14%\n`,
        [`${TAX}/b.md`]: `**Quebec Rate**: 14 %\n`,
        'domains/payroll/c.md': `- **Quebec Rate**: 9%\n`,
      }),
    ).toEqual([]);
  });
});

describe('constraint-violation', () => {
  const limit = `- [[Withholding Rate]] MUST BE <= 30% {block}\n`;

  it('fires at a definition, a rule result and a table output above the limit', () => {
    expect(
      codes({
        [`${TAX}/limits.md`]: limit,
        [`${TAX}/a.md`]: `- **Withholding Rate**: 35%\n- IF Status = non-resident THEN Withholding Rate = 31%\n\n| IF Status | THEN Withholding Rate |\n| --- | --- |\n| resident | 40% |\n`,
      }),
    ).toEqual([`${TAX}/a.md:1 constraint-violation error`, `${TAX}/a.md:2 constraint-violation error`, `${TAX}/a.md:6 constraint-violation error`]);
  });

  it('does not fire exactly at the bound', () => {
    expect(codes({ [`${TAX}/limits.md`]: limit, [`${TAX}/a.md`]: `- **Withholding Rate**: 30%\n` })).toEqual([]);
  });

  it('fires at a value outside an input’s one-of list, with a suggestion', () => {
    const found = findings({
      [`${TAX}/a.md`]: `- **Jurisdiction**: one of Quebec, Ontario, Alberta\n- IF Jurisdiction = Quebek THEN Rate = 10%\n`,
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^domains\/tax\/a\.md:2 constraint-violation warning — "Quebek" is not one of Jurisdiction's values/);
    expect(found[0]).toContain('Quebec');
  });
});

describe('requires-missing', () => {
  it('fires for a required atom nobody defines or sets', () => {
    expect(findings({ [`${TAX}/a.md`]: `- [[Lump-Sum Withdrawal]] REQUIRES [[SIN]], [[Form T4RSP]]\n- **SIN**: yes\n` })).toEqual([
      `${TAX}/a.md:1 requires-missing warning — Lump-Sum Withdrawal requires 'Form T4RSP', which is neither defined nor set by any rule in domain 'tax'`,
    ]);
  });

  it('does not fire when a rule sets the required atom, and never adds unknown-atom for it', () => {
    expect(
      codes({ [`${TAX}/a.md`]: `- Withdrawal REQUIRES [[Form T4RSP]]\n- IF Amount > 0 THEN Form T4RSP = yes\n` }),
    ).toEqual([]);
  });
});

describe('requires-cycle', () => {
  it('fires at every rule of a REQUIRES cycle, listing the cycle', () => {
    const found = findings({ [`${TAX}/a.md`]: `- Approval REQUIRES Verification {block}\n- Verification REQUIRES Approval\n` });
    expect(found).toEqual([
      `${TAX}/a.md:1 requires-cycle error — Dependency cycle: Approval → Verification → Approval (here: Approval requires Verification)`,
      `${TAX}/a.md:2 requires-cycle error — Dependency cycle: Approval → Verification → Approval (here: Verification requires Approval)`,
    ]);
  });

  it('fires on a cycle through rule results', () => {
    expect(
      codes({ [`${TAX}/a.md`]: `- Payout REQUIRES Approval\n- IF Payout = yes THEN Approval = granted\n` }),
    ).toEqual([`${TAX}/a.md:1 requires-cycle warning`, `${TAX}/a.md:2 requires-cycle warning`]);
  });

  it('finds a cycle with chains hanging off it, and a rule that depends on itself', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- D REQUIRES A\n- A REQUIRES B, C\n- B REQUIRES A\n- **C**: yes\n- IF Limit > 5 THEN Limit = 5\n`,
      }),
    ).toEqual([`${TAX}/a.md:2 requires-cycle warning`, `${TAX}/a.md:3 requires-cycle warning`, `${TAX}/a.md:5 requires-cycle warning`]);
  });

  it('does not fire on a chain', () => {
    expect(codes({ [`${TAX}/a.md`]: `- A REQUIRES B\n- B REQUIRES C\n- **C**: yes\n` })).toEqual([]);
  });
});

describe('unknown-atom', () => {
  it('fires with a did-you-mean for a near miss', () => {
    expect(findings({ [`${TAX}/a.md`]: `- **Withholding Rate**: 10%\n\nSee [[Witholding Rate]].\n` })).toEqual([
      `${TAX}/a.md:3 unknown-atom warning — Unknown atom 'Witholding Rate' in domain 'tax': did you mean 'Withholding Rate'?`,
    ]);
  });

  it('knows names used as a rule’s subject or target, in any file of the domain', () => {
    expect(
      codes({ [`${TAX}/a.md`]: `- IF Jurisdiction = Quebec THEN Rate = 10%\n`, [`${TAX}/b.md`]: `See [[jurisdiction]] and [[RATE]].\n` }),
    ).toEqual([]);
  });

  it('does not look into other domains', () => {
    expect(codes({ [`${TAX}/a.md`]: `- **Rate**: 10%\n`, 'domains/payroll/b.md': `See [[Rate]].\n` })).toEqual([
      'domains/payroll/b.md:1 unknown-atom warning',
    ]);
  });
});

describe('orphan-exception', () => {
  it('fires at an UNLESS with no rule, and at one that can never apply', () => {
    expect(
      codes({
        [`${TAX}/a.md`]: `- UNLESS Status = non-resident\n- IF Amount > $15,000 THEN Rate = 30%\n  - UNLESS Amount < $1,000\n`,
      }),
    ).toEqual([`${TAX}/a.md:1 orphan-exception warning`, `${TAX}/a.md:3 orphan-exception warning`]);
  });

  it('does not fire at an exception that narrows its rule', () => {
    expect(codes({ [`${TAX}/a.md`]: `- IF Amount > $15,000 THEN Rate = 30%\n  - UNLESS Status = non-resident\n` })).toEqual([]);
  });
});

describe('redundant-rule', () => {
  it('fires (inform) at a rule fully covered by another with the same result', () => {
    expect(
      codes({ [`${TAX}/a.md`]: `- IF Status = non-resident THEN Rate = 25%\n- IF Status = non-resident AND Amount > $100 THEN Rate = 25%\n` }),
    ).toEqual([`${TAX}/a.md:2 redundant-rule information`]);
  });

  it('does not fire when the narrower rule has another result (that is a conflict)', () => {
    expect(
      codes({ [`${TAX}/a.md`]: `- IF Status = non-resident THEN Rate = 25%\n- IF Status = non-resident AND Amount > $100 THEN Rate = 20%\n` }),
    ).toEqual([`${TAX}/a.md:1 rule-conflict warning`, `${TAX}/a.md:2 rule-conflict warning`]);
  });
});

describe('table-gap', () => {
  const table = (rows: string) =>
    `- **Jurisdiction**: one of Quebec, Ontario, Alberta\n\n| IF Jurisdiction | IF Amount | THEN Rate |\n| --- | --- | --- |\n${rows}`;

  it('fires (inform) at a combination no row covers', () => {
    expect(findings({ [`${TAX}/a.md`]: table('| Quebec | <= $5,000 | 5% |\n| Quebec | > $5,000 | 10% |\n| Ontario | - | 10% |\n') })).toEqual([
      `${TAX}/a.md:5 table-gap information — No row covers: Jurisdiction = Alberta`,
    ]);
  });

  it('does not fire at a complete table, or one over a text input without a one-of list', () => {
    expect(codes({ [`${TAX}/a.md`]: table('| Quebec | <= $5,000 | 5% |\n| Quebec | > $5,000 | 10% |\n| Ontario, Alberta | - | 10% |\n') })).toEqual([]);
    expect(codes({ [`${TAX}/b.md`]: `| IF Province | THEN Rate |\n| --- | --- |\n| Quebec | 5% |\n` })).toEqual([]);
  });
});

describe('parse-error', () => {
  it('fires at a rule keyword line that cannot be parsed, saying what was expected', () => {
    expect(findings({ [`${TAX}/a.md`]: `- IF Jurisdiction = Quebec Rate = 10%\n` })).toEqual([`${TAX}/a.md:1 parse-error warning — expected THEN after the condition`]);
  });

  it('is an error when the line says {block}', () => {
    expect(codes({ [`${TAX}/a.md`]: `IF Amount > THEN Rate = 1% {block}\n` })).toEqual([`${TAX}/a.md:1 parse-error error`]);
  });

  it('leaves prose with a lower-case or capitalised "if" alone', () => {
    expect(codes({ [`${TAX}/a.md`]: `if the amount is large, call us.\n\nIf the amount is large, THEN call us.\n` })).toEqual([]);
  });
});

describe('the workspace index', () => {
  it('drops a removed document’s findings and re-checks its domain', () => {
    const ws = new Workspace();
    ws.upsert(parseDocument(`file:///kb/${TAX}/a.md`, `- IF A = 1 THEN B = 2\n`));
    ws.upsert(parseDocument(`file:///kb/${TAX}/b.md`, `- IF A = 1 THEN B = 3\n`));
    expect(ws.findings()).toHaveLength(2);
    ws.remove(`file:///kb/${TAX}/b.md`);
    expect(ws.findings()).toEqual([]);
    expect(ws.findingsFor(`file:///kb/${TAX}/b.md`)).toEqual([]);
  });

  it('moves a document between domains when its front matter changes', () => {
    const ws = new Workspace();
    ws.upsert(parseDocument('file:///kb/a.md', `---\ndomain: tax\n---\n- IF A = 1 THEN B = 2\n`));
    ws.upsert(parseDocument('file:///kb/b.md', `---\ndomain: tax\n---\n- IF A = 1 THEN B = 3\n`));
    expect(ws.findings()).toHaveLength(2);
    ws.upsert(parseDocument('file:///kb/b.md', `---\ndomain: payroll\n---\n- IF A = 1 THEN B = 3\n`));
    expect(ws.findings()).toEqual([]);
    expect(ws.domainNames()).toEqual(['payroll', 'tax']);
  });

  it('re-checks a rule that comes back after a definition it reads changed while it was away', () => {
    const uri = (name: string) => `file:///kb/${TAX}/${name}.md`;
    const home = (place: string) => parseDocument(uri('inputs'), `- **Home**: ${place}\n- **Region**: one of Quebec, Ontario\n`);
    const rules = parseDocument(uri('rules'), `- IF [[Region]] = [[Home]] THEN [[Rate]] = 5%\n`);
    const ws = new Workspace();
    ws.upsert(home('Quebec'));
    ws.upsert(rules);
    expect(ws.findings()).toEqual([]);
    // The rule goes away (say, its editor reverts to another version), Home changes meanwhile, and the
    // very same snapshot comes back: its memoised checks must not answer with the old Home.
    ws.upsert(parseDocument(uri('rules'), `# No rules here\n`));
    expect(ws.findings()).toEqual([]);
    ws.upsert(home('Alberta'));
    expect(ws.findings()).toEqual([]);
    ws.upsert(rules);
    const fresh = new Workspace();
    fresh.upsert(home('Alberta'));
    fresh.upsert(rules);
    expect(fresh.findings()).not.toEqual([]);
    expect(ws.findings()).toEqual(fresh.findings());
  });
});
