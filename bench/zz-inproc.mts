import fs from 'node:fs';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { FtpServer, SimpleAuthorizer, PhysicalFileSystem } from '/work/main/core/index.js';
const run = promisify(execFile);
const fileSystem = new PhysicalFileSystem({ root: '/tmp/exp/root' });
const server = new FtpServer({ authorizer: new SimpleAuthorizer({ fs: fileSystem }), host: '127.0.0.1', port: 0, maxConnections: 4000, maxConnectionsPerIp: 4000 });
const info = await server.start();
const port = String(info.port);
const kinds: Record<number, string> = { [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incr', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak' };
let gc: Record<string, { n: number; ms: number }> = {};
new PerformanceObserver((list) => { for (const e of list.getEntries()) { const k = kinds[(e as any).detail.kind] ?? 'other'; (gc[k] ??= { n: 0, ms: 0 }).n++; gc[k].ms += e.duration; } }).observe({ entryTypes: ['gc'] });
for (const step of process.argv.slice(2)) {
  gc = {};
  const cpu0 = process.cpuUsage();
  let out = '';
  if (step === 'many') out = (await run('/tmp/exp/ftpc', ['many', '127.0.0.1', port, '/many', '2000'])).stdout;
  if (step === 'list') out = (await run('/tmp/exp/ftpc', ['list', '127.0.0.1', port, '/list', 'LIST', '5'])).stdout;
  if (step === 'stor') { out = (await run('/tmp/exp/ftpc', ['stor', '127.0.0.1', port, '/up/x.bin', '1073741824', '0'])).stdout; fs.rmSync('/tmp/exp/root/up/x.bin'); }
  const c = process.cpuUsage(cpu0);
  const m = process.memoryUsage();
  console.log(step, out.trim().slice(0, 60), 'cpu', ((c.user + c.system) / 1e6).toFixed(2), 'heapTotal', (m.heapTotal / 1e6).toFixed(1), JSON.stringify(Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, `${v.n}/${v.ms.toFixed(0)}ms`]))));
}
await server.stop();
