import type { Config } from './schema.js';

/** Base URLs of the Alertmanagers named by `alerting.alertmanagers` (static configs only). */
export function alertmanagerUrls(config: Config): string[] {
  return config.alerting.alertmanagers.flatMap((am) =>
    (am.static_configs ?? []).flatMap((sc) => sc.targets.map((t) => `${am.scheme}://${t}${am.path_prefix === '/' ? '' : am.path_prefix.replace(/\/$/, '')}`)),
  );
}
