// The load generator of the egress benchmarks (bench/lib/service.mjs, scripts/soak.mjs,
// scripts/load/gap-probe.ts) in a process of its own, so that the publishers' and the server's
// cost is not counted against the recordings:
//
//   node --import tsx scripts/load/publisher-process.ts <tracks> [tracksPerPublisher]
//
// Prints one JSON line on stdout when every track is published (`{ server, tracks }`, see
// load-publishers.ts). Runs until stdin closes (its parent is done or died), then prints a
// `{ done: … }` line with its own CPU use and event-loop delay, stops everything and exits.
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { publishLoad } from './load-publishers.js';
import { untilParentEnds } from './measured-child.js';

async function main(): Promise<void> {
  const load = await publishLoad(Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 1));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  process.stdout.write(`${JSON.stringify({ server: load.server, tracks: load.tracks })}\n`);
  await untilParentEnds();
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - t0) / 1000;
  const done = {
    cpuPerSec: (cpu.user + cpu.system) / 1e6 / wallS,
    loopMaxMs: loop.max / 1e6,
    loopP99Ms: loop.percentile(99) / 1e6,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify({ done })}\n`);
  await load.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(`[publisher-process] ${String(err?.stack ?? err)}`);
  process.exit(1);
});
