/**
 * A windowed list with fixed-height rows: only the rows in view (plus a few) are in the DOM, so
 * 20,000 log lines scroll as smoothly as 20. With `follow`, it stays pinned to the newest row;
 * scrolling up unpins it (reported through `onFollowChange`), scrolling back down pins it again.
 */
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

const OVERSCAN = 8;
/** jsdom and hidden panels report no height; render a screenful anyway. */
const FALLBACK_HEIGHT = 480;

export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  follow,
  onFollowChange,
  label,
  className,
}: {
  items: readonly T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  label: string;
  className?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(FALLBACK_HEIGHT);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || FALLBACK_HEIGHT);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Pin to the bottom after new rows when following.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !follow) return;
    const bottom = Math.max(0, items.length * rowHeight - (el.clientHeight || height));
    if (el.scrollTop !== bottom) el.scrollTop = bottom;
    setScrollTop(el.scrollTop || bottom);
  }, [items.length, follow, rowHeight, height]);

  const total = items.length * rowHeight;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(items[i]!, i));

  return (
    <div
      ref={ref}
      className={['vlist', className].filter(Boolean).join(' ')}
      role="log"
      aria-label={label}
      aria-live="off"
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        setScrollTop(el.scrollTop);
        const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight;
        if (atBottom !== follow) onFollowChange(atBottom);
      }}
    >
      <div className="vlist-spacer" style={{ height: total }}>
        <div className="vlist-window" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
