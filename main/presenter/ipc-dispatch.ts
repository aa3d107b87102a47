// Where every IPC call lands, whichever transport carried it (Electron's ipc-main wrapper or
// browser mode's WebSocket): the channel is checked against the contract, the payload parsed with
// its schema, the handler from the IPC table (ipc-handlers.ts) run, and every failure turned into
// `{ ok: false, code, message }`.
import { z } from 'zod';
import {
  type InvokeChannel,
  type InvokeValue,
  type IpcResult,
  failure,
  invokeContract,
  isInvokeChannel,
} from '../../common/ipc-contract.js';
import { redactText } from '../../common/redact.js';
import type { Logger } from '../engine/base/logger.js';
import { InvalidStateError, NoServerReadyError } from '../engine/multi-connection.js';
import { FfmpegNotFoundError } from '../engine/ffmpeg/find-ffmpeg.js';
import { HostError } from './host-error.js';
import { INTERNAL_ERROR, INVALID_REQUEST, REQUEST_NOT_VALID, UNKNOWN_REQUEST } from './presenter-text.js';

/** Who is calling: one renderer window or one browser-mode WebSocket. */
export interface CallContext {
  clientId: string;
}

export type ParsedArgs<C extends InvokeChannel> = z.output<(typeof invokeContract)[C]['args']>;

export type InvokeHandlers = {
  [C in InvokeChannel]: (args: ParsedArgs<C>, ctx: CallContext) => Promise<InvokeValue<C>>;
};

function issuesOf(err: z.ZodError) {
  return err.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
}

export class IpcDispatcher {
  constructor(
    private readonly handlers: InvokeHandlers,
    private readonly log: Logger,
  ) {}

  async dispatch(channel: unknown, rawArgs: unknown, ctx: CallContext): Promise<IpcResult<unknown>> {
    if (!isInvokeChannel(channel)) {
      this.log.warn({ client: ctx.clientId, channel: String(channel).slice(0, 64) }, 'ipc: unknown channel');
      return failure('unknown-channel', UNKNOWN_REQUEST);
    }
    const parsed = invokeContract[channel].args.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      this.log.warn({ client: ctx.clientId, channel, issues: issues.map((i) => i.path.join('.')) }, 'ipc: invalid args');
      return failure('invalid-args', issues[0] ? `${issues[0].path.join('.') || 'request'}: ${issues[0].message}` : INVALID_REQUEST, issues);
    }
    try {
      const handler = this.handlers[channel] as (args: unknown, ctx: CallContext) => Promise<unknown>;
      const value = await handler(parsed.data, ctx);
      return { ok: true, value };
    } catch (err) {
      return this.toFailure(channel, err, ctx);
    }
  }

  private toFailure(channel: string, err: unknown, ctx: CallContext): IpcResult<never> {
    if (err instanceof HostError) return failure(err.code, err.message, err.issues);
    if (err instanceof NoServerReadyError) return failure('no-server-ready', redactText(err.message));
    if (err instanceof InvalidStateError) return failure('invalid-state', redactText(err.message));
    if (err instanceof FfmpegNotFoundError) return failure('ffmpeg-missing', err.message);
    if (err instanceof z.ZodError) return failure('invalid-args', REQUEST_NOT_VALID, issuesOf(err));
    // Unknown errors are logged (redacted) and reported without detail: they may carry secrets.
    this.log.error({ client: ctx.clientId, channel, err: redactText(String((err as Error)?.stack ?? err)) }, 'ipc: handler failed');
    return failure('internal', INTERNAL_ERROR);
  }
}
