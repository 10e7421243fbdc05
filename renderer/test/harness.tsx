/**
 * The window over the fake share, in a real browser (served by Vite's dev server; never built
 * into dist/). Used by the responsiveness benchmark and for looking at the design with demo data:
 * `?scenario=demo|empty|error|bench&panel=share|connect|sessions|transfers|logs`.
 * The fake is on `window.__fake` for the page's driver.
 */
import { createRoot } from 'react-dom/client';
import { createDirectTransport } from '../api.js';
import { App, type PanelId } from '../app.js';
import { FakeApi, session } from './fake-api.js';
import '../styles.css';

declare global {
  interface Window {
    __fake?: FakeApi;
  }
}

const params = new URLSearchParams(location.search);
const scenario = params.get('scenario') ?? 'demo';
const panel = (params.get('panel') ?? 'share') as PanelId;
const fake = new FakeApi();
window.__fake = fake;

const now = Date.now();
if (scenario === 'demo') {
  fake.settings.folders = ['/home/ann/Pictures', '/home/ann/Documents/Invoices 2024', '/media/backup/Music'];
  fake.settings.ftps = 'explicit';
  void fake.regenerateCertificate();
  void fake.start();
  fake.sessions = [
    session('s1', { remoteAddress: '192.168.1.40', user: 'ftp', cwd: '/Pictures/2024', activity: 'Downloading IMG_2041.HEIC', secureControl: true, secureData: true, bytesOut: 48_200_000, connectedAt: now - 312_000 }),
    session('s2', { remoteAddress: '192.168.1.57', user: 'ftp', cwd: '/Music', activity: 'Idle', bytesOut: 3_100_000, connectedAt: now - 65_000 }),
    session('s3', { remoteAddress: 'fe80::1c2a:9bff:fe11:2a01', user: 'ftp', cwd: '/Invoices 2024', activity: 'Uploading scan-0412.pdf', bytesIn: 920_000, connectedAt: now - 8_000 }),
  ];
  fake.state = { ...fake.state, sessionCount: 3 };
  fake.transfers = {
    active: [
      { transferId: 't1', sessionId: 's1', protocol: 'ftp', remoteAddress: '192.168.1.40', path: '/Pictures/2024/IMG_2041.HEIC', direction: 'download', bytes: 31_400_000, size: 52_000_000, bytesPerSecond: 11_200_000, etaMs: 1_900, startedAt: now - 3_000, secure: true },
      { transferId: 't2', sessionId: 's3', protocol: 'ftp', remoteAddress: 'fe80::1c2a:9bff:fe11:2a01', path: '/Invoices 2024/scan-0412.pdf', direction: 'upload', bytes: 920_000, size: 2_400_000, bytesPerSecond: 640_000, etaMs: 2_300, startedAt: now - 1_500, secure: false },
    ],
    finished: [
      { transferId: 'f1', sessionId: 's1', protocol: 'ftp', remoteAddress: '192.168.1.40', path: '/Pictures/2024/IMG_2040.HEIC', direction: 'download', bytes: 4_812_000, size: 4_812_000, bytesPerSecond: 0, startedAt: now - 60_000, secure: true, result: 'done', finishedAt: now - 58_000 },
      { transferId: 'f2', sessionId: 's2', protocol: 'ftp', remoteAddress: '192.168.1.57', path: '/Music/Album/01 Intro.flac', direction: 'download', bytes: 12_000_000, size: 31_000_000, bytesPerSecond: 0, startedAt: now - 120_000, secure: false, result: 'aborted', reason: 'Client closed the connection', finishedAt: now - 110_000 },
      { transferId: 'f3', sessionId: 's3', protocol: 'ftp', remoteAddress: 'fe80::1c2a:9bff:fe11:2a01', path: '/Invoices 2024/readme.txt', direction: 'upload', bytes: 0, bytesPerSecond: 0, startedAt: now - 200_000, secure: false, result: 'failed', reason: 'Read-only share', finishedAt: now - 200_000 },
    ],
    totals: { downloadedBytes: 64_300_000, uploadedBytes: 920_000, completed: 14, failed: 1 },
  };
  const texts = [
    ['info', 'Sharing on ftp://192.168.1.23:2121'],
    ['info', '192.168.1.40 connected'],
    ['debug', '> USER ftp'],
    ['info', 'ftp signed in from 192.168.1.40 (TLS 1.3)'],
    ['info', 'RETR /Pictures/2024/IMG_2040.HEIC — 4.6 MB in 0.4 s'],
    ['warn', 'Upload refused: the share is read-only (/Invoices 2024/readme.txt)'],
    ['info', '192.168.1.57 connected'],
    ['error', 'Data connection from 192.168.1.57 timed out'],
  ] as const;
  for (let i = 0; i < 160; i++) {
    const [level, text] = texts[i % texts.length]!;
    fake.log([{ time: now - (160 - i) * 2_300, level, text, ...(i % 3 ? { sessionId: `s${(i % 3) + 1}` } : {}) }]);
  }
} else if (scenario === 'error') {
  fake.busyPorts.add(2121);
  void fake.start();
} else if (scenario === 'empty') {
  fake.settings.folders = [];
}

