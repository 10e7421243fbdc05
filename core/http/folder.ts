/**
 * A folder's page: its entries sorted on the server (folders first, then by name, size or date,
 * as `?sort=…&order=…` asks), so sorting works without JavaScript, handed to the page template.
 */
import type { FileInfo } from '../fs/file-system.js';
import type { Exchange } from './exchange.js';
import { iconKindFor, renderFolderPage, type FolderPageModel, type PageEntry, type PageSort } from './pages.js';
import { hrefFor } from './request-path.js';
import { sendHtml } from './responses.js';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The sort a query asks for; name ascending when it asks for nothing valid. */
export function sortOf(query: URLSearchParams): PageSort {
  const key = query.get('sort');
  const order = query.get('order');
  return {
    key: key === 'size' || key === 'modified' ? key : 'name',
    order: order === 'desc' ? 'desc' : 'asc',
  };
}

/** Sorts entries in place: folders first, then by the key (ties by name), in the order asked. */
export function sortEntries(entries: FileInfo[], sort: PageSort): FileInfo[] {
  const direction = sort.order === 'desc' ? -1 : 1;
  const byKey = (a: FileInfo, b: FileInfo): number => {
    if (sort.key === 'size') return a.size - b.size;
    if (sort.key === 'modified') return a.modified.getTime() - b.modified.getTime();
    return 0;
  };
  return entries.sort((a, b) => {
    if (a.type !== b.type) return a.type === 'dir' ? -1 : 1;
    return direction * (byKey(a, b) || collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  });
}

/** The breadcrumb trail from the root (named after the share) to `path`. */
function breadcrumbs(shareName: string, path: string): FolderPageModel['breadcrumbs'] {
  const crumbs = [{ name: shareName, href: '/' }];
  let walked = '';
  for (const name of path.split('/').filter((s) => s !== '')) {
    walked += `/${name}`;
    crumbs.push({ name, href: hrefFor(walked, true) });
  }
  return crumbs;
}

/** `GET /a/b/`: the folder page. */
export async function folderPage(ex: Exchange, path: string): Promise<void> {
  const infos: FileInfo[] = [];
  for await (const info of ex.fs.list(path)) infos.push(info);
  const sort = sortOf(ex.target.query);
  const base = path === '/' ? '' : path;
  const entries: PageEntry[] = sortEntries(infos, sort).map((info) => ({
    name: info.name,
    href: hrefFor(`${base}/${info.name}`, info.type === 'dir'),
    type: info.type,
    size: info.size,
    modified: info.modified.toISOString(),
    icon: iconKindFor(info.name, info.type),
  }));
  const href = hrefFor(path, true);
  ex.session.cwd = path;
  const model: FolderPageModel = {
    shareName: ex.ctx.shareName,
    path,
    breadcrumbs: breadcrumbs(ex.ctx.shareName, path),
    entries,
    sort,
    canWrite: !ex.fs.readOnly,
    user: ex.signIn?.anonymous || (!ex.signIn && ex.session.grant && ex.session.credential === undefined) ? undefined : ex.user,
    csrfToken: ex.signIn?.csrfToken ?? '',
    ...(ex.ctx.fingerprint256 !== undefined ? { fingerprint256: ex.ctx.fingerprint256 } : {}),
    zipHref: `${href}?zip`,
    signOutAvailable: ex.signIn !== undefined && !ex.signIn.anonymous,
  };
  sendHtml(ex.req, ex.res, 200, renderFolderPage(model));
}
