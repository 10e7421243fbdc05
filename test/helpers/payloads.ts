/**
 * Test data: seeded (reproducible) bytes and numbers, and random bytes.
 */
import { randomBytes } from 'node:crypto';

/** Deterministic pseudo-random bytes (a seeded xorshift), so a failure is reproducible. */
export function pseudoRandomBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A deterministic PRNG (mulberry32) in [0, 1), for reproducible random choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random bytes, so a truncated or reordered transfer can't compare equal. */
export function randomPayload(size: number): Buffer {
  return randomBytes(size);
}
