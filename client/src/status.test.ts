/** The status bar's words for each server state and sync status, and what clicking it offers. */
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/src/protocol';
import { statusDetails, statusView, type ServerState } from './status';

describe('statusView', () => {
  const cases: [string, ServerState, SyncStatus | undefined, { text: string; tone: string; tooltip?: RegExp }][] = [
    ['no folder', 'no-folder', undefined, { text: '$(book) Knowledge', tone: 'normal', tooltip: /Open a folder/ }],
    ['starting', 'starting', undefined, { text: '$(loading~spin) Knowledge: starting', tone: 'normal' }],
    ['stopped', 'stopped', { state: 'synced', store: 'PGlite' }, { text: '$(error) Knowledge: stopped', tone: 'error', tooltip: /Click for details/ }],
    ['running, no status yet', 'running', undefined, { text: '$(book) Knowledge', tone: 'normal' }],
    ['synced', 'running', { state: 'synced', store: 'PGlite' }, { text: '$(check) Knowledge: synced', tone: 'normal', tooltip: /saved to PGlite/ }],
    ['syncing', 'running', { state: 'pending', pending: 3, store: 'PostgreSQL + Neo4j' }, { text: '$(sync~spin) Knowledge: syncing 3', tone: 'normal', tooltip: /3 changes on the way to PostgreSQL \+ Neo4j/ }],
    ['syncing one', 'running', { state: 'pending', pending: 1, store: 'PGlite' }, { text: '$(sync~spin) Knowledge: syncing 1', tone: 'normal', tooltip: /^1 change on the way/ }],
    [
      'offline with a backlog',
      'running',
      { state: 'offline', pending: 2, store: 'Neo4j', reason: 'connection refused' },
      { text: '$(cloud-offline) Knowledge: offline (2)', tone: 'warning', tooltip: /Neo4j cannot be reached: connection refused\. 2 changes will sync when it is back; checking keeps working/ },
    ],
    ['offline, nothing waiting', 'running', { state: 'offline', pending: 0, store: 'PostgreSQL', reason: 'timeout' }, { text: '$(cloud-offline) Knowledge: offline', tone: 'warning' }],
    ['disabled', 'running', { state: 'disabled', reason: 'knowledge.sync.enabled is off' }, { text: '$(circle-slash) Knowledge: sync off', tone: 'normal', tooltip: /knowledge\.sync\.enabled is off/ }],
  ];
  it.each(cases)('%s', (_, server, sync, expected) => {
    const view = statusView(server, sync);
    expect(view.text).toBe(expected.text);
    expect(view.tone).toBe(expected.tone);
    if (expected.tooltip) expect(view.tooltip).toMatch(expected.tooltip);
  });

  it('always names the product, so the item is recognisable in the status bar', () => {
    const states: ServerState[] = ['no-folder', 'starting', 'running', 'stopped'];
    for (const s of states) expect(statusView(s, { state: 'pending', pending: 5, store: 'x' }).text).toMatch(/Knowledge/);
  });
});

describe('statusDetails', () => {
  it('offers to sync, open the settings and read the log when offline', () => {
    const d = statusDetails('running', { state: 'offline', pending: 4, store: 'PostgreSQL', reason: 'ECONNREFUSED' });
    expect(d.severity).toBe('warning');
    expect(d.message).toMatch(/offline: PostgreSQL cannot be reached \(ECONNREFUSED\)\. 4 changes will sync when it is back\./);
    expect(d.message).toMatch(/local index/);
    expect(d.actions).toEqual(['Sync Now', 'Open Settings', 'Show Log']);
  });

  it('offers the log and a restart when the server stopped', () => {
    const d = statusDetails('stopped', undefined);
    expect(d.severity).toBe('error');
    expect(d.actions).toEqual(['Show Log', 'Restart Server']);
  });

  it('offers nothing to run without a folder, and "sync now" when synced', () => {
    expect(statusDetails('no-folder', undefined).actions).toEqual([]);
    expect(statusDetails('running', { state: 'synced', store: 'PGlite' }).actions).toContain('Sync Now');
  });
});
