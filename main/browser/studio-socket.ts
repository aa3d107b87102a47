// One browser window's connection to the presenter layer: the IPC contract over one WebSocket.
// Text frames are invokes (answered with results) and the window's events go out as text too;
// binary frames are capture chunks. A window that stops answering pings is dropped, so a frozen
// tab lets go of the capture and the slate goes on air.
import type { WebSocket } from 'ws';
import { type WsServerMessage, failure, wsClientMessageSchema } from '../../common/ipc-contract.js';
import type { Logger } from '../engine/base/logger.js';
import type { CaptureFailover } from '../presenter/capture-failover.js';
import type { IpcDispatcher } from '../presenter/ipc-dispatch.js';
import type { WindowRegistry } from '../presenter/window-registry.js';

export interface StudioSocketOptions {
  windows: Pick<WindowRegistry, 'attach'>;
  capture: Pick<CaptureFailover, 'pushChunk'>;
  dispatcher: Pick<IpcDispatcher, 'dispatch'>;
  logger: Logger;
  /** How often a silent socket is pinged; two missed pongs end it. */
  heartbeatMs?: number;
}

/** Serves one socket as the window `clientId` until it closes (the window is then detached). */
export function serveStudioSocket(ws: WebSocket, clientId: string, o: StudioSocketOptions): void {
  const log = o.logger;
  const sendMsg = (m: WsServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const attached = o.windows.attach({ id: clientId, send: (channel, payload) => sendMsg({ t: 'event', channel, payload }) });
  let missed = 0;
  ws.on('pong', () => (missed = 0));
  const heartbeat = setInterval(() => {
    if (++missed > 2) {
      log.warn({ client: clientId }, 'studio: window stopped answering');
      ws.terminate();
      return;
    }
    ws.ping();
  }, o.heartbeatMs ?? 5000);
  ws.on('message', (data, isBinary) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      o.capture.pushChunk(clientId, buf);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(buf.toString('utf8'));
    } catch {
      ws.close(1003, 'not json');
      return;
    }
    const msg = wsClientMessageSchema.safeParse(raw);
    if (!msg.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      sendMsg({ t: 'result', id, result: failure('invalid-args', 'This message is not part of the contract') });
      return;
    }
    const { id, channel, args } = msg.data;
    void o.dispatcher.dispatch(channel, args, { clientId }).then((result) => sendMsg({ t: 'result', id, result }));
  });
  ws.once('close', () => {
    clearInterval(heartbeat);
    attached.dispose();
  });
  ws.on('error', (err) => log.warn({ client: clientId, err: err.message }, 'studio: socket error'));
}
