import { useState } from 'react';
import type { Status } from '../../app/api/status.js';
import { useEngineRead } from '../api/engine-reads.js';

/** How often every page re-reads the engine's status for storage problems. */
const pollMs = 15_000;

/**
 * Storage problems shown on every page: ingestion paused (disk full, I/O errors) and a database
 * found damaged at start. Queries keep working in both cases, so the rest of the page stays.
 */
export function StorageBanner() {
  const { data: status } = useEngineRead('status', {}, { pollMs });
  // The quarantine notice reports a one-time event at start; once read it can be put away (it
  // stays on the Status page). A pause is current state and stays while it lasts.
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (!status) return null;
  const { paused, quarantine } = status.storage;
  return <StorageNotice storage={{ paused, quarantine: quarantine === dismissed ? null : quarantine }} onDismissQuarantine={() => setDismissed(quarantine)} />;
}

/** The banner's content for a status answer (nothing when storage is healthy). */
export function StorageNotice({ storage, onDismissQuarantine }: { storage: Status['storage']; onDismissQuarantine?: () => void }) {
  if (storage.paused === null && storage.quarantine === null) return null;
  return (
    <div className="banner" role="alert" data-testid="storage-banner">
      {storage.paused !== null && (
        <p>
          <strong>Ingestion paused</strong> since {new Date(storage.paused.sinceMs).toLocaleString()}: {storage.paused.message}. New samples are not
          stored; queries keep working, and ingestion resumes by itself once storage can write again.
        </p>
      )}
      {storage.quarantine !== null && (
        <p>
          <strong>Database damaged at start</strong>: {storage.quarantine}
          {onDismissQuarantine && (
            <button type="button" className="link banner-dismiss" onClick={onDismissQuarantine}>
              Dismiss
            </button>
          )}
        </p>
      )}
    </div>
  );
}
