/**
 * The top of every folder page: which computer and folder this is, who is signed in, and over
 * HTTPS the certificate's fingerprint to compare with the one the app shows.
 */
import { html, type SafeHtml } from './html.js';
import type { FolderPageModel } from './page-model.js';

/** The sign-out form: a plain POST, so it works without JavaScript. */
function renderSignOut(csrfToken: string): SafeHtml {
  return html`<form class="sign-out" method="post" action="/?signout"><input type="hidden" name="csrf" value="${csrfToken}"><button type="submit" class="button">Sign out</button></form>`;
}

/** The page's heading: "FTP Share on MacBook-Pro — Photos". */
export function renderHeading(shareName: string): SafeHtml {
  return html`<h1><span class="brand">FTP Share on</span> <span class="share-name">${shareName}</span></h1>`;
}

/** The `<header>` of a folder page. */
export function renderHeader(model: FolderPageModel): SafeHtml {
  const account =
    (model.user !== undefined || model.signOutAvailable) &&
    html`<div class="account">${model.user !== undefined && html`<span class="user">Signed in as <strong>${model.user}</strong></span>`}${model.signOutAvailable && renderSignOut(model.csrfToken)}</div>`;
  const fingerprint =
    model.fingerprint256 !== undefined &&
    html`<details class="fingerprint"><summary>Secure connection (HTTPS)</summary><p>Check that this certificate fingerprint (SHA-256) is the one FTP Share shows on the computer:</p><code>${model.fingerprint256}</code></details>`;
  return html`<header class="top">
<div class="top-bar">${renderHeading(model.shareName)}${account}</div>
${fingerprint}
</header>`;
}
