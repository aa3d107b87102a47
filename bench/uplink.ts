// bench:uplink — issue #12's figures: two Tandem nodes behind one shaped upload, in a network
// namespace of the bench's own (root; nothing leaves loopback). The encoder runs at 2.5 Mb/s.
//   squeeze:   upload 20 Mb/s for 20 s, 3 Mb/s for 40 s, 20 Mb/s for 30 s.
//   slow-path: upload 20 Mb/s throughout; one server's own path cut to 0.5 Mb/s from 20 s to 60 s.
// Each runs with the uplink controller on and off; one JSON line per run
// (test/support/uplink-scenario.ts, which the integration tests run too).
//   BENCH_UPLINK_SCALE=0.5                 halves every phase (a quicker look).
//   BENCH_UPLINK_ONLY=squeeze:on,healthy:on runs only these (scenarios: squeeze, slow-path, short, healthy).
//   BENCH_UPLINK_TRACE=test/fixtures/uplink-traces
//                                          writes each controller-on run's ticks there as <scenario>.json:
//                                          how the fixtures of test/unit/uplink-traces.test.ts are re-recorded
//                                          (e.g. BENCH_UPLINK_SCALE=0.5 BENCH_UPLINK_ONLY=squeeze:on,slow-path:on,short:on,healthy:on).
//   BENCH_UPLINK_DEBUG=1                   a line a second on stderr: step, verdict, each server's queue.
import { fileURLToPath } from 'node:url';
import { inOwnNetns, runInOwnNetns } from '../test/support/shaped-uplink.js';
import { runUplinkScenario, type UplinkScenarioKind } from '../test/support/uplink-scenario.js';
import { writeTrace } from '../test/support/uplink-trace.js';

const SCALE = Number(process.env.BENCH_UPLINK_SCALE ?? 1);
const ONLY = process.env.BENCH_UPLINK_ONLY?.split(',');
const TRACE_DIR = process.env.BENCH_UPLINK_TRACE;
const ALL: UplinkScenarioKind[] = ['squeeze', 'slow-path', 'short', 'healthy'];

async function main(): Promise<void> {
  if (!inOwnNetns()) {
    process.exitCode = (await runInOwnNetns(fileURLToPath(import.meta.url), process.argv.slice(2))) ?? 1;
    return;
  }
  // The figures are the first two; the others only when asked for (traces).
  for (const scenario of ONLY ? ALL : ALL.slice(0, 2)) {
    for (const controller of [true, false]) {
      if (ONLY && !ONLY.includes(`${scenario}:${controller ? 'on' : 'off'}`)) continue;
      const { trace, ...line } = await runUplinkScenario({ scenario, controller, scale: SCALE, trace: Boolean(TRACE_DIR) && controller });
      console.log(JSON.stringify({ bench: 'uplink', ...line }));
      if (trace && TRACE_DIR) console.error(`trace: ${writeTrace(TRACE_DIR, scenario, trace)}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
