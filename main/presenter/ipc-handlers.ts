// The IPC table: every channel of the contract (common/ipc-contract.ts) mapped to the presenter
// service that answers it. Arguments arrive parsed (the dispatcher checked them); the rules live in
// the services, so this table stays a plain mapping that both transports share. A new channel is a
// new line here, and the type makes a missing one a compile error.
import { COUNTDOWN_MS } from '../../common/ipc-contract.js';
import type { InvokeHandlers } from './ipc-dispatch.js';
import type { Presenter } from './presenter.js';
import { IMPORT_WHILE_LIVE } from './presenter-text.js';

export type PresenterServices = Pick<Presenter, 'info' | 'profile' | 'session' | 'capture' | 'qa' | 'stage' | 'views' | 'recording'>;

export function presenterHandlers(p: PresenterServices): InvokeHandlers {
  return {
    'app.info': async () => p.info,
    'servers.list': () => p.profile.servers(),
    // While live, a saved or removed server joins or leaves the running webcast at once (the
    // session applies the change in the background: a new server's check takes up to 3 s).
    'servers.save': async (args) => {
      const list = await p.profile.save(args);
      void p.session.syncServers().catch(() => undefined);
      return list;
    },
    'servers.remove': async (args) => {
      const list = await p.profile.remove(args.id);
      void p.session.syncServers().catch(() => undefined);
      return list;
    },
    'servers.test': () => p.session.testServers(),
    'servers.retry': async (args, ctx) => {
      p.session.retry(args.id);
      return p.views.view(ctx.clientId);
    },
    'profile.import': async (args) => {
      // A running session keeps the servers it started with; another cluster's would not match them.
      p.session.assertIdle(IMPORT_WHILE_LIVE);
      return p.profile.importProfile(args.text);
    },
    'profile.get': () => p.profile.profile(),
    'session.get': async (_args, ctx) => p.views.view(ctx.clientId),
    'live.start': (args, ctx) => p.session.start(args.source, args.requireAll, ctx.clientId, { ...(args.countdown ? { countdownMs: COUNTDOWN_MS } : {}), continueQa: args.continueQa }),
    'live.stop': async (_args, ctx) => {
      await p.session.stop('the presenter stopped');
      return p.views.view(ctx.clientId);
    },
    'capture.attach': async (args, ctx) => {
      await p.capture.attach(ctx.clientId, args.mimeType);
      return p.views.view(ctx.clientId);
    },
    'qa.get': async () => p.qa.view(),
    'qa.moderate': async (args) => p.qa.moderate(args.id, args.action),
    'qa.setPremoderation': async (args) => p.qa.setPreModeration(args.on),
    'qa.export': async (args) => p.qa.export(args.format, args.webcast),
    'so.set': async (args) => p.stage.set(args.object, args.slot, args.value),
    'settings.get': () => p.recording.settings(),
    'settings.setRecording': (args) => p.recording.setRecording(args.on),
    'cue.send': async (args) => p.stage.sendCue(args.name, args.payload),
  };
}
