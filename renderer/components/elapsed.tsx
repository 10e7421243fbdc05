/**
 * "Connected for 3 min 12 s": text that follows the shared clock and re-renders only when it
 * changes.
 */
import { useClock } from '../stores/context.js';
import { formatDuration } from '../format.js';

export function Elapsed({ since }: { since: number }) {
  const text = useClock((c) => formatDuration(Math.max(0, c.now - since)));
  return <>{text}</>;
}
