// psrpc envelopes and messages against bytes written by hand from the proto definitions
// (psrpc@v0.7.2: internal/internal.proto; protocol: protobufs/rpc/egress.proto) and the protobuf
// wire format — not from this code's output.
import { createHash } from 'node:crypto';

import { Any, Empty } from '@bufbuild/protobuf';
import { EgressInfo, TrackEgressRequest } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { decodeEnvelope, encodeEnvelope, typeUrlOf } from '../../../src/cluster/envelope.js';
import { ClaimRequest, ClaimResponse, Msg, Request, Response } from '../../../src/cluster/gen/internal_pb.js';
import { ListActiveEgressResponse, StartEgressRequest } from '../../../src/cluster/gen/rpc/egress_pb.js';
import { queueLockKey } from '../../../src/cluster/redis-bus.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => Buffer.from(s, 'ascii').toString('hex');
/** A length-delimited field: tag byte, one-byte length (< 128), bytes. */
const ld = (tag: number, bodyHex: string) => tag.toString(16).padStart(2, '0') + (bodyHex.length / 2).toString(16).padStart(2, '0') + bodyHex;

describe('psrpc envelope (internal.Msg)', () => {
  it('type URLs are type.googleapis.com/<full name> (internal/bus/serialization.go:32)', () => {
    expect(typeUrlOf(Request)).toBe('type.googleapis.com/internal.Request');
    expect(typeUrlOf(Response)).toBe('type.googleapis.com/internal.Response');
    expect(typeUrlOf(ClaimRequest)).toBe('type.googleapis.com/internal.ClaimRequest');
    expect(typeUrlOf(ClaimResponse)).toBe('type.googleapis.com/internal.ClaimResponse');
    expect(typeUrlOf(StartEgressRequest)).toBe('type.googleapis.com/rpc.StartEgressRequest');
    expect(typeUrlOf(ListActiveEgressResponse)).toBe('type.googleapis.com/rpc.ListActiveEgressResponse');
    expect(typeUrlOf(EgressInfo)).toBe('type.googleapis.com/livekit.EgressInfo');
    expect(typeUrlOf(Empty)).toBe('type.googleapis.com/google.protobuf.Empty');
  });

  it('a ClaimResponse envelope is Msg{1: type_url, 2: value}, channel omitted (empty on Redis)', () => {
    // ClaimResponse{request_id(1)="REQ_a", server_id(2)="SRV_b"}: 0a 05 "REQ_a" 12 05 "SRV_b"
    const value = ld(0x0a, ascii('REQ_a')) + ld(0x12, ascii('SRV_b'));
    const expected = ld(0x0a, ascii('type.googleapis.com/internal.ClaimResponse')) + ld(0x12, value);
    expect(hex(encodeEnvelope(new ClaimResponse({ requestId: 'REQ_a', serverId: 'SRV_b' })))).toBe(expected);
  });

  it('ClaimRequest.affinity is a float32 (field 3, fixed32: 0.5 = 0x3f000000 little-endian)', () => {
    const expected = ld(0x0a, ascii('REQ_a')) + ld(0x12, ascii('SRV_b')) + '1d0000003f';
    expect(hex(new ClaimRequest({ requestId: 'REQ_a', serverId: 'SRV_b', affinity: 0.5 }).toBinary())).toBe(expected);
  });

  it('is wire-compatible with google.protobuf.Any (what Go decodes it as, serialization.go:51-62)', () => {
    const payload = encodeEnvelope(new ClaimResponse({ requestId: 'REQ_a', serverId: 'SRV_b' }));
    const any = Any.fromBinary(payload);
    expect(any.typeUrl).toBe('type.googleapis.com/internal.ClaimResponse');
    expect(any.is(ClaimResponse)).toBe(true);
    const back = new ClaimResponse();
    expect(any.unpackTo(back)).toBe(true);
    expect(back.serverId).toBe('SRV_b');
  });

  it('decodes a hand-written internal.Request (int64 times, multi, metadata map, raw_request)', () => {
    // Request{1 request_id="REQ_1", 2 client_id="CLI_2", 3 sent_at=1 (varint), 4 expiry=300
    // (varint ac 02), 5 multi=true, 7 metadata{"k":"v"} (entry: 0a 01 6b 12 01 76), 8 raw_request=01 02}
    const body =
      ld(0x0a, ascii('REQ_1')) + ld(0x12, ascii('CLI_2')) + '1801' + '20ac02' + '2801' + ld(0x3a, '0a016b120176') + ld(0x42, '0102');
    const payload = Buffer.from(ld(0x0a, ascii('type.googleapis.com/internal.Request')) + ld(0x12, body), 'hex');
    const d = decodeEnvelope(payload, Request);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.message.requestId).toBe('REQ_1');
    expect(d.message.clientId).toBe('CLI_2');
    expect(d.message.sentAt).toBe(1n);
    expect(d.message.expiry).toBe(300n);
    expect(d.message.multi).toBe(true);
    expect(d.message.metadata).toEqual({ k: 'v' });
    expect(hex(d.message.rawRequest)).toBe('0102');
  });

  it('refuses a payload of another type instead of mis-decoding it', () => {
    const payload = encodeEnvelope(new ClaimResponse({ requestId: 'REQ_a', serverId: 'SRV_b' }));
    const d = decodeEnvelope(payload, Request);
    expect(d).toEqual({ ok: false, reason: 'wrong-type', typeUrl: 'type.googleapis.com/internal.ClaimResponse' });
    expect(decodeEnvelope(Buffer.from('ff', 'hex'), Request)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('resolves the type from the last path segment, like anypb (other URL prefixes decode)', () => {
    const payload = new Msg({ typeUrl: 'example.com/x/internal.ClaimResponse', value: new ClaimResponse({ requestId: 'R' }).toBinary() as Uint8Array<ArrayBuffer> }).toBinary();
    const d = decodeEnvelope(payload, ClaimResponse);
    expect(d.ok && d.message.requestId).toBe('R');
  });
});

describe('rpc.StartEgressRequest (protobufs/rpc/egress.proto) embeds @livekit/protocol messages', () => {
  it('decodes hand-written bytes: egress_id=1, room_id=3, track=7 {room_name=1, track_id=2, websocket_url=4}', () => {
    const track = ld(0x0a, ascii('room')) + ld(0x12, ascii('TR_1')) + ld(0x22, ascii('ws://h/'));
    // room_name is field 18: tag (18 << 3) | 2 = 146, a two-byte varint 92 01.
    const hexBytes = ld(0x0a, ascii('EG_1')) + ld(0x1a, ascii('RM_1')) + ld(0x3a, track) + '9201' + '02' + ascii('rn');
    const msg = StartEgressRequest.fromBinary(Buffer.from(hexBytes, 'hex'));
    expect(msg.egressId).toBe('EG_1');
    expect(msg.roomId).toBe('RM_1');
    expect(msg.roomName).toBe('rn');
    expect(msg.request.case).toBe('track');
    const t = msg.request.value as TrackEgressRequest;
    expect(t).toBeInstanceOf(TrackEgressRequest); // @livekit/protocol's own class, one runtime
    expect(t.roomName).toBe('room');
    expect(t.trackId).toBe('TR_1');
    expect(t.output).toEqual({ case: 'websocketUrl', value: 'ws://h/' });
  });

  it('ListActiveEgressResponse.egress_ids is field 1, repeated string', () => {
    const expected = ld(0x0a, ascii('EG_a')) + ld(0x0a, ascii('EG_b'));
    expect(hex(new ListActiveEgressResponse({ egressIds: ['EG_a', 'EG_b'] }).toBinary())).toBe(expected);
  });
});

describe('queue lock key (internal/bus/bus_redis.go:347-348)', () => {
  it('is standard base64, padded, of SHA-256 of the raw payload', () => {
    // FIPS 180-2 test vectors: SHA-256("") and SHA-256("abc"), base64 of the 32 bytes.
    expect(queueLockKey(new Uint8Array(0))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(queueLockKey(Buffer.from('abc'))).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    // and the same as node:crypto on an envelope
    const p = encodeEnvelope(new ClaimResponse({ requestId: 'x' }));
    expect(queueLockKey(p)).toBe(createHash('sha256').update(p).digest('base64'));
  });
});
