import { describe, expect, it } from 'vitest';
import { parseCheckArgs } from './args';

describe('parseCheckArgs', () => {
  it('defaults to the current directory, text, progress on and the given job count', () => {
    expect(parseCheckArgs([], 4)).toEqual({ paths: ['.'], format: 'text', tenant: undefined, progress: true, jobs: 4 });
  });

  it('reads every option, in both --name value and --name=value forms', () => {
    expect(
      parseCheckArgs(['docs', '--format', 'sarif', '--tenant=acme', '--no-progress', '--jobs', '3', 'rules/a.md'], 4),
    ).toEqual({ paths: ['docs', 'rules/a.md'], format: 'sarif', tenant: 'acme', progress: false, jobs: 3 });
    expect(parseCheckArgs(['--format=json'], 1)).toMatchObject({ format: 'json' });
  });

  it('takes arguments after -- as paths', () => {
    expect(parseCheckArgs(['--', '--odd-name.md'], 1)).toMatchObject({ paths: ['--odd-name.md'] });
  });

  it.each([
    [['--verbose'], /Unknown option '--verbose'/],
    [['--format', 'xml'], /unknown format 'xml' \(expected text, json, sarif\)/],
    [['--format'], /argument missing/],
    [['--jobs', '0'], /--jobs must be a positive whole number, not '0'/],
    [['--jobs', 'many'], /--jobs must be a positive whole number, not 'many'/],
    [['--jobs', '1.5'], /positive whole number/],
    [['--tenant', ' '], /--tenant needs a name/],
    [['--no-progress=yes'], /does not take an argument/],
  ])('rejects %j', (args, message) => {
    const result = parseCheckArgs(args, 1);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toMatch(message);
  });
});
