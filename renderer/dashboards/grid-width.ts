import { useCallback, useRef, useState } from 'react';

/**
 * The grid container's width, measured when the element is attached (a callback ref runs in the
 * commit, so the grid renders at its real width before the first paint) and again whenever it
 * resizes. `null` until measured: panels laid out at a guessed width would load at the wrong
 * step and load again. (react-grid-layout's `useContainerWidth` measures in an effect that runs
 * once at mount, when this view may still show "Loading dashboard…" and the container is absent.)
 */
export function useGridWidth(): { ref: (el: HTMLDivElement | null) => void; width: number | null } {
  const [width, setWidth] = useState<number | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el) return;
    setWidth(Math.round(el.clientWidth));
    observer.current = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w !== undefined) setWidth(Math.round(w));
    });
    observer.current.observe(el);
  }, []);
  return { ref, width };
}
