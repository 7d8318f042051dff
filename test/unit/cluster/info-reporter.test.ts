// InfoReporter scheduling with an injected psrpc transport and fake timers: which IOInfo method
// each report becomes, newest-per-egress coalescing, the backoff sequence, health, flush and
// close. The real round trip with livekit-server (and a Redis restart) is
// test/cluster/info-reporter.test.ts.
import { EgressInfo, EgressStatus } from '@livekit/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { PsrpcClient } from '../../../src/cluster/client.js';
import { PsrpcCode, PsrpcError } from '../../../src/cluster/errors.js';
import { InfoReporter, type InfoReporterOptions } from '../../../src/cluster/worker/info-reporter.js';

type Call = { method: string; egressId: string; status: EgressStatus; at: number; timeoutMs: number | undefined; settle: (err?: unknown) => void };

/** A transport whose calls stay pending until the test settles them (or `auto` answers them). */
function transport(auto?: (c: Call) => unknown | 'hang') {
  const calls: Call[] = [];
  const client: Pick<PsrpcClient, 'request'> = {
    request: ((spec: { method: string }, _topic: unknown, info: EgressInfo, opts?: { timeoutMs?: number }) =>
      new Promise((resolve, reject) => {
        const call: Call = {
          method: spec.method,
          egressId: info.egressId,
          status: info.status,
          at: Date.now(),
          timeoutMs: opts?.timeoutMs,
          settle: (err) => (err === undefined ? resolve({} as never) : reject(err)),
        };
        calls.push(call);
        if (auto) {
          const r = auto(call);
          if (r !== 'hang') queueMicrotask(() => call.settle(r));
        }
      })) as PsrpcClient['request'],
  };
  return { client, calls };
}

const info = (egressId: string, status: EgressStatus) => new EgressInfo({ egressId, roomName: 'r', status });
const S = EgressStatus;
const unavailable = () => new PsrpcError(PsrpcCode.Unavailable, 'no response from servers');
const flushMicrotasks = () => vi.advanceTimersByTimeAsync(0);

let reporter: InfoReporter | undefined;
const make = (opts: Omit<InfoReporterOptions, 'now'>) => {
  reporter = new InfoReporter({ now: () => Date.now(), ...opts });
  return reporter;
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  reporter?.close();
  reporter = undefined;
  vi.useRealTimers();
});

