// probeRtmp against real servers: node-media-server, nginx-rtmp, a silent TCP
// listener, a closed port, an HTTP port and a name that cannot resolve. Each case
// checks the result, the wording (which step, no secrets) and the time it took.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRtmp, type ProbeOutcome } from '../../main/engine/rtmp/rtmp-probe.js';
import { startNms, type NmsHandle } from '../support/nms-fixture.js';
import { startNginxRtmp, type NginxRtmpHandle } from '../support/nginx-rtmp-fixture.js';
import { startSilentServer, type SilentServer } from '../support/silent-server.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait-for.js';

const KEY = 'sk-live-7f3a9c';
const QUERY = 'sign=1999999999-deadbeef';

function expectNoSecrets(o: ProbeOutcome): void {
  expect(o.message).not.toContain(KEY);
  expect(o.message).not.toContain('sign=');
  expect(o.message).not.toContain('deadbeef');
}

/** Sockets and timers this process holds, to show a probe leaves none behind. */
function handleCounts(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return {
    sockets: info.filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length,
    timers: info.filter((r) => r === 'Timeout').length,
  };
}

async function settle(): Promise<void> {
  // Socket handles close on the next turns of the loop after destroy().
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('probeRtmp against real servers', () => {
  let nms: NmsHandle;
  let nginx: NginxRtmpHandle;
  let silent: SilentServer;
  let hook: SilentServer;
  let stalledNginx: NginxRtmpHandle;

  beforeAll(async () => {
    silent = await startSilentServer();
    hook = await startSilentServer();
    [nms, nginx, stalledNginx] = await Promise.all([
      startNms({ rtmps: true }),
      startNginxRtmp(),
      // on_connect pointing at a listener that never answers: nginx-rtmp holds
      // connect(app) until its netcall timeout (7 s), well past our deadline.
      startNginxRtmp({ onConnect: `http://127.0.0.1:${hook.port}/on_connect` }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([nms?.stop(), nginx?.stop(), stalledNginx?.stop(), silent?.close(), hook?.close()]);
  });

  it('is ready against node-media-server, without revealing the key or query', async () => {
    const o = await probeRtmp(`${nms.url('live', KEY)}?${QUERY}`);
    expect(o.result).toBe('ready');
    expect(o.message).toMatch(/accepted connect\(live\)/);
    expect(o.elapsedMs).toBeLessThan(1000);
    expectNoSecrets(o);
  });

  it('is ready against nginx-rtmp', async () => {
    const o = await probeRtmp(`${nginx.url('live', KEY)}?${QUERY}`);
    expect(o.result).toBe('ready');
    expect(o.elapsedMs).toBeLessThan(1000);
    expectNoSecrets(o);
    // The connect really reached the application, with our tcUrl and flashVer.
    expect(nginx.errorLog()).toMatch(/connect: app='live' .*flashver='FMLE\/3\.0 \(compatible; Tandem\)'.*tc_url='rtmp:\/\/127\.0\.0\.1:\d+\/live'/);
    expect(nginx.errorLog()).not.toContain(KEY);
  });

  it('is rejected when nginx-rtmp has no such application (it closes after connect)', async () => {
    const o = await probeRtmp(nginx.url('nosuchapp', KEY));
    expect(o.result).toBe('rejected');
    expect(o.message).toMatch(/the server closed the connection after connect\(nosuchapp\)/);
    expect(o.elapsedMs).toBeLessThan(1000);
    expectNoSecrets(o);
    expect(nginx.errorLog()).toMatch(/application not found: 'nosuchapp'/);
  });

  it('is ready against node-media-server for any application: it only checks names at publish', async () => {
    // Measured, not assumed: node-media-server answers _result to connect() for an
    // app it has never heard of, even one its publish check refuses ("bad.app").
    // A probe cannot catch a wrong app name there; only the publish can.
    for (const app of ['nosuchapp', 'bad.app']) {
      const o = await probeRtmp(nms.url(app, KEY));
      expect(o.result, app).toBe('ready');
    }
  });

  it('is refused against a closed port', async () => {
    const port = await freePort();
    const o = await probeRtmp(`rtmp://127.0.0.1:${port}/live/${KEY}`);
    expect(o.result).toBe('refused');
    expect(o.message).toContain(`127.0.0.1:${port}`);
    expect(o.elapsedMs).toBeLessThan(500);
    expectNoSecrets(o);
  });

  it('times out at the RTMP handshake against a server that accepts and never answers, on time', async () => {
    const before = silent.accepted();
    const o = await probeRtmp(`${silent.url('live', KEY)}?${QUERY}`);
    expect(o.result).toBe('timeout');
    expect(o.message).toMatch(/RTMP handshake/);
    expect(o.elapsedMs).toBeGreaterThanOrEqual(2950);
    expect(o.elapsedMs).toBeLessThan(3500);
    expectNoSecrets(o);
    expect(silent.accepted()).toBe(before + 1);
  });

  it('honours a shorter timeoutMs', async () => {
    const o = await probeRtmp(silent.url('live'), { timeoutMs: 500 });
    expect(o.result).toBe('timeout');
    expect(o.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(o.elapsedMs).toBeLessThan(900);
  });

  it('times out at connect(app) when nginx-rtmp never answers it', async () => {
    const o = await probeRtmp(stalledNginx.url('live', KEY), { timeoutMs: 1500 });
    expect(o.result).toBe('timeout');
    expect(o.message).toMatch(/the answer to connect\(live\)/);
    expect(o.elapsedMs).toBeGreaterThanOrEqual(1450);
    expect(o.elapsedMs).toBeLessThan(2000);
    expectNoSecrets(o);
  });

  it('is unreachable for a host name that does not resolve', async () => {
    const o = await probeRtmp(`rtmp://nonexistent.invalid/live/${KEY}?${QUERY}`);
    expect(o.result).toBe('unreachable');
    expect(o.message).toMatch(/nonexistent\.invalid/);
    expect(o.elapsedMs).toBeLessThan(3000);
    expectNoSecrets(o);
  });

  it('is a protocol error against a port that speaks HTTP', async () => {
    const o = await probeRtmp(`rtmp://127.0.0.1:${nms.httpPort}/live/${KEY}`);
    expect(o.result).toBe('protocol-error');
    expect(o.message).toMatch(/does not speak RTMP: it answered in HTTP/);
    expect(o.elapsedMs).toBeLessThan(1000);
  });

  it('is a protocol error for rtmps:// against a port without TLS', async () => {
    const o = await probeRtmp(`rtmps://127.0.0.1:${nms.httpPort}/live/${KEY}`);
    expect(o.result).toBe('protocol-error');
    expect(o.message).toMatch(/TLS/);
    expect(o.elapsedMs).toBeLessThan(1000);
  });

  it('is a protocol error when the RTMPS certificate is not trusted', async () => {
    // node-media-server's bundled certificate is self-signed and expired; the
    // name goes out as SNI and the verification failure comes back in words.
    const o = await probeRtmp(`rtmps://localhost:${nms.rtmpsPort}/live/${KEY}?${QUERY}`);
    expect(o.result).toBe('protocol-error');
    expect(o.message).toMatch(/^TLS with localhost:\d+ failed: .*certificate/);
    expect(o.elapsedMs).toBeLessThan(1000);
    expectNoSecrets(o);
  });

  it('resolves promptly as "aborted" when its signal fires', async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      ac.abort();
    }, 200);
    const o = await probeRtmp(silent.url('live'), { signal: ac.signal });
    const lag = performance.now() - abortedAt;
    expect(o.result).toBe('timeout');
    expect(o.message).toMatch(/aborted during the RTMP handshake/);
    expect(o.elapsedMs).toBeLessThan(1000);
    expect(lag).toBeLessThan(100);

    const pre = new AbortController();
    pre.abort();
    const o2 = await probeRtmp(silent.url('live'), { signal: pre.signal });
    expect(o2.result).toBe('timeout');
    expect(o2.message).toMatch(/aborted/);
    expect(o2.elapsedMs).toBeLessThan(50);
  });

  it('leaves no socket or timer behind, and the server sees the hang-up', async () => {
    await settle();
    const before = handleCounts();
    const outcomes = await Promise.all([
      probeRtmp(nms.url('live')),
      probeRtmp(nginx.url('nosuchapp')),
      probeRtmp(silent.url('live'), { timeoutMs: 300 }),
      probeRtmp(`rtmp://127.0.0.1:${await freePort()}/live`),
    ]);
    expect(outcomes.map((o) => o.result)).toEqual(['ready', 'rejected', 'timeout', 'refused']);
    await settle();
    const after = handleCounts();
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    // The silent server's side of every probe connection closes too.
    await waitFor(() => silent.open() === 0, { timeoutMs: 3000, intervalMs: 20, what: 'the silent server to see every probe hang up' }).catch(() => {});
    expect(silent.open()).toBe(0);
  });

  it('rejects (throws) only for a malformed URL, a caller bug', async () => {
    await expect(probeRtmp('http://example.com/live')).rejects.toThrow(TypeError);
    await expect(probeRtmp('rtmp://127.0.0.1:1935')).rejects.toThrow(/no application/);
  });
});
