/**
 * The page a browser sees for a shared folder: header, breadcrumbs, actions and the listing.
 * Browsing and downloading are plain links; page.js adds uploads and changes when allowed.
 */
import { html } from './html.js';
import { assetHref, renderDocument } from './layout.js';
import { renderListing } from './listing.js';
import { renderHeader } from './page-header.js';
import type { FolderPageModel } from './page-model.js';
import { renderDialogs, renderUploadPanel, renderWriteButtons } from './write-controls.js';

function renderBreadcrumbs(model: FolderPageModel) {
  const last = model.breadcrumbs.length - 1;
  const items = model.breadcrumbs.map(
    (crumb, i) => html`<li><a href="${crumb.href}"${i === last && html` aria-current="page"`}>${crumb.name}</a></li>`,
  );
  return html`<nav class="breadcrumbs" aria-label="Folders"><ol>${items}</ol></nav>`;
}

/** The tab's title: the folder first, so tabs of several folders tell apart. */
function pageTitle(model: FolderPageModel): string {
  const folder = model.breadcrumbs.length > 1 ? model.breadcrumbs[model.breadcrumbs.length - 1]!.name : undefined;
  return `${folder !== undefined ? `${folder} — ` : ''}FTP Share on ${model.shareName}`;
}

/** The complete HTML document of a folder page. */
export function renderFolderPage(model: FolderPageModel): string {
  const body = html`${renderHeader(model)}
<main>
${renderBreadcrumbs(model)}
<div class="toolbar">
<a class="button" href="${model.zipHref}" download><img src="${assetHref('archive.svg')}" alt="" width="20" height="20">Download folder (.zip)</a>
${model.canWrite && renderWriteButtons()}
</div>
${model.canWrite && renderUploadPanel()}
${renderListing(model)}
</main>
${model.canWrite && renderDialogs()}`;
  return renderDocument({ title: pageTitle(model), body, script: true, csrfToken: model.csrfToken, bodyClass: 'folder-page' });
}
