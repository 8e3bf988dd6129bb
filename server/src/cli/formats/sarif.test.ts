import type { Log } from 'sarif';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINDING_CODE_LIST } from '../../core/codes';
import { KOS_VERSION } from '../meta';
import { CWD, sampleFindings } from '../testing';
import { formatSarif } from './sarif';

const log = (): Log => JSON.parse(formatSarif(sampleFindings(), { cwd: CWD, files: 3, skipped: 0, color: false }));

describe('formatSarif', () => {
  it('is a SARIF 2.1.0 log with one run by kos', () => {
    const { $schema, version, runs } = log();
    expect($schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(version).toBe('2.1.0');
    expect(runs).toHaveLength(1);
    const { driver } = runs[0].tool;
    expect(driver.name).toBe('kos');
    expect(driver.version).toBe(KOS_VERSION);
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(runs[0].originalUriBaseIds?.['%SRCROOT%'].uri).toBe(pathToFileURL(CWD).href.replace(/\/?$/, '/'));
  });

  it('describes every finding code as a rule', () => {
    const rules = log().runs[0].tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(FINDING_CODE_LIST);
    for (const rule of rules) {
      expect(rule.shortDescription?.text).toBeTruthy();
      expect(rule.fullDescription?.text).toBeTruthy();
      expect(rule.help?.text).toBeTruthy();
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration?.level);
    }
    expect(rules.find((r) => r.id === 'table-gap')?.defaultConfiguration?.level).toBe('note');
  });

  it('reports each finding with its rule, level, message and 1-based region', () => {
    const results = log().runs[0].results ?? [];
    expect(results.map((r) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['rule-conflict', FINDING_CODE_LIST.indexOf('rule-conflict'), 'error'],
      ['redundant-rule', FINDING_CODE_LIST.indexOf('redundant-rule'), 'note'],
      ['unknown-atom', FINDING_CODE_LIST.indexOf('unknown-atom'), 'warning'],
    ]);
    const [conflict] = results;
    expect(conflict.message.text).toBe('Sets [[Bonus]] to 10%, but the rule at docs/tax.md:2 sets it to 5%');
    expect(conflict.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'docs/pay.md', uriBaseId: '%SRCROOT%' },
          region: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 31 },
        },
      },
    ]);
    expect(conflict.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: {
          artifactLocation: { uri: 'docs/tax.md', uriBaseId: '%SRCROOT%' },
          region: { startLine: 2, startColumn: 5, endLine: 2, endColumn: 21 },
        },
        message: { text: 'sets [[Bonus]] to 5%' },
      },
    ]);
  });

  it('maps hints to notes', () => {
    const [finding] = sampleFindings();
    const out: Log = JSON.parse(
      formatSarif([{ ...finding, severity: 'hint' }], { cwd: CWD, files: 1, skipped: 0, color: false }),
    );
    expect(out.runs[0].results?.[0].level).toBe('note');
  });

  it('fingerprints findings stably: same code, file and message give the same hash wherever they are', () => {
    const results = log().runs[0].results ?? [];
    const fingerprints = results.map((r) => r.partialFingerprints?.['kosFinding/v1']);
    expect(new Set(fingerprints).size).toBe(results.length);
    for (const fingerprint of fingerprints) expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);

    const [finding] = sampleFindings();
    const moved = { ...finding, range: { start: { line: 40, character: 0 }, end: { line: 40, character: 3 } } };
    const again: Log = JSON.parse(formatSarif([moved], { cwd: CWD, files: 1, skipped: 0, color: false }));
    expect(again.runs[0].results?.[0].partialFingerprints).toEqual(
      results.find((r) => r.ruleId === 'unknown-atom')?.partialFingerprints,
    );
  });
});
