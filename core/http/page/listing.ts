/**
 * The folder's listing: the sort links and one row per entry. It is the part page.js replaces
 * after a change (by `#listing`), so it depends on nothing but the model.
 */
import { formatDateFallback, formatSize } from './format.js';
import { html, type SafeHtml } from './html.js';
import { assetHref } from './layout.js';
import type { FolderPageModel, PageEntry, PageSort } from './page-model.js';

const SORT_COLUMNS: { key: PageSort['key']; label: string; firstOrder: PageSort['order'] }[] = [
  // A first click shows what people look for: A to Z, the biggest, the newest.
  { key: 'name', label: 'Name', firstOrder: 'asc' },
  { key: 'size', label: 'Size', firstOrder: 'desc' },
  { key: 'modified', label: 'Modified', firstOrder: 'desc' },
];

const ORDER_WORDS: Record<PageSort['key'], Record<PageSort['order'], string>> = {
  name: { asc: 'A to Z', desc: 'Z to A' },
  size: { asc: 'smallest first', desc: 'largest first' },
  modified: { asc: 'oldest first', desc: 'newest first' },
};

/** The sort links: plain links the server answers, so sorting works without JavaScript. */
function renderSortLinks(sort: PageSort): SafeHtml {
  const links = SORT_COLUMNS.map(({ key, label, firstOrder }) => {
    const current = key === sort.key;
    // The current column's link turns its order round; another column's starts at its first order.
    const order = current ? (sort.order === 'asc' ? 'desc' : 'asc') : firstOrder;
    return html`<a class="sort-${key}" href="?sort=${key}&amp;order=${order}"${current && html` aria-current="true"`}>${label}${current && html`<span class="sort-arrow" aria-hidden="true">${sort.order === 'asc' ? '↑' : '↓'}</span><span class="visually-hidden"> (sorted ${ORDER_WORDS[key][sort.order]})</span>`}</a>`;
  });
  return html`<nav class="sort" aria-label="Sort"><span class="sort-label" aria-hidden="true">Sort by</span>${links}</nav>`;
}

/** Rename and delete buttons of one row; page.js finds the entry from the row's data attributes. */
function renderRowActions(entry: PageEntry): SafeHtml {
  return html`<span class="row-actions needs-js"><button type="button" class="icon-button" data-action="rename" aria-label="Rename ${entry.name}"><img src="${assetHref('rename.svg')}" alt="" width="22" height="22"></button><button type="button" class="icon-button" data-action="delete" aria-label="Delete ${entry.name}"><img src="${assetHref('delete.svg')}" alt="" width="22" height="22"></button></span>`;
}

function renderEntry(entry: PageEntry, canWrite: boolean): SafeHtml {
  const isDir = entry.type === 'dir';
  return html`<li class="entry" data-name="${entry.name}" data-href="${entry.href}" data-type="${entry.type}">
<a class="entry-link" href="${entry.href}"><img class="entry-icon" src="${assetHref(`${entry.icon}.svg`)}" alt="" width="28" height="28"><span class="entry-name">${entry.name}</span>${isDir && html`<span class="visually-hidden"> (folder)</span>`}</a>
<span class="entry-meta"><span class="entry-size">${!isDir && formatSize(entry.size)}</span><time class="entry-modified" datetime="${entry.modified}">${formatDateFallback(entry.modified)}</time></span>${canWrite && renderRowActions(entry)}
</li>`;
}

/** The `#listing` section of a folder page. */
export function renderListing(model: FolderPageModel): SafeHtml {
  const body =
    model.entries.length === 0
      ? html`<p class="empty">This folder is empty.</p>`
      : html`<ul class="entries">
${model.entries.map((entry) => renderEntry(entry, model.canWrite))}
</ul>`;
  return html`<section id="listing" class="listing${model.canWrite ? ' writable' : ''}" aria-labelledby="listing-heading">
<h2 id="listing-heading" class="visually-hidden" tabindex="-1">Contents of ${model.path}</h2>
${model.entries.length > 0 && renderSortLinks(model.sort)}
${body}
</section>`;
}
