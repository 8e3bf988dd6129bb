/**
 * Keeps passwords out of everything the extension shows or logs. The
 * language client writes the server's log and, with `knowledge.trace.server`
 * set to `verbose`, every message it sends — including the initialize
 * request and `knowledge/setSecrets`, which carry the passwords — to the
 * output channel. `RedactingOutputChannel` sits in front of that channel and
 * removes the passwords we know, password fields in JSON, and credentials in
 * URLs before anything is written. Pure: only a type import of `vscode`.
 */
import type * as vscode from 'vscode';

const MASK = '***';

/** `"neo4jPassword": "…"`, `"postgresPassword":"…"`, `"password": "…"` in JSON text (escaped quotes included). */
const JSON_PASSWORD = /("(?:postgresPassword|neo4jPassword|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
/** `scheme://user:secret@host` → `scheme://user:***@host`. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

/** `text` without any of `secrets` (also in their JSON-escaped form), password fields or URL credentials. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a password that contains another one is removed whole.
  for (const secret of [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(MASK);
  }
  return out.replace(JSON_PASSWORD, `$1"${MASK}"`).replace(URL_CREDENTIALS, `$1${MASK}@`);
}

/**
 * A log output channel that redacts what is written to it, then passes it on.
 * The language client logs through `trace`/`debug`/`info`/`warn`/`error`
 * (its tracer included) and `appendLine` (server messages without a level).
 */
export class RedactingOutputChannel implements vscode.LogOutputChannel {
  constructor(
    private readonly target: vscode.LogOutputChannel,
    /** The passwords known right now (read on every write: they change). */
    private readonly secrets: () => readonly string[],
  ) {}

  get name(): string {
    return this.target.name;
  }

  get logLevel(): vscode.LogLevel {
    return this.target.logLevel;
  }

  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.target.onDidChangeLogLevel;
  }

  /** One redacted line from a message and its arguments (formatted here, so nothing reaches the channel unredacted). */
  private line(message: string | Error, args: unknown[]): string {
    const parts = [message instanceof Error ? (message.stack ?? message.message) : message];
    for (const a of args) parts.push(a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : safeJson(a));
    return redactSecrets(parts.join(' '), this.secrets());
  }

  trace(message: string, ...args: unknown[]): void {
    this.target.trace(this.line(message, args));
  }

  debug(message: string, ...args: unknown[]): void {
    this.target.debug(this.line(message, args));
  }

  info(message: string, ...args: unknown[]): void {
    this.target.info(this.line(message, args));
  }

  warn(message: string, ...args: unknown[]): void {
    this.target.warn(this.line(message, args));
  }

  error(error: string | Error, ...args: unknown[]): void {
    this.target.error(this.line(error, args));
  }

  append(value: string): void {
    this.target.append(redactSecrets(value, this.secrets()));
  }

  appendLine(value: string): void {
    this.target.appendLine(redactSecrets(value, this.secrets()));
  }

  replace(value: string): void {
    this.target.replace(redactSecrets(value, this.secrets()));
  }

  clear(): void {
    this.target.clear();
  }

  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'boolean' || columnOrPreserveFocus === undefined) this.target.show(columnOrPreserveFocus);
    else this.target.show(columnOrPreserveFocus, preserveFocus);
  }

  hide(): void {
    this.target.hide();
  }

  dispose(): void {
    this.target.dispose();
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
