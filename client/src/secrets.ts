/**
 * The database passwords, kept in VS Code's SecretStorage (the OS keychain),
 * never in settings files, logs or the output channel. `SecretStore` caches
 * them for the language client (initialization options, redaction) and
 * tells when they change — in this window or another one — so the server
 * gets them through `knowledge/setSecrets`.
 */
import * as vscode from 'vscode';
import type { KnowledgeSecrets } from '../../shared/src/protocol';

export type SecretName = keyof KnowledgeSecrets;

/** Keys in SecretStorage. A contract: changing them loses stored passwords. */
export const SECRET_KEYS: Record<SecretName, string> = {
  postgresPassword: 'knowledge.postgres.password',
  neo4jPassword: 'knowledge.neo4j.password',
};

const LABELS: Record<SecretName, string> = { postgresPassword: 'PostgreSQL', neo4jPassword: 'Neo4j' };

export class SecretStore implements vscode.Disposable {
  private values: KnowledgeSecrets = {};
  private readonly changed = new vscode.EventEmitter<KnowledgeSecrets>();
  private readonly subscription: vscode.Disposable;
  /** Fires with every password after one of ours changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly storage: vscode.SecretStorage) {
    const ours = new Set(Object.values(SECRET_KEYS));
    this.subscription = storage.onDidChange(async (e) => {
      if (!ours.has(e.key)) return;
      await this.load();
      this.changed.fire(this.current());
    });
  }

  /** Reads every password from storage into the cache. */
  async load(): Promise<KnowledgeSecrets> {
    const next: KnowledgeSecrets = {};
    for (const name of Object.keys(SECRET_KEYS) as SecretName[]) {
      const value = await this.storage.get(SECRET_KEYS[name]);
      if (value) next[name] = value;
    }
    this.values = next;
    return this.current();
  }

  /** Every stored password (absent: none stored); a copy. */
  current(): KnowledgeSecrets {
    return { ...this.values };
  }

  /** The password texts, for redaction. */
  texts(): string[] {
    return Object.values(this.values).filter((v): v is string => typeof v === 'string' && v !== '');
  }

  /** Stores a password, or removes it when `value` is undefined. */
  async set(name: SecretName, value: string | undefined): Promise<void> {
    if (value === undefined) await this.storage.delete(SECRET_KEYS[name]);
    else await this.storage.store(SECRET_KEYS[name], value);
    // onDidChange follows; update now too so a caller that reads right away sees the new value.
    if (value === undefined) delete this.values[name];
    else this.values[name] = value;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The "Set … password" commands: a password box; empty input removes the stored password. */
export async function promptForPassword(store: SecretStore, name: SecretName): Promise<void> {
  const label = LABELS[name];
  const stored = store.current()[name] !== undefined;
  const value = await vscode.window.showInputBox({
    title: `Knowledge OS: ${label} password`,
    prompt:
      `Kept in VS Code's secret storage and handed to the Knowledge OS server; never written to settings.` +
      (stored ? ' Leave empty to remove the stored password.' : ''),
    password: true,
    ignoreFocusOut: true,
    placeHolder: stored ? '(a password is stored)' : `${label} password`,
  });
  if (value === undefined) return; // cancelled
  if (value === '' && !stored) return;
  await store.set(name, value === '' ? undefined : value);
  void vscode.window.showInformationMessage(value === '' ? `${label} password removed.` : `${label} password saved in the secret storage.`);
}
