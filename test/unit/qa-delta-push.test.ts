// The presenter layer pushes each engine batch to the windows at once, but a push of a big session
// (the whole list) is paced so pushes take at most QA_PUSH_MAX_SHARE of the engine process's time:
// after a push that cost c ms the next waits c × (1 / share − 1). A cheap push is not held. The
// clock QaView reads (performance.now) is the test's: a push costs what the test's window says.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { QA_PUSH_MAX_SHARE } from '../../main/presenter/qa-view.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { waitFor } from '../support/wait-for.js';
import { fakePresenter } from '../support/studio-fakes.js';

const TOKEN = 'presenter-token-0123456789abcdef';
const qid = (n: number) => `q-${String(n).padStart(12, '0')}`;
const realMs = () => Number(process.hrtime.bigint()) / 1e6;

async function make(costMs: number) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'n1', url: 'rtmp://127.0.0.1:2/live/main', controlUrl: 'http://127.0.0.1:8081', token: TOKEN });
  const { presenter: p, conns } = fakePresenter(profile);
  let clock = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
  const pushes: { at: number; questions: number }[] = [];
  p.windows.attach({
    id: 'w1',
    send: (channel: string, payload: unknown) => {
      if (channel !== 'qa') return;
      // A window that costs this much per push (as serializing a big list does).
      clock += costMs;
      pushes.push({ at: realMs(), questions: (payload as { questions: unknown[] }).questions.length });
    },
  });
  await p.session.start({ kind: 'test-pattern' }, false, 'w1');
  return { p, conns, pushes };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pushes to the panel', () => {
  it('are paced after an expensive push, and still arrive', async () => {
    const { p, conns, pushes } = await make(30);
    conns[0]!.control.ask('n1', { id: qid(1), text: 'first', askedAt: 1 });
    await waitFor(() => pushes.at(-1)?.questions === 1, 2000, 'the first push');
    const first = pushes.at(-1)!;
    conns[0]!.control.ask('n1', { id: qid(2), text: 'second', askedAt: 2 });
    await Promise.resolve();
    expect(pushes.at(-1)).toBe(first);
    await waitFor(() => pushes.at(-1)!.questions === 2, 2000, 'the second push');
    // Held for 30 × (1 / 0.25 − 1) = 90 ms (a timer never fires early).
    expect(pushes.at(-1)!.at - first.at).toBeGreaterThanOrEqual(30 * (1 / QA_PUSH_MAX_SHARE - 1) - 1);
    await p.shutdown();
  });

  it('are not held when cheap', async () => {
    const { p, conns, pushes } = await make(0);
    for (let i = 1; i <= 5; i++) {
      conns[0]!.control.ask('n1', { id: qid(i), text: `question ${i}`, askedAt: i });
      // The fake merges at once: the push comes at the end of this turn, before any timer could run.
      await Promise.resolve();
      expect(pushes.at(-1)?.questions).toBe(i);
    }
    await p.shutdown();
  });
});
