// The presenter layer's one error class: a code from the IPC contract's closed set and a sentence
// for the presenter (from presenter-text.ts). The dispatcher turns it into `{ ok: false, code, message }`.
import type { IpcErrorCode, IpcIssue } from '../../common/ipc-contract.js';

export class HostError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    readonly issues?: IpcIssue[],
  ) {
    super(message);
    this.name = 'HostError';
  }
}
