import type { Certificate } from '../../app/api/probes.js';

const dayMs = 86_400_000;

/** Days left on a certificate and its urgency class (≤ 7 critical, ≤ 30 warning). */
function certUrgency(notAfterMs: number, now: number): { days: number; level: 'expired' | 'critical' | 'warning' | 'ok' } {
  const days = Math.floor((notAfterMs - now) / dayMs);
  const level = notAfterMs <= now ? 'expired' : days <= 7 ? 'critical' : days <= 30 ? 'warning' : 'ok';
  return { days, level };
}

export function CertificatePanel({ certs }: { certs: readonly Certificate[] }) {
  const now = Date.now();
  return (
    <table className="cert-panel" data-testid="cert-panel">
      <thead>
        <tr>
          <th>Depth</th>
          <th>Subject</th>
          <th>Issuer</th>
          <th>Expires</th>
          <th>Days left</th>
        </tr>
      </thead>
      <tbody>
        {certs.map((c) => {
          const u = certUrgency(c.notAfterMs, now);
          return (
            <tr key={c.fingerprintSha256 + c.depth} className={`cert-${u.level}`}>
              <td>{c.depth}</td>
              <td>
                <code>{c.subject}</code>
              </td>
              <td>
                <code>{c.issuer}</code>
              </td>
              <td>{new Date(c.notAfterMs).toISOString().slice(0, 10)}</td>
              <td className={`days ${u.level}`} data-testid="cert-days">
                {u.level === 'expired' ? 'expired' : `${u.days} d`}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
