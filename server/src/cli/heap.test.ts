import { afterEach, describe, expect, it, vi } from 'vitest';

const flags: string[] = [];
vi.mock('node:v8', () => ({ setFlagsFromString: (flag: string) => flags.push(flag) }));

const { tuneGarbageCollection, withBusyWorkers } = await import('./heap');

afterEach(() => {
  flags.length = 0;
});

describe('the server’s garbage collection', () => {
  it('bounds heap growth unless node was given its own figure', () => {
    tuneGarbageCollection([]);
    expect(flags).toEqual(['--heap-growing-percent=60']);
    flags.length = 0;
    tuneGarbageCollection(['--heap-growing-percent=30']);
    expect(flags).toEqual([]);
  });

  it('scavenges on one thread while worker runs overlap, and in parallel again once the last ends', async () => {
    let endFirst!: () => void;
    const first = withBusyWorkers(() => new Promise<void>((resolve) => (endFirst = resolve)), []);
    const second = withBusyWorkers(async () => {
      expect(flags).toEqual(['--no-parallel-scavenge']);
    }, []);
    await second;
    expect(flags).toEqual(['--no-parallel-scavenge']);
    endFirst();
    await first;
    expect(flags).toEqual(['--no-parallel-scavenge', '--parallel-scavenge']);
  });

  it('restores parallel scavenges when the work fails, and leaves a flag given to node alone', async () => {
    await expect(withBusyWorkers(() => Promise.reject(new Error('worker died')), [])).rejects.toThrow('worker died');
    expect(flags).toEqual(['--no-parallel-scavenge', '--parallel-scavenge']);
    flags.length = 0;
    await withBusyWorkers(async () => undefined, ['--parallel-scavenge']);
    expect(flags).toEqual([]);
  });
});
