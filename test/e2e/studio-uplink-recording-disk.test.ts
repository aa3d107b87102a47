// Issue #12: a full disk stops the local recording with a warning, never the webcast. The studio
// records into a 4 MB disk (a tmpfs in a mount namespace this test creates): the live view says
// "Recording stopped: the disk is almost full …. The webcast goes on." while both servers stay live
// and keep sending, and at Stop the panel repeats why. Runs support/studio-disk-run.ts.
import { describe, expect, it } from 'vitest';
import { runDiskScenarioInNamespace } from './support/uplink-namespace.js';

describe('the recording on a full disk', () => {
  it('stops with a warning in the live view while the webcast goes on', async () => {
    const seen = await runDiskScenarioInNamespace();
    expect(seen.pageErrors).toEqual([]);
    expect(seen.warning).toMatch(/^Recording stopped: the disk is almost full \(\d+ MB left\)\. The webcast goes on\.$/);
    expect(seen.headline).toBe('Live on both servers');
    for (const mbps of seen.sendingMbps) expect(mbps).toBeGreaterThan(0.5);
    expect(seen.saved).toContain('Recording stopped: the disk is almost full');
  });
});
