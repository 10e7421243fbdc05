/**
 * The document every page shares: one external stylesheet, at most one external script, and
 * nothing inline, so the server's Content-Security-Policy can forbid inline script and style.
 */
import { html, type SafeHtml } from './html.js';

/** The URL of a file in assets/, as the server routes it. */
export function assetHref(name: string): string {
  return `/?asset=${encodeURIComponent(name)}`;
}

/** What a page puts in the shared document. */
export interface DocumentParts {
  /** The tab's title, plain text. */
  title: string;
  body: SafeHtml;
  /** Whether page.js is loaded (pages without controls need none). */
  script: boolean;
  /** Exposed to page.js as `<meta name="csrf-token">`. */
  csrfToken?: string;
  /** A class on <body> that selects the page's layout in page.css. */
  bodyClass: string;
}

/**
 * A complete HTML document around a page's body.
 *
 * The referrer meta relaxes the server's `Referrer-Policy: no-referrer` to `same-origin` for the
 * page: under no-referrer, browsers send `Origin: null` with a form's POST (sign-in, sign-out), so
 * the server's same-origin check could not tell them from a forged one. Other sites still get no
 * referrer.
 */
export function renderDocument(parts: DocumentParts): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="same-origin">
${parts.csrfToken !== undefined && html`<meta name="csrf-token" content="${parts.csrfToken}">\n`}<title>${parts.title}</title>
<link rel="icon" href="${assetHref('folder.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assetHref('page.css')}">
${parts.script && html`<script src="${assetHref('page.js')}" defer></script>\n`}</head>
<body class="${parts.bodyClass}">
${parts.body}
</body>
</html>
`.value;
}