describe('InfoReporter', () => {
  it('first STARTING → CreateEgress, then UpdateEgress; one call in flight per egress, in order', async () => {
    const { client, calls } = transport();
    const r = make({ client });
    r.report(info('EG_a', S.EGRESS_STARTING));
    r.report(info('EG_a', S.EGRESS_ACTIVE));
    r.report(info('EG_b', S.EGRESS_ACTIVE)); // another egress does not wait for EG_a
    await flushMicrotasks();
    expect(calls.map((c) => [c.method, c.egressId, c.status])).toEqual([
      ['CreateEgress', 'EG_a', S.EGRESS_STARTING],
      ['UpdateEgress', 'EG_b', S.EGRESS_ACTIVE],
    ]);
    expect(calls[0]!.timeoutMs).toBe(15_000); // LiveKit egress's IO timeout
    calls[0]!.settle();
    await flushMicrotasks();
    expect(calls.map((c) => [c.method, c.egressId, c.status]).slice(2)).toEqual([['UpdateEgress', 'EG_a', S.EGRESS_ACTIVE]]);
    // A second STARTING of the same egress is an update, not a second create.
    r.report(info('EG_a', S.EGRESS_STARTING));
    calls[1]!.settle();
    calls[2]!.settle();
    await flushMicrotasks();
    expect(calls.slice(3).map((c) => [c.method, c.status])).toEqual([['UpdateEgress', S.EGRESS_STARTING]]);
    calls[3]!.settle();
    await flushMicrotasks();
    expect(r.stats()).toEqual({ sent: 4, retried: 0, dropped: 0, coalesced: 0, pending: 0 });
  });

  it('coalesces: reports made while one is in flight collapse into the newest', async () => {
    const { client, calls } = transport();
    const r = make({ client });
    r.report(info('EG_c', S.EGRESS_ACTIVE));
    await flushMicrotasks();
    for (const s of [S.EGRESS_ACTIVE, S.EGRESS_ENDING, S.EGRESS_COMPLETE]) r.report(info('EG_c', s));
    expect(r.stats().pending).toBe(1);
    calls[0]!.settle();
    await flushMicrotasks();
    expect(calls.map((c) => c.status)).toEqual([S.EGRESS_ACTIVE, S.EGRESS_COMPLETE]);
    calls[1]!.settle();
    await flushMicrotasks();
    expect(r.stats()).toMatchObject({ sent: 2, coalesced: 2, pending: 0 });
  });

  it('the info is a snapshot: changing the object after report() does not change what is sent', async () => {
    const { client, calls } = transport(() => undefined);
    const r = make({ client });
    const i = info('EG_snap', S.EGRESS_ACTIVE);
    r.report(i);
    i.status = S.EGRESS_FAILED;
    await flushMicrotasks();
    expect(calls.map((c) => c.status)).toEqual([S.EGRESS_ACTIVE]);
  });

  it('retries unavailable / deadline_exceeded / internal with jittered doubling backoff 250 ms → 60 s cap', async () => {
    // random() = 0 → each delay is the lower jitter bound d/2; 0.999… → just under d.
    for (const [random, factor] of [
      [0, 0.5],
      [1 - 1e-9, 1],
    ] as const) {
      const errors = [unavailable(), new PsrpcError(PsrpcCode.DeadlineExceeded, 'request timed out'), new PsrpcError(PsrpcCode.Internal, 'Connection is closed.')];
      let n = 0;
      const { client, calls } = transport(() => (n++ < 12 ? errors[n % 3] : undefined));
      const r = make({ client, random: () => random });
      r.report(info('EG_r', S.EGRESS_ACTIVE));
      await vi.advanceTimersByTimeAsync(400_000);
      expect(calls).toHaveLength(13);
      const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
      const expected = [250, 500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000].map((d) => Math.round(d * factor));
      gaps.forEach((g, i) => expect(Math.abs(g - expected[i]!)).toBeLessThanOrEqual(1));
      expect(r.stats()).toEqual({ sent: 1, retried: 12, dropped: 0, coalesced: 0, pending: 0 });
      r.close();
    }
  });

  it('a retry sends the newest info: what arrived during the backoff replaces the failed one', async () => {
    let fail = true;
    const { client, calls } = transport(() => (fail ? unavailable() : undefined));
    const r = make({ client, random: () => 0 });
    r.report(info('EG_n', S.EGRESS_STARTING));
    r.report(info('EG_n', S.EGRESS_ACTIVE));
    await flushMicrotasks();
    expect(calls.map((c) => [c.method, c.status])).toEqual([['CreateEgress', S.EGRESS_STARTING]]);
    r.report(info('EG_n', S.EGRESS_ENDING));
    r.report(info('EG_n', S.EGRESS_COMPLETE));
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    // The create is kept (never replaced); then only the newest update.
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ['CreateEgress', S.EGRESS_STARTING],
      ['CreateEgress', S.EGRESS_STARTING],
      ['UpdateEgress', S.EGRESS_COMPLETE],
    ]);
    expect(r.stats()).toMatchObject({ sent: 2, retried: 1, coalesced: 2, dropped: 0, pending: 0 });
  });

  it('an update failing with a retryable error is replaced by a newer report (coalesced), not resent', async () => {
    let fail = true;
    const { client, calls } = transport(() => (fail ? unavailable() : undefined));
    const r = make({ client, random: () => 0 });
    r.report(info('EG_x', S.EGRESS_ACTIVE));
    await flushMicrotasks(); // failed, backing off 125 ms
    r.report(info('EG_x', S.EGRESS_ENDING));
    fail = false;
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.map((c) => c.status)).toEqual([S.EGRESS_ACTIVE, S.EGRESS_ENDING]);
    expect(r.stats()).toMatchObject({ sent: 1, retried: 1, coalesced: 1 });
  });

  it('other errors (the server answered) drop the info and go on with the next one', async () => {
    let n = 0;
    const { client, calls } = transport(() => (n++ === 0 ? new PsrpcError(PsrpcCode.Unknown, 'store failed') : undefined));
    const r = make({ client });
    r.report(info('EG_d', S.EGRESS_STARTING));
    r.report(info('EG_d', S.EGRESS_ACTIVE));
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ['CreateEgress', S.EGRESS_STARTING],
      ['UpdateEgress', S.EGRESS_ACTIVE],
    ]);
    expect(r.stats()).toEqual({ sent: 1, retried: 0, dropped: 1, coalesced: 0, pending: 0 });
  });

  it('a call stuck in the Redis offline queue counts as timed out; the retry waits until it is over (never two on the bus)', async () => {
    let n = 0;
    const { client, calls } = transport(() => (n++ < 2 ? 'hang' : undefined));
    const r = make({ client, timeoutMs: 2000, maxBackoffMs: 10_000, random: () => 0 });
    r.report(info('EG_h', S.EGRESS_ACTIVE));
    await vi.advanceTimersByTimeAsync(2999);
    expect(r.stats().retried).toBe(0);
    await vi.advanceTimersByTimeAsync(1); // timeout + 1 s: counted as deadline_exceeded
    expect(r.stats().retried).toBe(1);
    r.report(info('EG_h', S.EGRESS_COMPLETE));
    await vi.advanceTimersByTimeAsync(2000); // backoff (125 ms) is over, but the first call is not
    expect(calls).toHaveLength(1);
    calls[0]!.settle(new PsrpcError(PsrpcCode.DeadlineExceeded, 'request timed out')); // Redis back: ioredis releases it
    await flushMicrotasks();
    expect(calls.map((c) => c.status)).toEqual([S.EGRESS_ACTIVE, S.EGRESS_COMPLETE]);
    // The second one never settles: after timeout + 1 s + backoff, at most maxBackoffMs more.
    await vi.advanceTimersByTimeAsync(3000 + 250 + 9_999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.status)).toEqual([S.EGRESS_ACTIVE, S.EGRESS_COMPLETE, S.EGRESS_COMPLETE]);
    await flushMicrotasks();
    expect(r.stats()).toMatchObject({ sent: 1, retried: 2, coalesced: 1, pending: 0 });
  });

  it('healthy turns false after unhealthyAfterMs of retryable failures and true again at the next answer', async () => {
    let down = true;
    const { client } = transport(() => (down ? unavailable() : undefined));
    const r = make({ client, unhealthyAfterMs: 600_000 });
    expect(r.healthy).toBe(true);
    r.report(info('EG_u', S.EGRESS_ACTIVE));
    await vi.advanceTimersByTimeAsync(599_000);
    expect(r.healthy).toBe(true);
    await vi.advanceTimersByTimeAsync(2000);
    expect(r.healthy).toBe(false);
    expect(r.stats().pending).toBe(1); // still retrying (every ≤ 60 s), nothing dropped
    expect(r.stats().dropped).toBe(0);
    down = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.healthy).toBe(true);
    expect(r.stats()).toMatchObject({ sent: 1, pending: 0, dropped: 0 });
  });

  it('flush resolves when everything is delivered, or at its deadline; close drops the rest', async () => {
    const { client, calls } = transport();
    const r = make({ client });
    await r.flush(1000); // nothing queued: at once
    r.report(info('EG_f', S.EGRESS_ACTIVE));
    let flushed = false;
    void r.flush(5000).then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(flushed).toBe(false);
    calls[0]!.settle();
    await flushMicrotasks();
    expect(flushed).toBe(true);

    r.report(info('EG_g', S.EGRESS_ACTIVE)); // never answered
    flushed = false;
    void r.flush(5000).then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(4999);
    expect(flushed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushed).toBe(true);

    r.report(info('EG_g', S.EGRESS_COMPLETE));
    r.close();
    expect(r.stats()).toMatchObject({ sent: 1, dropped: 2, pending: 0 });
    r.report(info('EG_g', S.EGRESS_COMPLETE)); // ignored after close
    await vi.advanceTimersByTimeAsync(100_000);
    expect(calls).toHaveLength(2);
    expect(r.stats().pending).toBe(0);
  });
});
