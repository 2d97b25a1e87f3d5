import type { QueryError } from '../api/query-cache.js';

/**
 * How every page shows a failed read: a service that is not running yet (or any more) is a
 * passing state the read retries by itself, not an error to fix.
 */
export function ReadError({ error, testId }: { error: QueryError | null; testId?: string }) {
  if (error === null) return null;
  const unavailable = error.kind === 'unavailable';
  return (
    <p className={unavailable ? 'notice' : 'error'} role={unavailable ? 'status' : 'alert'} data-kind={error.kind} {...(testId ? { 'data-testid': testId } : {})}>
      {error.message}
      {unavailable && ' — retrying…'}
    </p>
  );
}
