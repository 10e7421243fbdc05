/**
 * Bounded waiting: polling a condition, sleeping, and one event of an emitter.
 */
import type { EventEmitter } from 'node:events';

/**
 * Polls `check` every 20 ms until it returns a truthy value and resolves with that value; fails
 * with "timed out waiting for WHAT" after `timeoutMs`. `what` may be a function, for a message
 * that shows the state at the time of the failure.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string | (() => string), timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(20);
  }
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves on the emitter's next `event`; rejects on 'error', on 'close' before it, or after
 * `timeoutMs`.
 */
export function onceEvent(emitter: EventEmitter, event: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${event}`)), timeoutMs);
    const done = (err?: Error): void => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      emitter.off('error', onError);
      emitter.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onEvent = (): void => done();
    const onError = (err: Error): void => done(err);
    const onClose = (): void => done(new Error(`closed before ${event}`));
    emitter.once(event, onEvent);
    emitter.once('error', onError);
    emitter.once('close', onClose);
  });
}
