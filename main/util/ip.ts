import { isIP } from 'node:net';

/** An IP address as bytes: 4 for IPv4 (and IPv4-mapped IPv6, as Go's To4()), else 16. */
export function ipBytes(address: string): number[] {
  if (isIP(address) === 4) return address.split('.').map(Number);
  // IPv6 (possibly with an embedded IPv4 tail); `::ffff:a.b.c.d` hashes as IPv4, as Go's To4().
  let addr = address.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  let tail: number[] = [];
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    addr = addr.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head = '', rest] = addr.split('::');
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r].map((g) => parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (v4) bytes.splice(12, 4, ...tail);
  const isV4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return isV4Mapped ? bytes.slice(12) : bytes;
}

/** Link-local ranges (cloud metadata lives at 169.254.169.254 / fe80::…): refused unless allowed. */
export function isLinkLocal(address: string): boolean {
  const b = ipBytes(address);
  if (b.length === 4) return b[0] === 169 && b[1] === 254;
  return b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
}
