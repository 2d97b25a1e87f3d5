import { useEffect } from 'react';
import { onEngineEvent } from './event-hub.js';
import { useAlertsStore } from '../store/alerts.js';
import { appHash } from '../../app/app-urls.js';

const toastMs = 30_000;

/**
 * Desktop notifications mirrored in the page: in a browser there is no native notification,
 * and drills must be visibly marked wherever they land.
 */
export function NotificationToasts() {
  const { toasts, pushToast, dismissToast } = useAlertsStore();
  useEffect(
    () =>
      onEngineEvent((e) => {
        if (e.type === 'notification') pushToast(e);
      }),
    [pushToast],
  );
  // The oldest toast goes after a while; the inbox keeps the alert itself.
  const oldest = toasts[0]?.id;
  useEffect(() => {
    if (oldest === undefined) return;
    const t = setTimeout(() => dismissToast(oldest), toastMs);
    return () => clearTimeout(t);
  }, [oldest, dismissToast]);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast severity-${t.severity}${t.drill ? ' drill' : ''}`} data-testid="toast">
          {t.drill && <span className="drill-badge">DRILL</span>}
          <div className="toast-text">
            <b>{t.title}</b>
            <div className="small">{t.body}</div>
            {t.alertFingerprint && (
              <a href={appHash({ page: 'alerts', alert: t.alertFingerprint })} className="small">
                open alert
              </a>
            )}
          </div>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
