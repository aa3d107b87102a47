// While a server refuses connections (restarting, most likely), a TCP connect every interval tells
// the moment it accepts again, so the relay re-joins at once instead of sleeping out its backoff.
// A connect costs one SYN; nothing is sent, and the socket is closed as soon as it opens.
import net from 'node:net';
import type { IDisposable } from '../../../common/lifecycle.js';

export class ServerWatch implements IDisposable {
  private timer: NodeJS.Timeout | null;
  private probe: net.Socket | null = null;

  constructor(host: string, port: number, intervalMs: number, onAccepting: () => void) {
    this.timer = setInterval(() => {
      if (this.probe) return;
      const sock = net.connect({ host, port });
      this.probe = sock;
      sock.setTimeout(1000);
      const done = (ok: boolean) => {
        sock.destroy();
        if (this.probe !== sock) return;
        this.probe = null;
        if (ok && this.timer) {
          this.dispose();
          onAccepting();
        }
      };
      sock.once('connect', () => done(true));
      sock.once('error', () => done(false));
      sock.once('timeout', () => done(false));
    }, intervalMs);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.probe?.destroy();
    this.probe = null;
  }
}
