import { DirectFileOutput, FileInfo, TrackEgressRequest } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { markActive, markComplete, newEgressInfo, setFileResult } from '../../../src/egress/egress-info.js';
import { manifestFilename, manifestJson } from '../../../src/egress/manifest.js';

const T0 = 1_787_000_000_123_456_789n;
const request = new TrackEgressRequest({ roomName: 'my-room', trackId: 'TR_AMx', output: { case: 'file', value: new DirectFileOutput({ filepath: 'rec/' }) } });
const track = { publisherIdentity: 'alice', trackKind: 'audio' as const, trackSource: 'MICROPHONE' };

describe('manifestJson (LiveKit manifest.go fields, track fields filled)', () => {
  it('writes the fields in LiveKit order with exact ns times as JSON numbers', () => {
    const info = newEgressInfo({ egressId: 'EG_23456789ABCD', roomName: 'my-room', roomId: 'RM_x', request, now: T0 });
    markComplete(markActive(info, T0 + 1n), 'End reason: Source closed', T0 + 9_000_000_000n);
    setFileResult(info, new FileInfo({ filename: 'rec/TR_AMx-2026-08-21T134501.ogg', location: '/srv/recordings/rec/TR_AMx-2026-08-21T134501.ogg', size: 10n }));
    expect(manifestJson(info, track)).toBe(
      '{"egress_id":"EG_23456789ABCD","room_id":"RM_x","room_name":"my-room","started_at":1787000000123456789,' +
        '"ended_at":1787000009123456789,"publisher_identity":"alice","track_id":"TR_AMx","track_kind":"audio",' +
        '"track_source":"microphone","files":[{"filename":"rec/TR_AMx-2026-08-21T134501.ogg","location":"/srv/recordings/rec/TR_AMx-2026-08-21T134501.ogg"}]}\n',
    );
  });
  it('omits empty fields (room_id, ended_at, files) like Go omitempty, and escapes strings', () => {
    const info = newEgressInfo({ egressId: 'EG_23456789ABCD', roomName: 'r"1', request, now: T0 });
    const text = manifestJson(info, { ...track, publisherIdentity: 'bob "the" <b>' });
    expect(text).toBe('{"egress_id":"EG_23456789ABCD","room_name":"r\\"1","started_at":1787000000123456789,"publisher_identity":"bob \\"the\\" <b>","track_id":"TR_AMx","track_kind":"audio","track_source":"microphone"}\n');
    expect(JSON.parse(text)).toMatchObject({ room_name: 'r"1', publisher_identity: 'bob "the" <b>' });
  });
});

describe('manifestFilename', () => {
  it('puts <egress_id>.json next to the media file', () => {
    expect(manifestFilename('livekit-demo/track-test.mp4', 'EG_23456789ABCD')).toBe('livekit-demo/EG_23456789ABCD.json');
    expect(manifestFilename('a/b/c.ogg', 'EG_x')).toBe('a/b/EG_x.json');
    expect(manifestFilename('c.ogg', 'EG_x')).toBe('EG_x.json');
    expect(manifestFilename('/abs/c.ogg', 'EG_x')).toBe('/abs/EG_x.json');
  });
});
