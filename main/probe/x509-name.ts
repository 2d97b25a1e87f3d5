/**
 * Formats a certificate's subject or issuer exactly as Go's pkix.Name.String() does, because
 * blackbox_exporter puts that string in probe_ssl_last_chain_info's labels. Node's
 * X509Certificate.subject uses OpenSSL's layout instead, so we read the DER ourselves: a tiny,
 * bounded TLV walker (no recursion beyond the fixed certificate structure).
 */

interface Tlv {
  readonly tag: number;
  readonly start: number; // of the header
  readonly body: number; // first content byte
  readonly end: number; // one past the last content byte
}

function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new Error('truncated DER');
  const tag = buf[pos]!;
  let len = buf[pos + 1]!;
  let body = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || body + n > limit) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i]!;
    body += n;
  }
  if (body + len > limit) throw new Error('DER element overruns its parent');
  return { tag, start: pos, body, end: body + len };
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.body; p < parent.end; ) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

function oidString(buf: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.body; i < t.end; i++) {
    const b = buf[i]!;
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function decodeString(buf: Uint8Array, t: Tlv): string {
  const bytes = buf.subarray(t.body, t.end);
  if (t.tag === 0x1e) {
    // BMPString: UTF-16BE
    let s = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return s;
  }
  if (t.tag === 0x14) return Buffer.from(bytes).toString('latin1'); // T61String, as Go reads it
  return Buffer.from(bytes).toString('utf8');
}

/** The attribute types Go's pkix.Name parses into fields, in ToRDNSequence order, and their short names. */
const fieldOrder: readonly (readonly [string, string])[] = [
  ['2.5.4.6', 'C'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.7', 'L'],
  ['2.5.4.9', 'STREET'],
  ['2.5.4.17', 'POSTALCODE'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.3', 'CN'],
  ['2.5.4.5', 'SERIALNUMBER'],
];
const shortName = new Map(fieldOrder);
/** Go's pkix.Name.String skips these in Names because they were parsed into fields (2.5.4.x). */
const parsedTypes = new Set(['2.5.4.3', '2.5.4.5', '2.5.4.6', '2.5.4.7', '2.5.4.8', '2.5.4.9', '2.5.4.10', '2.5.4.11', '2.5.4.17']);

interface Attr {
  readonly oid: string;
  readonly value: string;
}

/** Go's escaping in RDNSequence.String (RFC 2253 specials, leading '#', edge spaces). */
function escapeValue(s: string): string {
  const chars = [...s];
  return chars
    .map((c, k) => {
      const esc =
        ',+"\\<>;'.includes(c) || (c === ' ' && (k === 0 || k === chars.length - 1)) || (c === '#' && k === 0);
      return esc ? '\\' + c : c;
    })
    .join('');
}

/** asn1.Marshal of a Go string: PrintableString when every char allows it, else UTF8String. */
function marshalGoString(s: string): string {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
  const body = Buffer.from(s, 'utf8');
  const len = body.length < 128 ? Buffer.from([body.length]) : body.length < 256 ? Buffer.from([0x81, body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([printable ? 0x13 : 0x0c]), len, body]).toString('hex');
}

function formatName(attrs: readonly Attr[]): string {
  // Non-standard attributes first in the sequence (they print last), then the parsed fields.
  const seq: Attr[] = attrs.filter((a) => !parsedTypes.has(a.oid));
  for (const [oid] of fieldOrder) {
    const values = attrs.filter((a) => a.oid === oid);
    // Go keeps only the last CommonName and SerialNumber (plain string fields).
    const keep = oid === '2.5.4.3' || oid === '2.5.4.5' ? values.slice(-1) : values;
    seq.push(...keep);
  }
  return seq
    .reverse()
    .map((a) => {
      const name = shortName.get(a.oid);
      return name !== undefined ? `${name}=${escapeValue(a.value)}` : `${a.oid}=#${marshalGoString(a.value)}`;
    })
    .join(',');
}

function nameAttrs(buf: Uint8Array, name: Tlv): Attr[] {
  const out: Attr[] = [];
  for (const set of children(buf, name)) {
    for (const atv of children(buf, set)) {
      const [oid, value] = children(buf, atv);
      if (oid === undefined || value === undefined || oid.tag !== 0x06) continue;
      out.push({ oid: oidString(buf, oid), value: decodeString(buf, value) });
    }
  }
  return out;
}

export interface CertNames {
  readonly subject: string;
  readonly issuer: string;
}

/** Subject and issuer of a DER certificate in Go's pkix.Name.String() form. */
export function certNames(der: Uint8Array): CertNames {
  const { subject, issuer } = nameFields(der);
  return { subject: formatName(nameAttrs(der, subject)), issuer: formatName(nameAttrs(der, issuer)) };
}

/** The subject's CommonName values in order, unescaped: what Node gives as `subject.CN`. */
export function subjectCommonNames(der: Uint8Array): string[] {
  return nameAttrs(der, nameFields(der).subject)
    .filter((a) => a.oid === '2.5.4.3')
    .map((a) => a.value);
}

function nameFields(der: Uint8Array): { subject: Tlv; issuer: Tlv } {
  const cert = readTlv(der, 0, der.length);
  const [tbs] = children(der, cert);
  if (tbs === undefined) throw new Error('certificate has no tbsCertificate');
  const fields = children(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
  const issuer = fields[offset + 2];
  const subject = fields[offset + 4];
  if (issuer === undefined || subject === undefined) throw new Error('certificate lacks issuer or subject');
  return { subject, issuer };
}