createRoot(document.getElementById('root')!).render(<App transport={createDirectTransport(fake, 'web')} initialPanel={panel} />);

/** Load for the responsiveness benchmark: many sessions and a stream of log lines. */
export interface StreamOptions {
  sessions: number;
  logLines: number;
  /** How long the log lines take to arrive. */
  durationMs: number;
  /** Pushes per second (the share batches to about ten). */
  pushesPerSecond: number;
}

/** Starts pushing load through the fake; resolves when every log line has been pushed. */
function stream(options: StreamOptions): Promise<{ pushes: number; lines: number }> {
  const base = Date.now();
  const rows = Array.from({ length: options.sessions }, (_, i) =>
    session(`b${i}`, {
      remoteAddress: `192.168.${1 + (i >> 8)}.${i & 255}`,
      connectedAt: base - i * 1000,
      cwd: `/Pictures/${i % 12}`,
      activity: i % 3 === 0 ? `Downloading IMG_${1000 + i}.jpg` : 'Idle',
    }),
  );
  fake.setState({ status: 'running', port: 2121, url: 'ftp://192.168.1.23:2121', urls: [], startedAt: base, sessionCount: rows.length });
  const ticks = Math.ceil((options.durationMs / 1000) * options.pushesPerSecond);
  const perTick = Math.ceil(options.logLines / ticks);
  let pushed = 0;
  let pushes = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      pushes++;
      // Every third session moved some bytes: a fresh snapshot, as the share sends it.
      const snapshot = rows.map((r, i) => (i % 3 === pushes % 3 ? { ...r, bytesOut: r.bytesOut + 65_536 * pushes } : { ...r }));
      fake.setSessions(snapshot);
      fake.setTransfers({
        active: rows.slice(0, 20).map((r, i) => ({
          transferId: `t${i}`,
          sessionId: r.sessionId,
          protocol: 'ftp',
          remoteAddress: r.remoteAddress,
          path: `/Pictures/IMG_${1000 + i}.jpg`,
          direction: i % 2 ? 'upload' : 'download',
          bytes: Math.min(50_000_000, pushes * 200_000 * (i + 1)),
          size: 50_000_000,
          bytesPerSecond: 2_000_000,
          etaMs: 10_000,
          startedAt: base,
          secure: false,
        })),
        finished: [],
        totals: { downloadedBytes: pushes * 1e6, uploadedBytes: 0, completed: pushes, failed: 0 },
      });
      const n = Math.min(perTick, options.logLines - pushed);
      if (n > 0) {
        fake.log(
          Array.from({ length: n }, (_, k) => ({
            level: (['info', 'debug', 'info', 'warn'] as const)[(pushed + k) % 4],
            text: `RETR /Pictures/${(pushed + k) % 12}/IMG_${pushed + k}.jpg — 2.4 MB`,
            sessionId: `b${(pushed + k) % options.sessions}`,
          })),
        );
        pushed += n;
      }
      if (pushed >= options.logLines) {
        clearInterval(timer);
        resolve({ pushes, lines: pushed });
      }
    }, 1000 / options.pushesPerSecond);
  });
}

(window as unknown as { __stream?: typeof stream }).__stream = stream;
