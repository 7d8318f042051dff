/**
 * What the measured child processes of `npm run bench` and scripts/load share: waiting for the
 * parent to end the measurement, and a memory reading that is not the garbage of the moment.
 */

/** Resolves when the parent closes our stdin (or SIGTERMs us): the end of the measured window. */
export function untilParentEnds(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.stdin.on('data', () => {});
    process.stdin.once('end', resolve);
    process.stdin.once('error', () => resolve());
    process.once('SIGTERM', resolve);
  });
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * RSS and heap (+ external, array buffers) after two full GCs a second apart (run node with
 * `--expose-gc`; without it no GC is forced): the allocator returns what the first one freed. MiB.
 */
export async function memoryAfterGc(): Promise<{ rssMiB: number; heapMiB: number }> {
  gc();
  await new Promise((r) => setTimeout(r, 1000));
  gc();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapMiB: (m.heapUsed + m.external + m.arrayBuffers) / 2 ** 20 };
}
