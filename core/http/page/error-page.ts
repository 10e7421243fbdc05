/**
 * The page for a request that can't be answered with a folder or a file: what went wrong, in
 * words, and a way back to the share. It never names host paths; the caller's message must not either.
 */
import { html } from './html.js';
import { renderDocument } from './layout.js';
import type { ErrorPageModel } from './page-model.js';

/** Headings people understand, for the statuses the server sends; others get a generic one. */
const HEADINGS: Record<number, string> = {
  400: 'That address isn’t valid',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Not allowed',
  409: 'That name is taken',
  413: 'Too large',
  414: 'That address is too long',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Not available right now',
  507: 'The disk is full',
};

/** The complete HTML document of an error page. */
export function renderErrorPage(model: ErrorPageModel): string {
  const heading = HEADINGS[model.status] ?? (model.status >= 500 ? 'Something went wrong' : 'That didn’t work');
  const body = html`<main class="error">
<h1>${heading}</h1>
<p>${model.message}</p>
<p><a class="button" href="/">Go to the shared folder</a></p>
</main>`;
  return renderDocument({ title: `${heading} — FTP Share`, body, script: false, bodyClass: 'error-page' });
}
