// Remote calls on a node: a presenter's `call` runs a built-in (ping, getStats) or an operator's
// plugin method (methods.ts) and gets one `call.result`: its value, or a closed code and a sentence.
import type { Json } from '../../../common/control-protocol.js';
import type { Logger } from '../../logger.js';
import type { ControlPeer } from '../connection.js';
import { builtinMethods, type ControlMethod, type StatsSource } from '../methods.js';

export class CallsFeature {
  private readonly methods: Record<string, ControlMethod>;

  constructor(plugin: Record<string, ControlMethod>, stats: StatsSource, private readonly nodeId: string, log: Logger) {
    const builtins = builtinMethods(stats);
    for (const name of Object.keys(plugin)) if (name in builtins) log.warn({ method: name }, 'control plugin method shadows a built-in; the built-in wins');
    this.methods = { ...plugin, ...builtins };
  }

  async call(peer: ControlPeer, id: string, method: string, args: Json[]): Promise<void> {
    const fn = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (!fn) return peer.send({ type: 'call.result', id, ok: false, code: 'unknown-method', message: `No method "${method}" on this node` });
    try {
      const value = await fn(args, { nodeId: this.nodeId });
      peer.send({ type: 'call.result', id, ok: true, value: value ?? null });
    } catch (err) {
      peer.send({ type: 'call.result', id, ok: false, code: 'call-failed', message: err instanceof Error ? err.message : String(err) });
    }
  }
}
