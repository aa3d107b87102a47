// Entry of the media child process: the media core (media-service.ts) on this process's IPC channel.
// It reports typed events to the supervisor and exits when the supervisor goes away, so a killed node
// never leaves an orphan media core. (`--media-in-process` runs the same core in the node instead.)
import { redactText } from '../../common/redact.js';
import { createLogger } from '../logger.js';
import type { FromChild } from './media-protocol.js';
import { MediaEndpoint } from './media-service.js';
import { loadNms } from './nms-bridge.js';

const fallbackLog = createLogger({ level: 'info' }).child({ proc: 'media' });
// Anything else in this process that writes with console (the library's store) goes through the
// redacting logger too, so the node's log stays structured and free of secrets.
console.log = (...args: unknown[]) => fallbackLog.debug({ src: 'nms' }, redactText(args.map(String).join(' ')));
console.error = (...args: unknown[]) => fallbackLog.warn({ src: 'nms' }, redactText(args.map(String).join(' ')));

function send(msg: FromChild, then?: () => void): void {
  if (process.send && process.connected) process.send(msg, undefined, {}, () => then?.());
  else then?.();
}

const endpoint = new MediaEndpoint({ send, exit: (code) => process.exit(code) });

process.on('exit', () => endpoint.removeStore());
process.on('disconnect', () => void endpoint.end(0));
process.on('SIGTERM', () => void endpoint.end(0));
process.on('SIGINT', () => void endpoint.end(0));
process.on('message', (raw: unknown, handle: unknown) => endpoint.receive(raw, handle));

// Loaded now, not when configured: a node forks this process before it has loaded itself, so the
// library loads while the node does (app/media/media-child-fork.ts). A failure is told when configured.
try {
  loadNms();
} catch {
  // NmsIncompatibleError again at configure, reported to the node then.
}
send({ type: 'loaded' });
