import { afterEach, describe, expect, it, vi } from 'vitest';

const flags: string[] = [];
vi.mock('node:v8', () => ({ setFlagsFromString: (flag: string) => flags.push(flag) }));

const { tuneGarbageCollection, whileIndexing } = await import('./heap');

afterEach(() => {
  flags.length = 0;
});

describe('the server’s V8 settings', () => {
  it('bounds heap growth and inlining unless node was given its own figures', () => {
    tuneGarbageCollection([]);
    expect(flags).toEqual(['--heap-growing-percent=60', '--max-inlined-bytecode-size-cumulative=150']);
    flags.length = 0;
    tuneGarbageCollection(['--heap-growing-percent=30', '--max_inlined_bytecode_size_cumulative=500']);
    expect(flags).toEqual([]);
  });

  it('while workers fill every core, scavenges on one thread, grows heaps less and starts workers’ old generations at 96 MB, until the last overlapping run ends', async () => {
    let endFirst!: () => void;
    const first = whileIndexing(() => new Promise<void>((resolve) => (endFirst = resolve)), true, []);
    const second = whileIndexing(async () => {
      expect(flags).toEqual(['--heap-growing-percent=40', '--no-parallel-scavenge', '--initial-old-space-size=96']);
    }, true, []);
    await second;
    expect(flags).toEqual(['--heap-growing-percent=40', '--no-parallel-scavenge', '--initial-old-space-size=96']);
    endFirst();
    await first;
    expect(flags).toEqual(['--heap-growing-percent=40', '--no-parallel-scavenge', '--initial-old-space-size=96', '--heap-growing-percent=60', '--parallel-scavenge', '--initial-old-space-size=0']);
  });

  it('with a core to spare, keeps parallel scavenges', async () => {
    await whileIndexing(async () => expect(flags).toEqual(['--heap-growing-percent=40', '--initial-old-space-size=96']), false, []);
    expect(flags).toEqual(['--heap-growing-percent=40', '--initial-old-space-size=96', '--heap-growing-percent=60', '--initial-old-space-size=0']);
  });

  it('restores the settings when the work fails, and leaves a flag given to node alone', async () => {
    await expect(whileIndexing(() => Promise.reject(new Error('worker died')), true, [])).rejects.toThrow('worker died');
    expect(flags).toEqual(['--heap-growing-percent=40', '--no-parallel-scavenge', '--initial-old-space-size=96', '--heap-growing-percent=60', '--parallel-scavenge', '--initial-old-space-size=0']);
    flags.length = 0;
    await whileIndexing(async () => undefined, true, ['--parallel-scavenge', '--heap_growing_percent=45', '--initial-old-space-size=200']);
    expect(flags).toEqual([]);
  });
});
