/**
 * Windowing for a table that scrolls with its panel: which rows are near the viewport, so a table
 * of 200 live sessions puts ~20 rows in the DOM instead of 200 (the browser's table layout and
 * paint of every row, not React, is what made opening such a table slow). Rows have one height,
 * measured from the first rendered row; spacer rows above and below keep the scroll height.
 */
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

const OVERSCAN = 6;
/** Until a row has been measured (and in jsdom, which has no layout). */
const DEFAULT_ROW_HEIGHT = 52;
const FALLBACK_VIEWPORT = 800;

export interface RowWindow {
  start: number;
  end: number;
  rowHeight: number;
}

export function useWindowedRows(count: number, tableRef: RefObject<HTMLTableElement | null>): RowWindow {
  const rowHeight = useRef(DEFAULT_ROW_HEIGHT);
  const [range, setRange] = useState(() => ({ start: 0, end: Math.min(count, 30) }));

  useLayoutEffect(() => {
    const table = tableRef.current;
    if (!table) return;
    const scroller = table.closest<HTMLElement>('.panel-scroll');
    const update = () => {
      const row = table.querySelector<HTMLElement>('tbody tr[data-row]');
      const measured = row?.getBoundingClientRect().height;
      if (measured && measured > 0) rowHeight.current = measured;
      const body = table.tBodies[0]?.getBoundingClientRect();
      const view = scroller?.getBoundingClientRect();
      const viewTop = view?.top ?? 0;
      const viewHeight = view && view.height > 0 ? view.height : FALLBACK_VIEWPORT;
      const offset = viewTop - (body?.top ?? 0);
      const h = rowHeight.current;
      const start = Math.max(0, Math.min(count, Math.floor(offset / h) - OVERSCAN));
      const end = Math.max(start, Math.min(count, Math.ceil((offset + viewHeight) / h) + OVERSCAN));
      setRange((prev) => (prev.start === start && prev.end === end ? prev : { start, end }));
    };
    update();
    scroller?.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      scroller?.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [count, tableRef]);

  const end = Math.min(range.end, count);
  return { start: Math.min(range.start, end), end, rowHeight: rowHeight.current };
}
