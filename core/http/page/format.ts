/**
 * Sizes and dates as the page prints them before its script runs. The server doesn't know the
 * browser's locale, so dates fall back to an unambiguous UTC form that page.js then rewrites in
 * the reader's own locale and time zone.
 */

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in decimal units, as phones and Finder count them: "980 bytes", "4.2 MB", "12 GB". */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  // 999.5 rather than 1000: a value that would round up to "1000 KB" reads as "1.0 MB".
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  // One decimal while it matters (4.2 MB), none once the number is long enough (42 MB).
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** "2024-05-01 14:03 UTC" from an ISO string; the string itself when it is no date. */
export function formatDateFallback(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
