/**
 * What the HTTP server hands the page templates. The server fills it (paths, rights, the session's
 * token); the templates only draw it. Every string here is untrusted and escaped by the templates.
 */

/** Which icon a listing row shows. Decided by the server (see icon-kind.ts), drawn by the page. */
export type IconKind = 'folder' | 'image' | 'video' | 'audio' | 'document' | 'archive' | 'code' | 'file';

/** The column a listing is sorted by, and its direction. Folders always come first. */
export interface PageSort {
  key: 'name' | 'size' | 'modified';
  order: 'asc' | 'desc';
}

/** One link in the breadcrumb trail: the share's root first, the current folder last. */
export interface Breadcrumb {
  /** Display name (decoded), e.g. "2024". The root's is the share's name. */
  name: string;
  /** Absolute, percent-encoded URL of the folder, ending in "/", e.g. "/Photos/2024/". */
  href: string;
}

/** One row of a folder's listing. */
export interface PageEntry {
  /** Display name (decoded). */
  name: string;
  /** Absolute, percent-encoded URL: a folder's ends in "/", a file's is its download URL. */
  href: string;
  type: 'file' | 'dir';
  /** Bytes; not shown for folders. */
  size: number;
  /** Last modification, as an ISO 8601 string. */
  modified: string;
  icon: IconKind;
}

/** Everything a folder page shows. */
export interface FolderPageModel {
  /**
   * The computer and the shared folder, e.g. "MacBook-Pro — Photos"; the page's heading reads
   * "FTP Share on MacBook-Pro — Photos".
   */
  shareName: string;
  /** The folder's decoded path inside the share, e.g. "/Photos/2024" ("/" at the root). */
  path: string;
  breadcrumbs: Breadcrumb[];
  /** In display order: the server sorts (folders first) so the page works without JavaScript. */
  entries: PageEntry[];
  sort: PageSort;
  /** The signed-in account may upload, create, rename and delete. When false, no write control is drawn. */
  canWrite: boolean;
  /** The signed-in account's name; undefined for an anonymous share. */
  user: string | undefined;
  /** The session's CSRF token, sent by the page's script as `X-CSRF-Token` and by forms as `csrf`. */
  csrfToken: string;
  /** The certificate's SHA-256 fingerprint, given only when the page is served over HTTPS. */
  fingerprint256?: string;
  /** URL of this folder as a .zip, e.g. "/Photos/2024/?zip". */
  zipHref: string;
  /** Whether a sign-out button makes sense (a cookie session, not anonymous or HTTP Basic). */
  signOutAvailable: boolean;
}

/** Everything the sign-in page shows. */
export interface SignInPageModel {
  /** As in {@link FolderPageModel.shareName}. */
  shareName: string;
  /** Why the last attempt failed, for people ("Wrong user name or password."). */
  error?: string;
  /** The user name of the failed attempt, filled in again so only the password is retyped. */
  user?: string;
  /** Sent back as the form's `csrf` field when given. */
  csrfToken?: string;
  /** The same-origin path to go to after signing in, sent back as the form's `returnTo` field. */
  returnTo: string;
}

/** Everything an error page shows. */
export interface ErrorPageModel {
  status: number;
  /** For people, with no host paths or stack traces. */
  message: string;
}
