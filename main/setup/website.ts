/**
 * "Add a website": the address check and the built-in probe module. A website is probed with
 * blackbox_exporter's http prober over HTTPS (the `http_2xx` shape with `fail_if_not_ssl`), so
 * its certificate chain is read on every run (`probe_ssl_*` and Vigil's per-certificate series).
 */
import { ApiError } from '../../app/api/errors.js';
import { parseModules } from '../probe/module-config.js';
import type { ProbeModule } from '../probe/module-schema.js';

export const websiteModuleName = 'vigil_website';
export const websiteJob = 'websites';

const moduleText = `modules:
  ${websiteModuleName}:
    prober: http
    timeout: 10s
    http:
      fail_if_not_ssl: true
`;

/** The probe modules Vigil brings besides the user's blackbox_config_file. */
export function builtinProbeModules(): ReadonlyMap<string, ProbeModule> {
  return parseModules(moduleText, '<vigil built-in modules>');
}

const bad = (input: string, why: string) => new ApiError({ kind: 'bad_request', where: 'url', message: `${JSON.stringify(input)}: ${why}` });

/**
 * The https:// address to probe for what the user typed: a bare host name gets `https://`;
 * anything that is not an https address with a host (http://, ftp:, spaces, credentials, a bad
 * port) is refused with an error saying why.
 */
export function websiteUrl(input: string): string {
  const text = input.trim();
  if (text === '') throw new ApiError({ kind: 'bad_request', where: 'url', message: 'enter the address of a website, e.g. https://example.com' });
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    throw bad(input, 'not a web address (expected e.g. https://example.com)');
  }
  if (url.protocol === 'http:') throw bad(input, 'plain http:// has no certificate to watch; Vigil probes websites over https:// — use the https:// address');
  if (url.protocol !== 'https:') throw bad(input, `${url.protocol} is not a web address; use https://`);
  if (url.hostname === '') throw bad(input, 'the address has no host name');
  if (url.username !== '' || url.password !== '') throw bad(input, 'the address holds a user name or password; remove them (probes send no credentials from the address)');
  return url.href;
}
