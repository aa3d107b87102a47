// Runs one uplink scenario and prints its figures as one JSON line on stdout:
//   unshare -n node --import tsx test/support/uplink-scenario-child.ts '<UplinkScenario as JSON>'
// (with TANDEM_OWN_NETNS=1: runUplinkScenarioIsolated in uplink-scenario.ts does all this). The
// scenario changes `lo` (its shaping), so it only runs inside a network namespace of its own.
import { inOwnNetns } from './shaped-uplink.js';
import { runUplinkScenario, type UplinkScenario } from './uplink-scenario.js';

async function main(): Promise<void> {
  if (!inOwnNetns()) throw new Error('uplink-scenario-child shapes lo: run it through runUplinkScenarioIsolated (its own network namespace)');
  const o = JSON.parse(process.argv[2] ?? '') as UplinkScenario;
  console.log(JSON.stringify(await runUplinkScenario(o)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
