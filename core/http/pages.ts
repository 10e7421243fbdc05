/** The page templates the server renders (core/http/page is the page's own code: HTML, CSS, script). */
export { renderFolderPage } from './page/folder-page.js';
export { renderSignInPage } from './page/sign-in-page.js';
export { renderErrorPage } from './page/error-page.js';
export { iconKindFor } from './page/icon-kind.js';
export { readPageAsset } from './page/page-assets.js';
export type { FolderPageModel, PageEntry, PageSort } from './page/page-model.js';
