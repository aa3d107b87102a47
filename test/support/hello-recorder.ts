// A stand-in node for security tests: a WebSocket server on loopback that records every first
// message (the hello, token included) it is sent, and answers a presenter's hello with welcome.
import { WebSocketServer } from 'ws';

export interface HelloRecorder {
  port: number;
  /** The first message of each connection, parsed. */
  hellos: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function helloRecorder(host = '127.0.0.1'): Promise<HelloRecorder> {
  const wss = new WebSocketServer({ host, port: 0 });
  await new Promise<void>((resolve, reject) => wss.once('listening', resolve).once('error', reject));
  const hellos: Record<string, unknown>[] = [];
  wss.on('connection', (ws) => {
    ws.once('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      hellos.push(m);
      ws.send(JSON.stringify({ type: 'welcome', v: m.v, role: 'presenter', nodeId: 'recorder' }));
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    port,
    hellos,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
