// The page's control session: one WebSocket to a node's /control as a viewer, every message parsed
// with the protocol's own schema. When it closes it moves to the next node of the cluster after a
// pause, like the player; follow() moves it to the node the player plays (a browser cannot see
// WebSocket pings, so a frozen node would otherwise keep this session forever).
import { Emitter } from '../../../common/event.js';
import {
  PROTOCOL_VERSION,
  controlSocketUrl,
  nodeToClientSchema,
  parseFrame,
  type NodeToClient,
  type ViewerToNode,
} from '../../../common/control-protocol.js';

export const CONTROL_RETRY_MS = 1000;
/** Whether this browser can inflate the node's deflated (binary) messages ('deflate-raw' came after 'deflate'). */
const CAN_INFLATE = (() => {
  try {
    new DecompressionStream('deflate-raw');
    return true;
  } catch {
    return false;
  }
})();

/** A binary frame is the JSON deflated (raw DEFLATE): its text. */
async function inflate(data: ArrayBuffer): Promise<string> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).text();
}

export interface ControlMessage {
  message: NodeToClient;
  /** The node that sent it. */
  base: string;
}

interface Session {
  ws: WebSocket;
  base: string;
  /** The voter id the node issued in this session's welcome: votes must carry it. */
  voterId?: string;
}

export class ControlClient {
  private session: Session | null = null;
  private index = 0;
  /** The voter id the last node issued, offered again to the next node this page talks to. */
  private issuedVoterId: string | undefined;
  private readonly _onMessage = new Emitter<ControlMessage>();
  /** Every valid message from the current node; anything else is dropped. */
  readonly onMessage = this._onMessage.event;
  private readonly _onClose = new Emitter<void>();
  /** The session ended (the node went away, or the page moved to another). */
  readonly onClose = this._onClose.event;

  constructor(private readonly bases: readonly string[]) {}

  start(): void {
    this.connect();
  }

  /** The node of the open (or opening) session, or null between sessions. */
  get base(): string | null {
    return this.session?.base ?? null;
  }

  /** Sends when the session is open; false otherwise (the caller re-sends after the next welcome). */
  send(m: ViewerToNode): boolean {
    const ws = this.session?.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    // Votes carry the id the node signed (a made-up one is refused), whatever the caller put in.
    const out = m.type === 'qa.vote' && this.session?.voterId ? { ...m, voterId: this.session.voterId } : m;
    ws.send(JSON.stringify(out));
    return true;
  }

  /** Moves the session to `base` (the node the player plays), if it is elsewhere. */
  follow(base: string): void {
    const s = this.session;
    if (!s || s.base === base) return;
    const at = this.bases.indexOf(base);
    if (at < 0) return;
    this.session = null;
    s.ws.onclose = null;
    s.ws.close();
    this._onClose.fire();
    this.index = at;
    this.connect();
  }

  private connect(): void {
    const base = this.bases[this.index % this.bases.length]!;
    const ws = new WebSocket(controlSocketUrl(base));
    ws.binaryType = 'arraybuffer';
    const session: Session = { ws, base };
    // Inflating is asynchronous: every frame waits for the one before it, so messages keep their order.
    let inOrder: Promise<unknown> = Promise.resolve();
    this.session = session;
    // The id a node issued before goes back in the hello: a node of the same cluster keeps it, so a
    // viewer who fails over votes as the same voter (and cannot vote twice by failing over).
    const voterId = this.issuedVoterId;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'viewer', delta: true, deflate: CAN_INFLATE, ...(voterId ? { voterId } : {}) } satisfies ViewerToNode));
    ws.onmessage = (e: MessageEvent) => {
      const data: unknown = e.data;
      inOrder = inOrder.then(async () => this.receive(session, data instanceof ArrayBuffer ? await inflate(data).catch(() => null) : data)).catch(() => undefined);
    };
    ws.onclose = () => {
      if (this.session !== session) return;
      this.session = null;
      this._onClose.fire();
      // Follow the cluster list like the player does: the next node, after a pause.
      this.index += 1;
      setTimeout(() => this.connect(), CONTROL_RETRY_MS);
    };
  }

  private receive(session: Session, data: unknown): void {
    const parsed = nodeToClientSchema.safeParse(parseFrame(data));
    if (!parsed.success || this.session !== session) return;
    if (parsed.data.type === 'welcome') {
      session.voterId = parsed.data.voterId;
      if (parsed.data.voterId) this.issuedVoterId = parsed.data.voterId;
    }
    this._onMessage.fire({ message: parsed.data, base: session.base });
  }
}
