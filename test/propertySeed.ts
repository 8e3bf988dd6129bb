/**
 * Property tests run from a fixed seed, so that a run is repeatable and CI
 * passes or fails on the code, not on the draw. `KOS_PROPERTY_SEED=random`
 * draws a new seed per test (to explore; a failure prints its seed and
 * path), a number replays one.
 */
import fc from 'fast-check';

const setting = process.env.KOS_PROPERTY_SEED ?? '20261203';
if (setting !== 'random') {
  const seed = Number(setting);
  if (!Number.isSafeInteger(seed)) throw new Error(`KOS_PROPERTY_SEED must be an integer or "random", not ${JSON.stringify(setting)}`);
  fc.configureGlobal({ seed });
}
