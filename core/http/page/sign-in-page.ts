/**
 * The sign-in page for browsers: a plain form POSTed to `/?signin`, so it works without
 * JavaScript, and lets password managers fill it in.
 */
import { html } from './html.js';
import { renderDocument } from './layout.js';
import { renderHeading } from './page-header.js';
import type { SignInPageModel } from './page-model.js';

/** The complete HTML document of the sign-in page. */
export function renderSignInPage(model: SignInPageModel): string {
  const error = model.error !== undefined && model.error !== '';
  // The error is tied to both fields (aria-describedby) and announced when the page loads (role=alert).
  const described = error ? html` aria-describedby="sign-in-error" aria-invalid="true"` : undefined;
  const body = html`<header class="top"><div class="top-bar">${renderHeading(model.shareName)}</div></header>
<main class="sign-in">
<form class="sign-in-form" method="post" action="/?signin">
<h2>Sign in</h2>
${error && html`<p id="sign-in-error" class="form-error" role="alert">${model.error}</p>`}
<label for="user">User name</label>
<input id="user" name="user" value="${model.user ?? ''}" autocomplete="username" autocapitalize="off" spellcheck="false" required${described}${!model.user && html` autofocus`}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}${!!model.user && html` autofocus`}>
${model.csrfToken !== undefined && html`<input type="hidden" name="csrf" value="${model.csrfToken}">`}
<input type="hidden" name="returnTo" value="${model.returnTo}">
<button type="submit" class="button primary">Sign in</button>
</form>
</main>`;
  return renderDocument({ title: `Sign in — FTP Share on ${model.shareName}`, body, script: false, bodyClass: 'sign-in-page' });
}
