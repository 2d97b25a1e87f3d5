import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../app/api/errors.js';
import { builtinProbeModules, websiteModuleName, websiteUrl } from '../../../main/setup/website.js';

const refusal = (input: string): string => {
  try {
    websiteUrl(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).kind).toBe('bad_request');
    return (err as ApiError).message;
  }
  throw new Error(`${input} was accepted`);
};

describe('"Add a website" addresses', () => {
  it('takes https addresses as they are and gives a bare host name https://', () => {
    expect(websiteUrl('https://example.com/status?x=1')).toBe('https://example.com/status?x=1');
    expect(websiteUrl('  example.com ')).toBe('https://example.com/');
    expect(websiteUrl('example.com:8443/health')).toBe('https://example.com:8443/health');
    expect(websiteUrl('HTTPS://Example.COM')).toBe('https://example.com/');
  });

  it('refuses what is not an https address with a host, saying why and naming the input', () => {
    expect(refusal('')).toMatch(/enter the address of a website/);
    expect(refusal('http://example.com')).toMatch(/^"http:\/\/example\.com": plain http:\/\/ .* use the https:\/\/ address/);
    expect(refusal('ftp://example.com')).toMatch(/ftp: is not a web address/);
    expect(refusal('mailto:ops@example.com')).toMatch(/mailto: is not a web address/);
    expect(refusal('exa mple.com')).toMatch(/^"exa mple\.com": not a web address/);
    expect(refusal('https://example.com:99999')).toMatch(/not a web address/);
    expect(refusal('https://user:secret@example.com')).toMatch(/user name or password/);
  });

  it('brings an http prober module that insists on TLS', () => {
    const m = builtinProbeModules().get(websiteModuleName);
    expect(m?.prober).toBe('http');
    expect(m?.prober === 'http' && m.http?.fail_if_not_ssl).toBe(true);
  });
});
