// psrpc's claim selection (psrpc@v0.7.2: pkg/client/rpc.go:165-231), with fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { UPSTREAM_VERSIONS } from '../../../src/cluster/gen/versions.js';
import { defaultSelection, ServerSelection } from '../../../src/cluster/select-server.js';
import { LIVEKIT_SERVER_VERSION } from '../../support/livekit-server.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const settle = async (sel: ServerSelection) => sel.result.then((id) => ({ id }), (err: Error) => ({ err: err.message }));

describe('ServerSelection', () => {
  it("LiveKit's StartEgress options (MaximumAffinity 1, 1 s, short circuit 500 ms): a claim of 1 wins at once", async () => {
    const sel = new ServerSelection({ maximumAffinity: 1, affinityTimeoutMs: 1000, shortCircuitTimeoutMs: 500 });
    sel.onClaim('SRV_half', 0.5);
    sel.onClaim('SRV_one', 1);
    expect(await settle(sel)).toEqual({ id: 'SRV_one' });
  });

  it('below the maximum, the best claim wins when the short circuit (from the first claim) expires', async () => {
    const sel = new ServerSelection({ maximumAffinity: 1, affinityTimeoutMs: 1000, shortCircuitTimeoutMs: 500 });
    vi.advanceTimersByTime(300);
    sel.onClaim('SRV_a', 0.25);
    vi.advanceTimersByTime(400); // 700 ms: no decision yet (short circuit ends at 800)
    sel.onClaim('SRV_b', 0.5);
    sel.onClaim('SRV_c', 0.5); // a tie keeps the first
    vi.advanceTimersByTime(100);
    expect(await settle(sel)).toEqual({ id: 'SRV_b' });
  });

  it('an affinity of 0 is never chosen: it is not higher than "none" (rpc.go:213)', async () => {
    const sel = new ServerSelection(defaultSelection(true));
    sel.onClaim('SRV_zero', 0);
    vi.advanceTimersByTime(200);
    expect(await settle(sel)).toEqual({ err: 'no servers available (received 1 responses)' });
  });

  it('without affinity the first claim is taken; no claim at all is "no response from servers"', async () => {
    const first = new ServerSelection(defaultSelection(false));
    first.onClaim('SRV_1', 0);
    expect(await settle(first)).toEqual({ id: 'SRV_1' });
    const none = new ServerSelection(defaultSelection(false));
    vi.advanceTimersByTime(1000);
    expect(await settle(none)).toEqual({ err: 'no response from servers' });
  });
});

describe('upstream versions', () => {
  it('the generated messages come from the modules of the livekit-server version the tests run', () => {
    expect(UPSTREAM_VERSIONS.livekitServer).toBe(LIVEKIT_SERVER_VERSION);
  });
});
