// The PROXY protocol parser (app/http/proxy-protocol.ts): v1 and v2 headers give the client's
// address and their length; partial headers ask for more; anything else is not a header, and a
// broken header is refused rather than guessed at.
import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from '../../app/http/proxy-protocol.js';

const SIG = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function v2(verCmd: number, fam: number, body: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([SIG, Buffer.from([verCmd, fam]), len, body]);
}

describe('PROXY protocol header', () => {
  it('reads a v1 TCP4 and TCP6 line and what follows it starts the connection', () => {
    const line = 'PROXY TCP4 192.0.2.7 10.0.0.1 51000 8080\r\n';
    expect(parseProxyHeader(Buffer.from(`${line}GET / HTTP/1.1\r\n`))).toEqual({ kind: 'header', length: line.length, address: '192.0.2.7' });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n'))).toMatchObject({ kind: 'header', address: '2001:db8::1' });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ kind: 'header', length: 15, address: null });
  });

  it('asks for more on a partial header, and says none for HTTP, TLS and RTMP', () => {
    expect(parseProxyHeader(Buffer.from('PRO'))).toEqual({ kind: 'more' });
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 192.0.2.7'))).toEqual({ kind: 'more' });
    expect(parseProxyHeader(SIG.subarray(0, 5))).toEqual({ kind: 'more' });
    expect(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'none' });
    expect(parseProxyHeader(Buffer.from([0x16, 0x03, 0x01]))).toEqual({ kind: 'none' });
    expect(parseProxyHeader(Buffer.from([0x03]))).toEqual({ kind: 'none' });
  });

  it('refuses malformed v1 lines: a forged family, a bad address, an endless line', () => {
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 2001:db8::1 10.0.0.1 1 2\r\n')).kind).toBe('bad');
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 999.0.0.1 10.0.0.1 1 2\r\n')).kind).toBe('bad');
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 192.0.2.7 10.0.0.1 1 99999\r\n')).kind).toBe('bad');
    expect(parseProxyHeader(Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`)).kind).toBe('bad');
  });

  it('reads v2 IPv4 and IPv6 sources, skips TLVs, and takes LOCAL as no client address', () => {
    const ipv4 = Buffer.from([192, 0, 2, 9, 10, 0, 0, 1, 0xc3, 0x50, 0x1f, 0x90]);
    const tlv = Buffer.from([0x04, 0x00, 0x02, 0xaa, 0xbb]);
    const h = v2(0x21, 0x11, Buffer.concat([ipv4, tlv]));
    expect(parseProxyHeader(Buffer.concat([h, Buffer.from('GET')]))).toEqual({ kind: 'header', length: h.length, address: '192.0.2.9' });
    expect(parseProxyHeader(h.subarray(0, h.length - 1))).toEqual({ kind: 'more' });
    const ipv6 = Buffer.alloc(36);
    ipv6.writeUInt16BE(0x2001, 0);
    ipv6.writeUInt16BE(0x0db8, 2);
    ipv6.writeUInt16BE(0x0001, 14);
    expect(parseProxyHeader(v2(0x21, 0x21, ipv6))).toMatchObject({ kind: 'header', address: '2001:db8::1' });
    expect(parseProxyHeader(v2(0x20, 0x00, Buffer.alloc(0)))).toEqual({ kind: 'header', length: 16, address: null });
  });

  it('refuses v2 headers of another version or command, or with addresses cut short', () => {
    expect(parseProxyHeader(v2(0x11, 0x11, Buffer.alloc(12))).kind).toBe('bad');
    expect(parseProxyHeader(v2(0x22, 0x11, Buffer.alloc(12))).kind).toBe('bad');
    expect(parseProxyHeader(v2(0x21, 0x11, Buffer.alloc(6))).kind).toBe('bad');
  });
});
