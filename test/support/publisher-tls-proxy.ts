// RTMPS for publisher tests: a throwaway CA and a certificate for "localhost" made with openssl, and
// HAProxy terminating TLS in front of an RTMP server. HAProxy forwards only connections whose SNI
// is "localhost" (others are cut), so a test sees whether the publisher sent the name.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';

export interface TestCa {
  dir: string;
  /** The CA certificate (PEM file): what a client must trust. */
  caFile: string;
  /** Leaf certificate and key in one PEM, as HAProxy's `crt` takes it. */
  combinedFile: string;
  remove(): void;
}

export function makeTestCa(name = 'localhost'): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-publisher-tls-'));
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Tandem Test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', f('leaf.key'), '-out', f('leaf.csr')]);
  fs.writeFileSync(f('ext.cnf'), `subjectAltName=DNS:${name}\nbasicConstraints=CA:FALSE\n`);
  run(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-out', f('leaf.pem'), '-extfile', f('ext.cnf')]);
  fs.writeFileSync(f('combined.pem'), fs.readFileSync(f('leaf.pem'), 'utf8') + fs.readFileSync(f('leaf.key'), 'utf8'));
  return { dir, caFile: f('ca.pem'), combinedFile: f('combined.pem'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface TlsProxy {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** HAProxy on a free loopback port: TLS with `ca`'s certificate, then plain TCP to `backendPort`. */
export async function startTlsProxy(ca: TestCa, backendPort: number, sni = 'localhost'): Promise<TlsProxy> {
  const port = await freePort();
  const cfg = path.join(ca.dir, `haproxy-${port}.cfg`);
  fs.writeFileSync(
    cfg,
    `global
  log stderr format raw local0 info
defaults
  mode tcp
  log global
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend rtmps
  bind 127.0.0.1:${port} ssl crt ${ca.combinedFile}
  tcp-request content reject unless { ssl_fc_sni -i ${sni} }
  default_backend rtmp
backend rtmp
  server s1 127.0.0.1:${backendPort}
`,
  );
  const proc = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    })();
    return stopping;
  };
  try {
    await waitForPort(port, 10_000);
  } catch (err) {
    await stop();
    throw new Error(`haproxy did not start: ${String(err)}\n${out}`, { cause: err });
  }
  return { port, output: () => out, stop };
}
