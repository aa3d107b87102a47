// Assembles browser mode (`tandem studio`): settings and secrets on disk, the presenter profile,
// the same presenter layer as the Electron shell with the real MultiConnection, the IPC dispatcher
// and the HTTP + WebSocket server that carries it to a browser.
import path from 'node:path';
import type { IDisposable } from '../../common/lifecycle.js';
import type { Logger } from '../engine/base/logger.js';
import { MultiConnection } from '../engine/multi-connection.js';
import { loadBrand } from '../presenter/default-brand.js';
import { IpcDispatcher } from '../presenter/ipc-dispatch.js';
import { presenterHandlers } from '../presenter/ipc-handlers.js';
import { ASSETS_DIR, SLATE_IMAGE } from '../presenter/paths.js';
import { Presenter, type PresenterDeps } from '../presenter/presenter.js';
import { PresenterProfile } from '../presenter/presenter-profile.js';
import { FileSecretStore, JsonFileSettingsStore } from '../presenter/storage.js';
import { StudioServer } from './studio-server.js';

export interface StudioAppOptions {
  dataDir: string;
  rendererDir: string;
  logger: Logger;
  listenHost?: string;
  port?: number;
  demo?: boolean;
  version?: string;
  /** The engine for each live session: the real MultiConnection unless a test passes a fake. */
  createConnection?: PresenterDeps['createConnection'];
  /** Where webcasts are recorded: this, else $TANDEM_RECORDINGS_DIR, else <dataDir>/recordings. */
  recordingsDir?: string;
  /** The test pattern's source: the engine's default unless a bench passes a lighter one. */
  testPattern?: PresenterDeps['testPattern'];
}

export interface StudioApp extends IDisposable {
  presenter: Presenter;
  profile: PresenterProfile;
  server: StudioServer;
  close(): Promise<void>;
}

export async function startStudioApp(o: StudioAppOptions): Promise<StudioApp> {
  const profile = new PresenterProfile(
    new JsonFileSettingsStore(path.join(o.dataDir, 'settings.json')),
    new FileSecretStore(path.join(o.dataDir, 'secrets.json')),
    loadBrand(path.join(ASSETS_DIR, 'brand')),
  );
  const presenter = new Presenter({
    profile,
    createConnection: o.createConnection ?? ((opts) => new MultiConnection({ ...opts, logger: o.logger.child({ part: 'engine' }) })),
    recordingsDir: o.recordingsDir ?? (process.env.TANDEM_RECORDINGS_DIR || path.join(o.dataDir, 'recordings')),
    slateImagePath: SLATE_IMAGE,
    logger: o.logger,
    mode: 'studio',
    version: o.version ?? '0.1.0',
    demo: !!o.demo,
    ...(o.testPattern ? { testPattern: o.testPattern } : {}),
  });
  const dispatcher = new IpcDispatcher(presenterHandlers(presenter), o.logger.child({ part: 'ipc' }));
  let server: StudioServer;
  try {
    server = await StudioServer.start({
      windows: presenter.windows,
      capture: presenter.capture,
      dispatcher,
      rendererDir: o.rendererDir,
      logger: o.logger,
      ...(o.listenHost ? { listenHost: o.listenHost } : {}),
      ...(o.port !== undefined ? { port: o.port } : {}),
    });
  } catch (err) {
    // e.g. the port is taken: nothing was started yet, but the services' listeners must not linger.
    await presenter.shutdown();
    throw err;
  }
  let closing: Promise<void> | null = null;
  const close = () => {
    // Windows stay connected while the presenter ends the live session, so they see it end (and the
    // capture window's socket closing cannot put the slate on air mid-shutdown); then they go.
    closing ??= (async () => {
      server.stopAccepting();
      try {
        await presenter.shutdown();
      } finally {
        await server.close();
      }
    })();
    return closing;
  };
  return { presenter, profile, server, close, dispose: () => void close() };
}
