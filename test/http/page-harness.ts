/**
 * A test-only HTTP server for the page's browser tests: the templates, the assets and the page's
 * endpoints over a temp folder, with the real server's URLs and Content-Security-Policy. It is
 * not core/http's server and checks only what the page relies on (CSRF token, same origin, rights);
 * the integration points the same tests at the real server through page-fixture.ts.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { renderErrorPage } from '../../core/http/page/error-page.js';
import { renderFolderPage } from '../../core/http/page/folder-page.js';
import { iconKindFor } from '../../core/http/page/icon-kind.js';
import { readPageAsset } from '../../core/http/page/page-assets.js';
import type { FolderPageModel, PageEntry, PageSort } from '../../core/http/page/page-model.js';
import { renderSignInPage } from '../../core/http/page/sign-in-page.js';
import type { PageTarget, PageTargetOptions } from './page-fixture.js';

/** The headers the real server sends: nothing inline, everything from this origin, no referrer. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const hrefOf = (segments: string[], dir: boolean) => `/${segments.map(encodeURIComponent).join('/')}${dir && segments.length > 0 ? '/' : ''}`;

async function listEntries(dir: string, segments: string[], sort: PageSort): Promise<PageEntry[]> {
  const entries: PageEntry[] = [];
  for (const name of await readdir(dir)) {
    const info = await stat(path.join(dir, name));
    const type = info.isDirectory() ? 'dir' : 'file';
    entries.push({ name, type, href: hrefOf([...segments, name], type === 'dir'), size: info.size, modified: info.mtime.toISOString(), icon: iconKindFor(name, type) });
  }
  const sign = sort.order === 'asc' ? 1 : -1;
  const byKey = (a: PageEntry, b: PageEntry) =>
    sort.key === 'size' ? a.size - b.size : sort.key === 'modified' ? a.modified.localeCompare(b.modified) : a.name.localeCompare(b.name, 'en', { numeric: true });
  return entries.sort((a, b) => (a.type !== b.type ? (a.type === 'dir' ? -1 : 1) : sign * byKey(a, b) || a.name.localeCompare(b.name)));
}

/** "name (1).ext" for a taken "name.ext", as the real server never replaces from a browser. */
async function freeName(dir: string, name: string): Promise<string> {
  const dot = name.lastIndexOf('.') > 0 ? name.lastIndexOf('.') : name.length;
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? name : `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
    if (!(await stat(path.join(dir, candidate)).catch(() => undefined))) return candidate;
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the harness on 127.0.0.1 over `root`. */
export async function startPageHarness(root: string, options: PageTargetOptions): Promise<PageTarget> {
  const csrfToken = randomBytes(16).toString('hex');
  const session = randomBytes(16).toString('hex');
  const shareName = 'test-host — Photos';
  // The harness speaks plain HTTP; asked for HTTPS, it only draws the page as if (a made-up fingerprint).
  const fingerprint256 = options.https ? Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':') : undefined;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://harness');
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS, ...headers }).end(body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json', JSON.stringify(body));
    const html = (status: number, body: string) => send(status, 'text/html; charset=utf-8', body);

    if (req.method === 'GET' && url.searchParams.has('asset')) {
      const asset = await readPageAsset(url.searchParams.get('asset')!);
      return asset ? send(200, asset.contentType, asset.body) : html(404, renderErrorPage({ status: 404, message: 'No such file.' }));
    }
    const signedIn = !options.account || (req.headers.cookie ?? '').split(/;\s*/).includes(`session=${session}`);
    // Every POST, forms included, must come from this origin (a form's `Origin: null` is refused).
    if (req.method === 'POST' && req.headers.origin !== `http://${req.headers.host}`) return json(403, { error: 'Forbidden.' });
    if (req.method === 'POST' && url.search === '?signin') {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const returnTo = form.get('returnTo') ?? '/';
      if (form.get('user') === options.account?.user && form.get('password') === options.account?.password) {
        return send(303, 'text/plain', '', { Location: returnTo.startsWith('/') ? returnTo : '/', 'Set-Cookie': `session=${session}; HttpOnly; SameSite=Strict; Path=/` });
      }
      return html(401, renderSignInPage({ shareName, error: 'Wrong user name or password.', user: form.get('user') ?? '', returnTo }));
    }
    if (!signedIn) return html(401, renderSignInPage({ shareName, returnTo: url.pathname }));

    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (segments.some((s) => s === '..' || s.includes('/'))) return html(400, renderErrorPage({ status: 400, message: 'Bad path.' }));
    const target = path.join(root, ...segments);
    const info = await stat(target).catch(() => undefined);

    if (req.method === 'POST') {
      const form = url.search === '?signout' ? new URLSearchParams((await readBody(req)).toString('utf8')) : undefined;
      const token = form ? form.get('csrf') : req.headers['x-csrf-token'];
      if (token !== csrfToken) return json(403, { error: 'Forbidden.' });
      if (form) return send(303, 'text/plain', '', { Location: '/', 'Set-Cookie': 'session=; Max-Age=0; Path=/' });
      if (!options.canWrite) return json(403, { error: 'This share is read-only.' });
      if (!info) return json(404, { error: 'Not found.' });
      return handleChange(url.search, req, target, info.isDirectory(), json);
    }

    if (!info) return html(404, renderErrorPage({ status: 404, message: 'There is nothing at this address.' }));
    if (info.isFile()) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': info.size, 'Content-Disposition': 'attachment', ...SECURITY_HEADERS });
      createReadStream(target).pipe(res);
      return;
    }
    if (!url.pathname.endsWith('/')) return send(301, 'text/plain', '', { Location: `${url.pathname}/` });
    const sort: PageSort = {
      key: (['name', 'size', 'modified'] as const).find((k) => k === url.searchParams.get('sort')) ?? 'name',
      order: url.searchParams.get('order') === 'desc' ? 'desc' : 'asc',
    };
    const model: FolderPageModel = {
      shareName,
      path: `/${segments.join('/')}`,
      breadcrumbs: [{ name: 'Photos', href: '/' }, ...segments.map((name, i) => ({ name, href: hrefOf(segments.slice(0, i + 1), true) }))],
      entries: await listEntries(target, segments, sort),
      sort,
      canWrite: options.canWrite,
      user: options.account?.user,
      csrfToken,
      zipHref: `${hrefOf(segments, true)}?zip`,
      signOutAvailable: options.account !== undefined,
      ...(fingerprint256 !== undefined && { fingerprint256 }),
    };
    return html(200, renderFolderPage(model));
  }

  /** The page's JSON endpoints, on an item (rename, delete) or a folder (upload, mkdir). */
  async function handleChange(action: string, req: http.IncomingMessage, target: string, isDir: boolean, json: (status: number, body: unknown) => void): Promise<void> {
    if (action === '?upload' && isDir) {
      // Whole body first: a cancelled upload ends before anything is written.
      const body = await readBody(req);
      const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const files = [];
      for (const part of form.getAll('file')) {
        if (typeof part === 'string') continue;
        const relative = part.name.split('/').filter((s) => s && s !== '..');
        const dir = path.join(target, ...relative.slice(0, -1));
        await mkdir(dir, { recursive: true });
        const name = await freeName(dir, relative.at(-1)!);
        await writeFile(path.join(dir, name), Buffer.from(await part.arrayBuffer()));
        files.push({ name, path: [...relative.slice(0, -1), name].join('/'), size: part.size });
      }
      return json(200, { files });
    }
    const args = action === '?delete' ? {} : (JSON.parse((await readBody(req)).toString('utf8')) as { name?: string; to?: string });
    const taken = async (p: string) => (await stat(p).catch(() => undefined)) !== undefined;
    if (action === '?mkdir' && isDir && args.name) {
      if (await taken(path.join(target, args.name))) return json(409, { error: `“${args.name}” already exists.` });
      await mkdir(path.join(target, args.name));
      return json(201, {});
    }
    if (action === '?rename' && args.to) {
      const to = path.join(path.dirname(target), args.to);
      if (await taken(to)) return json(409, { error: `“${args.to}” already exists.` });
      await rename(target, to);
      return json(200, {});
    }
    if (action === '?delete') {
      // As the real server: a folder only when empty.
      if (isDir && (await readdir(target)).length > 0) return json(409, { error: 'Only an empty folder can be deleted' });
      await rm(target, { recursive: true });
      return json(200, {});
    }
    return json(400, { error: 'Unknown request.' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    root,
    ...(fingerprint256 !== undefined && { fingerprint256 }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
