import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** How often a visible page reloads its data. */
export const POLL_MS = 3000;

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Loads `load()` now, again whenever `deps` change, and every POLL_MS while
 * the page is visible (and at once when it becomes visible again). A call
 * never overlaps the previous one; the last data stays shown while an error
 * is reported beside it. A load that returns the very object it returned
 * before (getJson on a `304 Not Modified`) leaves the state, and so the page,
 * as it is: an idle page costs no rendering.
 */
export function usePolled<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  poll = true,
): Loaded<T> {
  const [state, setState] = useState<{
    data: T | undefined;
    error: Error | undefined;
    loading: boolean;
  }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const generation = useRef(0);
  const busy = useRef(false);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async (fresh: boolean) => {
    if (busy.current && !fresh) return;
    const mine = fresh ? ++generation.current : generation.current;
    busy.current = true;
    try {
      const data = await loadRef.current();
      // The same object again (a 304 answered by getJson's memory): nothing to render.
      if (mine === generation.current)
        setState((s) =>
          s.data === data && s.error === undefined && !s.loading
            ? s
            : { data, error: undefined, loading: false },
        );
    } catch (e) {
      if (mine === generation.current)
        setState((s) => ({ data: s.data, error: e as Error, loading: false }));
    } finally {
      if (mine === generation.current) busy.current = false;
    }
  }, []);

  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true });
    void run(true);
    if (!poll) return undefined;
    const tick = () => {
      if (document.visibilityState === 'visible') void run(false);
    };
    const timer = setInterval(tick, POLL_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
      generation.current++;
      busy.current = false;
    };
  }, deps);

  return { ...state, reload: () => void run(true) };
}

export interface Route {
  /** The path after `#`, e.g. `/instances/123`. */
  readonly path: string;
  readonly params: URLSearchParams;
}

function currentRoute(): Route {
  const hash = location.hash.replace(/^#/, '') || '/overview';
  const [path, search = ''] = hash.split('?');
  return { path, params: new URLSearchParams(search) };
}

/**
 * Hash routing (`/cockpit/#/instances/123`): every page of the cockpit is
 * the one file /cockpit/index.html, so no path of the UI can collide with a
 * route of the API, and a reload or a shared link lands where it was.
 */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export const href = (path: string, params: Record<string, string | undefined> = {}): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, v);
  const text = search.toString();
  return `#${path}${text === '' ? '' : `?${text}`}`;
};

export const navigate = (path: string, params: Record<string, string | undefined> = {}): void => {
  location.hash = href(path, params);
};
