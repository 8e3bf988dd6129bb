/** Passwords never reach the output channel: known values, JSON password fields and URL credentials are masked. */
import type * as vscode from 'vscode';
import { describe, expect, it } from 'vitest';
import { RedactingOutputChannel, redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('masks every known password, also where JSON escaped it', () => {
    const secrets = ['s3cr"et', 'hunter2'];
    const text = `initialize {"secrets":{"neo4jPassword":"s3cr\\"et"}} then hunter2 and s3cr"et`;
    const out = redactSecrets(text, secrets);
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('s3cr');
    expect(out).toContain('***');
  });

  it('masks password fields of the protocol even when the value is not known yet', () => {
    const params = JSON.stringify({ postgresPassword: 'pg-new', neo4jPassword: 'neo-new', other: 'kept' });
    const out = redactSecrets(`Params: ${params}`, []);
    expect(out).toBe('Params: {"postgresPassword":"***","neo4jPassword":"***","other":"kept"}');
    expect(redactSecrets('{ "password" : "x\\"y" }', [])).toBe('{ "password" : "***" }');
  });

  it('masks the password of a URL and keeps the rest', () => {
    expect(redactSecrets('connecting to postgres://kos:pa55@db:5432/k failed', [])).toBe('connecting to postgres://kos:***@db:5432/k failed');
    expect(redactSecrets('neo4j://graph:7687 and http://host/a:b@c', [])).toBe('neo4j://graph:7687 and http://host/a:b@c');
  });

  it('removes a password that contains another one whole', () => {
    expect(redactSecrets('abc abcdef', ['abc', 'abcdef'])).toBe('*** ***');
  });

  it('leaves text without secrets alone', () => {
    expect(redactSecrets('indexed 12 files', ['nothing-here'])).toBe('indexed 12 files');
  });
});

describe('RedactingOutputChannel', () => {
  function fakeChannel() {
    const written: string[] = [];
    const channel = {
      name: 'Knowledge OS',
      logLevel: 1,
      onDidChangeLogLevel: () => ({ dispose() {} }),
      trace: (m: string) => written.push(`trace ${m}`),
      debug: (m: string) => written.push(`debug ${m}`),
      info: (m: string) => written.push(`info ${m}`),
      warn: (m: string) => written.push(`warn ${m}`),
      error: (m: string | Error) => written.push(`error ${String(m)}`),
      append: (m: string) => written.push(`append ${m}`),
      appendLine: (m: string) => written.push(`line ${m}`),
      replace: (m: string) => written.push(`replace ${m}`),
      clear: () => undefined,
      show: () => undefined,
      hide: () => undefined,
      dispose: () => undefined,
    };
    return { channel: channel as unknown as vscode.LogOutputChannel, written };
  }

  it('redacts every way of writing, with the passwords known at the time of writing', () => {
    const { channel, written } = fakeChannel();
    let secrets = ['first'];
    const out = new RedactingOutputChannel(channel, () => secrets);
    out.info('a first b');
    secrets = ['second'];
    out.trace("Sending notification 'knowledge/setSecrets'.", { neo4jPassword: 'second' });
    out.appendLine('x second y');
    out.append('second');
    out.replace('second');
    out.warn('w', 'second');
    out.error(new Error('failed with second'));
    out.debug('d second');
    expect(written).toHaveLength(8);
    for (const line of written) expect(line).not.toMatch(/first|second/);
    expect(written[1]).toBe(`trace Sending notification 'knowledge/setSecrets'. {"neo4jPassword":"***"}`);
    expect(out.name).toBe('Knowledge OS');
  });
});
