import { describe, it, expect } from 'vitest';
import { chooseProtocol, ipAddrHash } from '../../../main/probe/resolve.js';
import { ipBytes, isLinkLocal } from '../../../main/util/ip.js';
import { MetricSet, type ProbeContext } from '../../../main/probe/types.js';

function ctx(): ProbeContext {
  return { metrics: new MetricSet(), log: () => {}, signal: new AbortController().signal, deadline: Date.now() + 5000, pingPath: 'ping', certificates: [] };
}

describe('resolution metrics', () => {
  it('hashes the address bytes with FNV-1a 32, as blackbox (127.0.0.1 → 3668918509 in the reference)', () => {
    expect(ipAddrHash('127.0.0.1')).toBe(3668918509);
    expect(ipAddrHash('::ffff:127.0.0.1')).toBe(3668918509); // Go's To4()
    expect(ipBytes('::1')).toEqual([...Array<number>(15).fill(0), 1]);
    expect(ipBytes('2001:db8::8:800:200c:417a')).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a]);
  });

  it('detects link-local metadata addresses', () => {
    expect(isLinkLocal('169.254.169.254')).toBe(true);
    expect(isLinkLocal('fe80::1')).toBe(true);
    expect(isLinkLocal('febf::1')).toBe(true);
    expect(isLinkLocal('fec0::1')).toBe(false);
    expect(isLinkLocal('10.0.0.1')).toBe(false);
  });

  it('prefers the configured family and falls back like chooseProtocol', async () => {
    const both = async (): Promise<{ address: string; family: number }[]> => [
      { address: '2001:db8::1', family: 6 },
      { address: '192.0.2.1', family: 4 },
    ];
    const c = ctx();
    expect((await chooseProtocol(c, 'h', undefined, true, both)).address).toBe('2001:db8::1');
    expect(c.metrics.get('probe_ip_protocol')).toBe(6);
    const c4 = ctx();
    expect((await chooseProtocol(c4, 'h', 'ip4', true, both)).address).toBe('192.0.2.1');
    expect(c4.metrics.get('probe_ip_protocol')).toBe(4);
    const only4 = async (): Promise<{ address: string; family: number }[]> => [{ address: '192.0.2.1', family: 4 }];
    await expect(chooseProtocol(ctx(), 'h', 'ip6', false, only4)).rejects.toThrow(/no ip6 address/);
    const failed = ctx();
    await expect(chooseProtocol(failed, 'h', 'ip4', true, () => Promise.reject(new Error('ENOTFOUND h')))).rejects.toThrow(/ENOTFOUND/);
    // Registered up front: present (as 0) even though resolution failed.
    expect(failed.metrics.get('probe_ip_protocol')).toBe(0);
    expect(failed.metrics.get('probe_ip_addr_hash')).toBe(0);
  });
});
