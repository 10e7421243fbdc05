/**
 * Numbers for people: sizes, speeds, durations, times.
 */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB" (binary multiples, the way file managers count). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Bytes per second → "2.4 MB/s". */
export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 65_000 → "1 min 5 s"; 3_725_000 → "1 h 2 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return `${d} d ${h % 24} h`;
}

// One formatter each: `toLocaleTimeString` builds a new Intl.DateTimeFormat at every call, which
// costs more than the rest of a log row's render.
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const SHORT_TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Ms since epoch → "14:03:27" in the user's locale. */
export function formatClock(time: number): string {
  return CLOCK.format(time);
}

/** Ms since epoch → "14:03" in the user's locale. */
export function formatShortTime(time: number): string {
  return SHORT_TIME.format(time);
}

/** 0.4567 → "46 %". */
export function formatPercent(fraction: number): string {
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)} %`;
}

/** The last part of a path ("/home/ann/Photos" → "Photos", "C:\\Users\\Ann" → "Ann"). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts.at(-1) || trimmed || path;
}

/** A hex fingerprint in groups: "AB:CD:…" stays as is; "abcd…" becomes "AB:CD:…". */
export function formatFingerprint(fp: string): string {
  if (fp.includes(':')) return fp.toUpperCase();
  return (fp.toUpperCase().match(/.{1,2}/g) ?? []).join(':');
}

/** What a typed field holds: its value, or the message that says what to type instead. */
export type Parsed<T> = { value: T } | { error: string };

/** A whole number from `min` to `max` typed in the field `name`: the number, or the message that says what to type instead. */
export function parseWholeNumberField(text: string, name: string, min: number, max: number): Parsed<number> {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < min || value > max) return { error: `${name} must be a whole number between ${min} and ${max}` };
  return { value };
}

/** A port typed in a field (1 to 65535); see {@link parseWholeNumberField}. */
export function parsePortField(text: string): Parsed<number> {
  return parseWholeNumberField(text, 'Port', 1, 65535);
}
