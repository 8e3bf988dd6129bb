import { describe, expect, it } from 'vitest';
import { timeOrderedIds } from './ids';

describe('timeOrderedIds', () => {
  it('makes distinct version-7 UUIDs that sort by their time', () => {
    const early = timeOrderedIds(500, Date.UTC(2026, 0, 1));
    const late = timeOrderedIds(500, Date.UTC(2026, 0, 1) + 1);
    for (const id of [...early, ...late]) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set([...early, ...late]).size).toBe(1000);
    // The first 48 bits are the time in milliseconds: every later id sorts after every earlier one.
    expect(early[0].slice(0, 13)).toBe(`${Date.UTC(2026, 0, 1).toString(16).padStart(12, '0').slice(0, 8)}-${Date.UTC(2026, 0, 1).toString(16).padStart(12, '0').slice(8)}`);
    expect([...early].sort().at(-1)! < [...late].sort()[0]).toBe(true);
  });
});
