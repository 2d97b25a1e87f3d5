/** Email over SMTP with nodemailer; subject and body follow Alertmanager's default email. */
import nodemailer from 'nodemailer';
import type { EmailConfig, GlobalConfig } from '../config.js';
import { DeliveryError, firingAndResolved, summaryLine, type Integration, type Notification } from '../integration.js';
import type { NotifyAlert } from '../alert.js';

function alertText(a: NotifyAlert): string {
  const labels = Object.entries(a.labels).map(([k, v]) => `  - ${k} = ${v}`);
  const ann = Object.entries(a.annotations).map(([k, v]) => `  - ${k} = ${v}`);
  return ['Labels:', ...labels, ...(ann.length > 0 ? ['Annotations:', ...ann] : []), ...(a.generatorURL !== '' ? [`Source: ${a.generatorURL}`] : []), ''].join('\n');
}

function emailBody(n: Notification): string {
  const { firing, resolved } = firingAndResolved(n);
  const parts: string[] = [];
  if (firing.length > 0) parts.push(`${firing.length} alert(s) firing:`, '', ...firing.map(alertText));
  if (resolved.length > 0) parts.push(`${resolved.length} alert(s) resolved:`, '', ...resolved.map(alertText));
  if (n.externalURL !== '') parts.push(`Sent by Vigil: ${n.externalURL}`);
  return parts.join('\n');
}

function splitHost(smarthost: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(smarthost);
  if (m === null) throw new DeliveryError(`email: smarthost ${JSON.stringify(smarthost)} must be host:port`, false);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

export function emailIntegration(name: string, cfg: EmailConfig, global: GlobalConfig = {}): Integration {
  const smarthost = cfg.smarthost ?? global.smtp_smarthost ?? '';
  const from = cfg.from ?? global.smtp_from ?? '';
  const user = cfg.auth_username ?? global.smtp_auth_username;
  const pass = cfg.auth_password ?? global.smtp_auth_password;
  const requireTls = cfg.require_tls ?? global.smtp_require_tls ?? true;
  return {
    name,
    kind: 'email',
    sendResolved: cfg.send_resolved,
    async send(n) {
      const { host, port } = splitHost(smarthost);
      const transport = nodemailer.createTransport({
        host,
        port,
        secure: port === 465,
        requireTLS: requireTls,
        ignoreTLS: !requireTls,
        name: cfg.hello ?? global.smtp_hello ?? 'localhost',
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
        ...(user !== undefined ? { auth: { user, pass: pass ?? '' } } : {}),
      });
      try {
        await transport.sendMail({
          from,
          to: cfg.to,
          subject: cfg.subject ?? summaryLine(n),
          text: cfg.text ?? emailBody(n),
          headers: cfg.headers ?? {},
        });
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        // SMTP 5xx is a permanent refusal; 4xx and connection trouble may pass later.
        throw new DeliveryError(`email ${name}: sending to ${cfg.to} via ${smarthost} failed: ${(e as Error).message}`, code === undefined || code < 500);
      } finally {
        transport.close();
      }
    },
  };
}
