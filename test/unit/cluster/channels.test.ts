// psrpc channel names. Expected values are psrpc's own test expectations
// (psrpc@v0.7.2: pkg/info/channels_test.go) or derived by hand from its algorithm
// (pkg/info/channels.go:130-171), never from this code's output.
import { describe, expect, it } from 'vitest';

import {
  claimRequestChannel,
  claimResponseChannel,
  formatChannel,
  handlerKey,
  requestChannel,
  responseChannel,
  sanitizeChannelPart,
} from '../../../src/cluster/channels.js';

describe('psrpc Legacy channel names', () => {
  it("match psrpc's own channel tests (channels_test.go:205-233)", () => {
    expect(responseChannel('foo', 'bar')).toBe('foo|bar|RES'); // :205
    expect(claimRequestChannel('foo', 'bar')).toBe('foo|bar|CLAIM'); // :207
    expect(requestChannel('foo', 'bar', [])).toBe('foo|bar|REQ'); // :212 (Topic nil)
    expect(claimResponseChannel('foo', 'bar', [])).toBe('foo|bar|RCLAIM'); // :215
    expect(requestChannel('foo', 'bar', ['a', 'b', 'c'])).toBe('foo|bar|a|b|c|REQ'); // :224
    expect(handlerKey('bar', ['a', 'b', 'c'])).toBe('bar.a.b.c'); // :227
    expect(claimResponseChannel('foo', 'bar', ['a', 'b', 'c'])).toBe('foo|bar|a|b|c|RCLAIM'); // :228
  });

  it('escape non-[0-9A-Za-z_] runes as u+xxxx / U+xxxxxxxx (channels_test.go:247)', () => {
    expect(formatChannel('.', '🚀_É', '🛰_bar', ['软件'], 'END')).toBe('U+0001f680_u+00c9.U+0001f6f0_bar.u+8f6fu+4ef6.END');
  });

  it('escape ASCII punctuation with 4 lowercase hex digits (channels.go:158-162)', () => {
    // '-' is 0x2d, '.' 0x2e, '|' 0x7c, ' ' 0x20
    expect(sanitizeChannelPart('a-b.c|d e')).toBe('au+002dbu+002ecu+007cdu+0020e');
    expect(sanitizeChannelPart('EG_AbC123xyz789')).toBe('EG_AbC123xyz789');
  });

  it('an empty topic keeps its separator and drops the next one (channels.go:136-152)', () => {
    // rpc/egress.psrpc.go:90 calls StartEgress with []string{topic}; livekit-server passes "".
    // parts: "EgressInternal" → "StartEgress" (delim before) → [""] (delim before, adds nothing,
    // so prefix=false) → "REQ" (no delim).
    expect(requestChannel('EgressInternal', 'StartEgress', [''])).toBe('EgressInternal|StartEgress|REQ');
    expect(claimResponseChannel('EgressInternal', 'StartEgress', [''])).toBe('EgressInternal|StartEgress|RCLAIM');
    // With a cluster id as topic (egress: RegisterStartEgressTopic(conf.ClusterID)).
    expect(requestChannel('EgressInternal', 'StartEgress', ['prod'])).toBe('EgressInternal|StartEgress|prod|REQ');
    // IOInfo methods have no topic at all (rpc/io.psrpc.go:145: nil).
    expect(requestChannel('IOInfo', 'UpdateEgress', [])).toBe('IOInfo|UpdateEgress|REQ');
    // EgressHandler.StopEgress: topic = egress id (rpc/egress.psrpc.go:252).
    expect(requestChannel('EgressHandler', 'StopEgress', ['EG_abc'])).toBe('EgressHandler|StopEgress|EG_abc|REQ');
    // An empty first topic part: the list's delimiter is written once before the list; inside it
    // "" adds nothing and leaves prefix=false, so "b" gets no second delimiter.
    expect(formatChannel('|', 'S', ['', 'b'], 'REQ')).toBe('S|b|REQ');
    // An empty last part: its delimiter is written and stays; the list as a whole added text, so
    // "REQ" gets its delimiter too.
    expect(formatChannel('|', 'S', ['a', ''], 'REQ')).toBe('S|a||REQ');
  });

  it('a lone surrogate is escaped as U+FFFD, the rune Go decodes', () => {
    expect(sanitizeChannelPart('a\ud800')).toBe('au+fffd');
  });
});
