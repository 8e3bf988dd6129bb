/**
 * Settings pulled from the client per resource through
 * `workspace/configuration`, cached per URI, and cleared when the client says
 * they changed. Clients that cannot be asked get the defaults (and whatever
 * `initializationOptions.settings` carried).
 */
import type { Connection } from 'vscode-languageserver/node';
import { SETTINGS_SECTION, type KnowledgeSettings } from '../../../shared/src/protocol';

export interface ResolvedSettings {
  tenant: string;
  postgresUrl: string | null;
  neo4jUrl: string | null;
  neo4jUser: string | null;
  impactDepth: number;
  debounceMs: number;
  syncEnabled: boolean;
}

export const DEFAULT_SETTINGS: ResolvedSettings = {
  tenant: 'default',
  postgresUrl: null,
  neo4jUrl: null,
  neo4jUser: null,
  impactDepth: 3,
  debounceMs: 500,
  syncEnabled: true,
};

export class Settings {
  private readonly cache = new Map<string, Promise<ResolvedSettings>>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly canAsk: () => boolean,
    /** Settings given at start (initializationOptions.settings, the environment): the base under the client's. */
    private base: KnowledgeSettings = {},
  ) {}

  /** The settings for a resource (a document URI), or for the workspace when `uri` is undefined. */
  for(uri?: string): Promise<ResolvedSettings> {
    const key = uri ?? '';
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.fetch(uri);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** Forget everything cached (the client said settings changed) and tell the listeners. */
  changed(pushed?: unknown): void {
    const section = (pushed as { settings?: Record<string, unknown> } | undefined)?.settings?.[SETTINGS_SECTION];
    if (!this.canAsk() && section && typeof section === 'object') this.base = { ...this.base, ...(section as KnowledgeSettings) };
    this.cache.clear();
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async fetch(uri: string | undefined): Promise<ResolvedSettings> {
    let fromClient: KnowledgeSettings = {};
    if (this.canAsk()) {
      try {
        const answer: unknown = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION });
        if (answer && typeof answer === 'object') fromClient = answer as KnowledgeSettings;
      } catch {
        // A client that fails to answer gets the defaults, not a stuck server.
      }
    }
    return resolveSettings(this.base, fromClient);
  }
}

/** Client settings over the base, each value checked; a bad value falls back to the default. */
export function resolveSettings(base: KnowledgeSettings, over: KnowledgeSettings): ResolvedSettings {
  const pick = <T>(read: (s: KnowledgeSettings) => unknown, valid: (v: unknown) => v is T, fallback: T): T => {
    const a = safe(() => read(over));
    if (valid(a)) return a;
    const b = safe(() => read(base));
    return valid(b) ? b : fallback;
  };
  const text = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
  const depth = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 10;
  const ms = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 60_000;
  const bool = (v: unknown): v is boolean => typeof v === 'boolean';
  const d = DEFAULT_SETTINGS;
  return {
    tenant: pick((s) => s.tenant?.trim(), text, d.tenant),
    postgresUrl: pick<string | null>((s) => s.postgres?.url?.trim(), text, d.postgresUrl),
    neo4jUrl: pick<string | null>((s) => s.neo4j?.url?.trim(), text, d.neo4jUrl),
    neo4jUser: pick<string | null>((s) => s.neo4j?.user?.trim(), text, d.neo4jUser),
    impactDepth: pick((s) => s.impact?.depth, depth, d.impactDepth),
    debounceMs: pick((s) => s.sync?.debounceMs, ms, d.debounceMs),
    syncEnabled: pick((s) => s.sync?.enabled, bool, d.syncEnabled),
  };
}

function safe(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Settings from the environment (the same variables as the command line), for editors that send none. */
export function settingsFromEnv(env: Record<string, string | undefined>): KnowledgeSettings {
  const v = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  return {
    tenant: v('KNOWLEDGE_TENANT'),
    postgres: { url: v('KNOWLEDGE_POSTGRES_URL') },
    neo4j: { url: v('KNOWLEDGE_NEO4J_URL'), user: v('KNOWLEDGE_NEO4J_USER') },
  };
}
