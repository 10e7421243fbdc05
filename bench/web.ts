/**
 * The web page against nginx from Debian, same client (curl), same files, same run:
 *
 *   npm run bench:web [-- --reps N]
 *
 * Rows: one 1 GiB file downloaded, 2,000 × 4 KiB files over one keep-alive connection, a
 * 10,000-entry folder page (nginx's autoindex), one 1 GiB upload (PUT; nginx's DAV module), and
 * our own FTP RETR/STOR of the same file with the same client for reference. Files are sparse, so
 * the figures measure the servers, not the disk.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { JsonLines, spawnTracked, stopAll, killAllNow } from './lib/process.js';
import { median } from './lib/report.js';
import { generateCertificate } from '../core/tls/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({ options: { reps: { type: 'string', default: '3' } } });
const reps = Math.max(1, Number(flags.reps));
const GiB = 1024 ** 3;
const SMALL_FILES = 2000;
const PAGE_ENTRIES = 10_000;

function curl(args: string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // -f: an HTTP error is a failure, never a fast figure.
    execFile('curl', ['-sSf', ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`curl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

async function makeTree(root: string): Promise<void> {
  await fs.mkdir(path.join(root, 'small'), { recursive: true });
  await fs.mkdir(path.join(root, 'page'), { recursive: true });
  const big = await fs.open(path.join(root, 'big.bin'), 'w');
  await big.truncate(GiB);
  await big.close();
  const chunk = Buffer.alloc(4096, 7);
  for (let i = 0; i < SMALL_FILES; i++) await fs.writeFile(path.join(root, 'small', `f${i}.bin`), chunk);
  for (let i = 0; i < PAGE_ENTRIES; i++) await fs.writeFile(path.join(root, 'page', `entry-${String(i).padStart(5, '0')}.txt`), '');
}

async function startOurs(root: string, script: string, extra: string[] = []): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', path.join(repo, 'bench', script), root, ...extra], { cwd: repo });
  const lines = new JsonLines(child);
  const listening = await lines.next((o) => o['type'] === 'listening', 30_000, `${script} listening`);
  return {
    port: Number(listening['port']),
    stop: async () => {
      child.stdin!.write('quit\n');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function startNginx(root: string, work: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = 20000 + (process.pid % 20000);
  const conf = path.join(work, 'nginx.conf');
  await fs.mkdir(path.join(work, 'body'), { recursive: true });
  await fs.writeFile(
    conf,
    // Workers run as root when we do: the temporary folder is ours alone (mode 0700).
    `daemon off; worker_processes 2; ${process.getuid?.() === 0 ? 'user root;' : ''} pid ${work}/nginx.pid; error_log ${work}/error.log;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  client_body_temp_path ${work}/body; proxy_temp_path ${work}/body; fastcgi_temp_path ${work}/body;
  uwsgi_temp_path ${work}/body; scgi_temp_path ${work}/body;
  types { application/octet-stream bin; text/plain txt; }
  server {
    listen 127.0.0.1:${port}; root ${root}; autoindex on;
    dav_methods PUT; create_full_put_path on; client_max_body_size 0;
  }
}
`,
  );
  const child = spawnTracked('/usr/sbin/nginx', ['-c', conf, '-p', work], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await curl(['-o', '/dev/null', `http://127.0.0.1:${port}/`], 2000);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    stop: async () => {
      child.kill('SIGQUIT');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

type Workload = { label: string; unit: string; run: (base: string) => Promise<number> };

function workloads(source: string, work: string): Workload[] {
  return [
    {
      label: 'GET 1 GiB, one connection',
      unit: 'MB/s',
      run: async (base) => Number(await curl(['-o', '/dev/null', '-w', '%{speed_download}', `${base}/big.bin`])) / 1e6,
    },
    {
      label: `${SMALL_FILES.toLocaleString('en')} × 4 KiB files, one keep-alive connection`,
      unit: 'files/s',
      run: async (base) => {
        const config = path.join(work, 'small.curlrc');
        await fs.writeFile(config, Array.from({ length: SMALL_FILES }, (_, i) => `url = "${base}/small/f${i}.bin"\noutput = "/dev/null"\n`).join(''));
        const started = performance.now();
        await curl(['-K', config]);
        return SMALL_FILES / ((performance.now() - started) / 1000);
      },
    },
    {
      label: `folder page of ${PAGE_ENTRIES.toLocaleString('en')} entries`,
      unit: 'ms',
      run: async (base) => Number(await curl(['-o', '/dev/null', '-w', '%{time_total}', `${base}/page/`])) * 1000,
    },
    {
      label: 'PUT 1 GiB, one connection',
      unit: 'MB/s',
      run: async (base) => Number(await curl(['-o', '/dev/null', '-T', source, '-w', '%{speed_upload}', `${base}/upload.bin`])) / 1e6,
    },
  ];
}

async function main(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ftp-share-web-bench-'));
  const root = path.join(work, 'root');
  const source = path.join(work, 'source.bin');
  try {
    process.stderr.write('making the files…\n');
    await makeTree(root);
    const src = await fs.open(source, 'w');
    await src.truncate(GiB);
    await src.close();
    const servers = { ours: await startOurs(root, 'web-server.ts'), nginx: await startNginx(root, work) };
    const rows: Array<{ label: string; unit: string; ours: number; nginx: number }> = [];
    for (const workload of workloads(source, work)) {
      const samples: Record<'ours' | 'nginx', number[]> = { ours: [], nginx: [] };
      // Alternate the servers rep by rep, so a noisy moment hits both.
      for (let rep = 0; rep < reps; rep++) {
        for (const name of ['ours', 'nginx'] as const) samples[name].push(await workload.run(`http://127.0.0.1:${servers[name].port}`));
      }
      rows.push({ label: workload.label, unit: workload.unit, ours: median(samples.ours), nginx: median(samples.nginx) });
      process.stderr.write(`${workload.label}: ours ${median(samples.ours).toFixed(1)}, nginx ${median(samples.nginx).toFixed(1)} ${workload.unit}\n`);
    }
    await servers.ours.stop();
    await servers.nginx.stop();
    // Our FTP with the same client, for reference.
    const certificate = await generateCertificate();
    await fs.writeFile(path.join(work, 'cert.pem'), certificate.cert);
    await fs.writeFile(path.join(work, 'key.pem'), certificate.key);
    const ftp = await startOurs(root, 'our-server.ts', [path.join(work, 'cert.pem'), path.join(work, 'key.pem')]);
    const ftpRows: Array<{ label: string; value: number }> = [];
    {
      const retr: number[] = [];
      const stor: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        retr.push(Number(await curl(['-o', '/dev/null', '-w', '%{speed_download}', `ftp://127.0.0.1:${ftp.port}/big.bin`])) / 1e6);
        stor.push(Number(await curl(['-o', '/dev/null', '-T', source, '-w', '%{speed_upload}', `ftp://127.0.0.1:${ftp.port}/ftp-upload.bin`])) / 1e6);
      }
      ftpRows.push({ label: 'our FTP RETR 1 GiB (curl)', value: median(retr) }, { label: 'our FTP STOR 1 GiB (curl)', value: median(stor) });
      await ftp.stop();
    }
    const better = (row: (typeof rows)[number]) => (row.unit === 'ms' ? row.nginx / row.ours : row.ours / row.nginx);
    const lines = [
      `workload | unit | ours | nginx | ours ÷ nginx (higher is better)`,
      `---|---|---|---|---`,
      ...rows.map((r) => `${r.label} | ${r.unit} | ${r.ours.toFixed(1)} | ${r.nginx.toFixed(1)} | ${better(r).toFixed(2)}`),
      ...ftpRows.map((r) => `${r.label} | MB/s | ${r.value.toFixed(1)} | | `),
    ];
    process.stdout.write(`\nWeb page vs nginx (${new Date().toISOString()}, ${reps} reps, curl ${(await curl(['--version'])).split(' ')[1]})\n${lines.join('\n')}\n`);
  } finally {
    await stopAll().catch(() => undefined);
    killAllNow();
    await fs.rm(work, { recursive: true, force: true });
  }
}

await main();
