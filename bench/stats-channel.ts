/**
 * The stdin/stdout channel through which a Node server process under benchmark reports on itself.
 *
 * Commands (one per line): `stats` → memory and event-loop delay (and stops the histogram);
 * `eld-reset` → start the event-loop delay histogram afresh; `gc` → a full collection (needs --expose-gc); `quit` → stop and
 * exit (so `--cpu-prof` writes its profile). Each command is answered with one JSON line.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';

/**
 * Event-loop delay histogram, 1 ms timer resolution (values include that 1 ms). Enabled only
 * between `eld-reset` and the next `stats`, so its timer does not wake the loop during the other
 * workloads.
 */
const histogram = monitorEventLoopDelay({ resolution: 1 });

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export function serveStats(stop: () => Promise<void>): void {
  const reply = (object: Record<string, unknown>) => process.stdout.write(JSON.stringify(object) + '\n');
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = line.trim();
    if (command === 'stats') {
      histogram.disable();
      const m = process.memoryUsage();
      reply({
        type: 'stats',
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        eld: {
          count: histogram.count,
          minMs: ms(histogram.min),
          meanMs: ms(histogram.mean),
          p50Ms: ms(histogram.percentile(50)),
          p99Ms: ms(histogram.percentile(99)),
          maxMs: ms(histogram.max),
        },
      });
    } else if (command === 'eld-reset') {
      histogram.reset();
      histogram.enable();
      reply({ type: 'eld-reset' });
    } else if (command === 'gc') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      reply({ type: 'gc', done: gc !== undefined });
    } else if (command === 'quit') {
      void stop().finally(() => {
        reply({ type: 'quit' });
        process.exit(0);
      });
    }
  });
  // The parent died: do not linger.
  lines.on('close', () => void stop().finally(() => process.exit(0)));
}
