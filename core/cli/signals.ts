/**
 * Waiting for Ctrl+C (SIGINT) or SIGTERM.
 *
 * Listen before printing "Press Ctrl+C to stop": a signal that arrives before Node listens for it
 * kills the process, and a script (or a test) that stops us as soon as it reads the banner wins
 * that race often enough to see an exit by SIGTERM instead of a clean stop.
 */

/** Starts listening now; resolves at the first SIGINT or SIGTERM. */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
