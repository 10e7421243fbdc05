/**
 * The controls that change a folder: upload, new folder, rename, delete. Drawn only when the
 * account may write, and shown by page.js (class `needs-js`): without a script they could only fail.
 */
import { html, type SafeHtml } from './html.js';
import { assetHref } from './layout.js';

/**
 * The toolbar's write buttons. The file inputs stay in the page (visually hidden, still focusable)
 * so their labels open the picker on every phone; the folder picker shows where page.js finds
 * `webkitdirectory` supported.
 */
export function renderWriteButtons(): SafeHtml {
  return html`<span class="write-buttons needs-js">
<input type="file" id="upload-files" class="visually-hidden" multiple><label for="upload-files" class="button primary"><img src="${assetHref('upload.svg')}" alt="" width="20" height="20">Upload files</label>
<span class="folder-picker" hidden><input type="file" id="upload-folder" class="visually-hidden" webkitdirectory><label for="upload-folder" class="button">Upload a folder</label></span>
<button type="button" class="button" data-action="mkdir">New folder</button>
</span>`;
}

/** Where uploads show their progress and changes are announced. */
export function renderUploadPanel(): SafeHtml {
  return html`<section class="uploads-panel needs-js" aria-labelledby="uploads-heading">
<h2 id="uploads-heading" class="visually-hidden">Uploads</h2>
<p class="drop-hint">You can also drop files and folders onto this page.</p>
<ul class="uploads"></ul>
<p id="status" class="status" role="status"></p>
</section>
<noscript><p class="note">Turn on JavaScript to upload files, make folders, rename or delete.</p></noscript>`;
}

/**
 * Two modal dialogs page.js fills in: one asks for a name (new folder, rename), one confirms a
 * deletion. `<dialog>` with showModal() keeps focus inside and closes on Escape.
 */
export function renderDialogs(): SafeHtml {
  return html`<dialog id="name-dialog" class="dialog" aria-labelledby="name-dialog-title">
<form method="dialog" class="dialog-form">
<h2 id="name-dialog-title">New folder</h2>
<label for="name-dialog-input">Name</label>
<input id="name-dialog-input" name="name" required autocomplete="off" autocapitalize="off" spellcheck="false" autofocus>
<p class="dialog-error" role="alert"></p>
<div class="dialog-buttons"><button type="button" class="button" data-close>Cancel</button><button type="submit" class="button primary">Create</button></div>
</form>
</dialog>
<dialog id="delete-dialog" class="dialog" aria-labelledby="delete-dialog-title" aria-describedby="delete-dialog-text">
<form method="dialog" class="dialog-form">
<h2 id="delete-dialog-title">Delete “<span class="dialog-name"></span>”?</h2>
<p id="delete-dialog-text"></p>
<p class="dialog-error" role="alert"></p>
<div class="dialog-buttons"><button type="button" class="button" data-close>Cancel</button><button type="submit" class="button danger">Delete</button></div>
</form>
</dialog>`;
}
