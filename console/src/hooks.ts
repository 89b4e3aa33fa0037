import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, getView } from './api.ts';

/** how often a page reads its view again (live data) */
const REFRESH_MS = 5000;

export interface ViewState<T> {
  data?: T;
  error?: string;
  /** the key was refused */
  unauthorized: boolean;
  reload(): Promise<void>;
}

/** a view of the admin API, read now and every REFRESH_MS while the page is shown */
export const useView = <T>(view: string): ViewState<T> => {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [unauthorized, setUnauthorized] = useState(false);
  const reload = useCallback(async () => {
    try {
      setData(await getView<T>(view));
      setError(undefined);
      setUnauthorized(false);
    } catch (err) {
      setUnauthorized(err instanceof ApiError && err.status === 401);
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [view]);
  useEffect(() => {
    void reload();
    const t = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);
  return { ...(data !== undefined ? { data } : {}), ...(error !== undefined ? { error } : {}), unauthorized, reload };
};
