// bench:uplink — issue #12's figures: two Tandem nodes behind one shaped upload, in a network
// namespace of the bench's own (root; nothing leaves loopback). The encoder runs at 2.5 Mb/s.
//   squeeze:   upload 20 Mb/s for 20 s, 3 Mb/s for 40 s, 20 Mb/s for 30 s.
//   slow-path: upload 20 Mb/s throughout; one server's own path cut to 0.5 Mb/s from 20 s to 60 s.
// Each runs with the uplink controller on and off; one JSON line per run (see uplink-scenario.ts).
//   BENCH_UPLINK_SCALE=0.5 halves every phase (a quicker look).
import { fileURLToPath } from 'node:url';
import { inOwnNetns, runInOwnNetns } from '../test/support/shaped-uplink.js';
import { runUplinkScenario } from './uplink-scenario.js';

const SCALE = Number(process.env.BENCH_UPLINK_SCALE ?? 1);
const ONLY = process.env.BENCH_UPLINK_ONLY?.split(","); // e.g. "squeeze:on" or "squeeze:on,slow-path:on"

async function main(): Promise<void> {
  if (!inOwnNetns()) {
    process.exitCode = (await runInOwnNetns(fileURLToPath(import.meta.url), process.argv.slice(2))) ?? 1;
    return;
  }
  for (const scenario of ['squeeze', 'slow-path'] as const) {
    for (const controller of [true, false]) {
      if (ONLY && !ONLY.includes(`${scenario}:${controller ? "on" : "off"}`)) continue;
      const line = await runUplinkScenario({ scenario, controller, scale: SCALE });
      console.log(JSON.stringify({ bench: 'uplink', ...line }));
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
