// The engine's named errors: what the presenter layer and the CLIs tell apart (by class or `code`).
import type { SetupStatus } from '../../common/streaming.js';

export class NoServerReadyError extends Error {
  readonly code = 'no-server-ready';
  constructor(readonly setup: SetupStatus, requireAll: boolean) {
    super(
      requireAll
        ? 'Not every server is ready, and this session requires all of them: ' + summarize(setup)
        : 'No server is ready, so there is nowhere to go live: ' + summarize(setup),
    );
    this.name = 'NoServerReadyError';
  }
}

export class InvalidStateError extends Error {
  readonly code = 'invalid-state';
}

function summarize(setup: SetupStatus): string {
  return setup.servers.map((s) => `${s.label}: ${s.result} (${s.message})`).join('; ');
}
