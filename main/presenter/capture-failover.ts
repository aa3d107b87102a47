// Whose capture is on air, and what keeps the servers fed when that window is gone. Only the window
// that owns the capture is heard. When it goes away (closed, crashed, reloaded, or gone before
// setup ended) the brand slate (an image with silence, timestamps continuous) goes on air, so
// viewers see a slate rather than a dead stream, until a window attaches its capture again.
import { DisposableStore, type IDisposable } from '../../common/lifecycle.js';
import type { Logger } from '../engine/base/logger.js';
import { HostError } from './host-error.js';
import type { LiveSession } from './live-session.js';
import { NOT_LIVE } from './presenter-text.js';
import type { WindowRegistry } from './window-registry.js';

export interface CaptureFailoverOptions {
  /** A PNG/JPEG shown (with silence) while no window's capture is on air. */
  slateImagePath: string;
  logger: Logger;
}

export class CaptureFailover implements IDisposable {
  private ownerId: string | null = null;
  private readonly store = new DisposableStore();
  private readonly log: Logger;

  constructor(
    private readonly session: Pick<LiveSession, 'state' | 'onPublish' | 'onEnd' | 'switchSource' | 'pushChunk'>,
    windows: Pick<WindowRegistry, 'has' | 'onDetach'>,
    private readonly opts: CaptureFailoverOptions,
  ) {
    this.log = opts.logger.child({ part: 'capture' });
    this.store.add(
      session.onPublish((e) => {
        this.ownerId = e.onAir === 'capture' ? e.clientId : null;
        // The window went away during setup: it will never send its capture.
        if (this.ownerId !== null && !windows.has(this.ownerId)) this.toSlate(this.ownerId);
      }),
    );
    this.store.add(session.onEnd(() => (this.ownerId = null)));
    this.store.add(
      windows.onDetach((id) => {
        if (id === this.ownerId && session.state === 'live') this.toSlate(id);
      }),
    );
  }

  /** Whether this window's capture is the one on air (its UI shows it as the source). */
  isOwner(clientId: string | null): boolean {
    return clientId !== null && this.ownerId === clientId;
  }

  /** Capture bytes from a window; only the owner's are passed on. */
  pushChunk(clientId: string, chunk: Uint8Array): boolean {
    if (this.ownerId !== clientId) return false;
    return this.session.pushChunk(chunk);
  }

  /** A window puts its capture on air (after a crash or reload, or instead of the test pattern). */
  async attach(clientId: string, mimeType: string): Promise<void> {
    if (this.session.state !== 'live') throw new HostError('invalid-state', NOT_LIVE);
    await this.session.switchSource({ kind: 'chunks', mimeType }, () => {
      this.ownerId = clientId;
    });
    this.log.info({ client: clientId }, 'capture attached');
  }

  dispose(): void {
    this.store.dispose();
  }

  /** The window that was on air is gone: keep the servers fed. */
  private toSlate(clientId: string): void {
    this.ownerId = null;
    void this.session.switchSource({ kind: 'slate', imagePath: this.opts.slateImagePath }).then(
      () => this.log.warn({ client: clientId }, 'capture window gone; slate on air'),
      (err) => this.log.error({ err: String(err) }, 'could not put the slate on air'),
    );
  }
}
