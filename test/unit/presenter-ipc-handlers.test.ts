// The IPC table: exactly the contract's channels, each handed to the service method that answers
// it, with the parsed arguments and the caller's window id. Services are stand-ins that record calls,
// so a channel wired to the wrong method (or to none) fails here.
import { describe, expect, it } from 'vitest';
import { invokeChannels } from '../../common/ipc-contract.js';
import { type PresenterServices, presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { IMPORT_WHILE_LIVE } from '../../main/presenter/presenter-text.js';

function recordingServices() {
  const calls: Array<[string, ...unknown[]]> = [];
  const rec =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
      return name;
    };
  const services = {
    info: { mode: 'studio', version: '1.2.3', demo: true },
    profile: { servers: rec('profile.servers'), save: rec('profile.save'), remove: rec('profile.remove'), importProfile: rec('profile.importProfile'), profile: rec('profile.profile') },
    session: {
      assertIdle: rec('session.assertIdle'),
      start: rec('session.start'),
      stop: rec('session.stop'),
      syncServers: async (...args: unknown[]) => rec('session.syncServers')(...args),
      testServers: rec('session.testServers'),
      retry: rec('session.retry'),
    },
    capture: { attach: rec('capture.attach') },
    qa: { view: rec('qa.view'), moderate: rec('qa.moderate'), setPreModeration: rec('qa.setPreModeration'), export: rec('qa.export') },
    stage: { set: rec('stage.set'), sendCue: rec('stage.sendCue') },
    views: { view: rec('views.view') },
    recording: { settings: rec('recording.settings'), setRecording: rec('recording.setRecording') },
  };
  return { calls, services: services as unknown as PresenterServices };
}

const ctx = { clientId: 'w1' };

describe('presenter IPC table', () => {
  it('answers exactly the channels of the contract', () => {
    const { services } = recordingServices();
    expect(Object.keys(presenterHandlers(services)).sort()).toEqual([...invokeChannels].sort());
  });

  it('hands each channel to its service method, with the caller for the ones that need it', async () => {
    const { calls, services } = recordingServices();
    const h = presenterHandlers(services) as unknown as Record<string, (args: unknown, c: typeof ctx) => Promise<unknown>>;
    const server = { id: 'a', url: 'rtmp://h/live' };
    const cases: Array<[string, unknown, unknown, Array<[string, ...unknown[]]>]> = [
      ['app.info', {}, { mode: 'studio', version: '1.2.3', demo: true }, []],
      ['servers.list', {}, 'profile.servers', [['profile.servers']]],
      // Saved or removed while live: the running session follows (a server joins or leaves alone).
      ['servers.save', server, 'profile.save', [['profile.save', server], ['session.syncServers']]],
      ['servers.remove', { id: 'a' }, 'profile.remove', [['profile.remove', 'a'], ['session.syncServers']]],
      ['servers.test', {}, 'session.testServers', [['session.testServers']]],
      ['servers.retry', { id: 'a' }, 'views.view', [['session.retry', 'a'], ['views.view', 'w1']]],
      ['profile.import', { text: '{}' }, 'profile.importProfile', [['session.assertIdle', IMPORT_WHILE_LIVE], ['profile.importProfile', '{}']]],
      ['profile.get', {}, 'profile.profile', [['profile.profile']]],
      ['session.get', {}, 'views.view', [['views.view', 'w1']]],
      ['live.start', { source: { kind: 'test-pattern' }, requireAll: true, continueQa: true }, 'session.start', [['session.start', { kind: 'test-pattern' }, true, 'w1', { continueQa: true }]]],
      ['live.stop', {}, 'views.view', [['session.stop', 'the presenter stopped'], ['views.view', 'w1']]],
      ['capture.attach', { mimeType: 'video/webm' }, 'views.view', [['capture.attach', 'w1', 'video/webm'], ['views.view', 'w1']]],
      ['qa.get', {}, 'qa.view', [['qa.view']]],
      ['qa.moderate', { id: 'q-1', action: 'pin' }, 'qa.moderate', [['qa.moderate', 'q-1', 'pin']]],
      ['qa.setPremoderation', { on: true }, 'qa.setPreModeration', [['qa.setPreModeration', true]]],
      ['qa.export', { format: 'csv', webcast: 'previous' }, 'qa.export', [['qa.export', 'csv', 'previous']]],
      ['so.set', { object: 'banner', slot: 'title', value: 'Hi' }, 'stage.set', [['stage.set', 'banner', 'title', 'Hi']]],
      ['cue.send', { name: 'slide', payload: { n: 1 } }, 'stage.sendCue', [['stage.sendCue', 'slide', { n: 1 }]]],
      ['settings.get', {}, 'recording.settings', [['recording.settings']]],
      ['settings.setRecording', { on: false }, 'recording.setRecording', [['recording.setRecording', false]]],
    ];
    expect(cases.map((c) => c[0]).sort()).toEqual([...invokeChannels].sort());
    for (const [channel, args, value, expected] of cases) {
      calls.length = 0;
      expect(await h[channel]!(args, ctx), channel).toEqual(value);
      expect(calls, channel).toEqual(expected);
    }
  });

  it('does not import a profile when the session refuses (a webcast is running)', async () => {
    const { calls, services } = recordingServices();
    (services.session as unknown as { assertIdle: () => void }).assertIdle = () => {
      throw new Error(IMPORT_WHILE_LIVE);
    };
    await expect(presenterHandlers(services)['profile.import']({ text: '{}' }, ctx)).rejects.toThrow(IMPORT_WHILE_LIVE);
    expect(calls).toEqual([]);
  });
});
