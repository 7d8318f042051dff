import { describe, expect, it } from 'vitest';

import {
  cleanFilepath,
  expandRequestPlaceholders,
  expandTrackPlaceholders,
  withExtension,
} from '../../../src/egress/filepath-template.js';

// The spec's examples: {time} = 2026-08-21T134501, {utc} = 20260821134501123 for this instant.
const NOW = new Date('2026-08-21T13:45:01.123Z');
const TRACK = { trackId: 'TR_AMx', trackKind: 'audio' as const, trackSource: 'MICROPHONE', publisherIdentity: 'alice' };

describe('cleanFilepath (LiveKit clean)', () => {
  it.each([
    ['', ''],
    ['.', ''],
    ['..', ''],
    ['../', ''],
    ['./', ''],
    ['../../etc/x', 'etc/x'],
    ['../a/', 'a/'],
    ['a/../../x', 'x'],
    ['a//b/./c', 'a/b/c'],
    ['a//b/./c/', 'a/b/c/'],
    ['rec/', 'rec/'],
    ['/abs/x.mp4', '/abs/x.mp4'],
    ['/../x', '/x'],
    ['livekit-demo/track-test.mp4', 'livekit-demo/track-test.mp4'],
  ])('%j → %j', (input, expected) => {
    expect(cleanFilepath(input)).toBe(expected);
  });
});

describe('expandRequestPlaceholders', () => {
  const ctx = { roomName: 'my-room', roomId: 'RM_abc', now: NOW };
  it('fills {room_name} {room_id} {time} {utc} in the spec formats', () => {
    expect(expandRequestPlaceholders('{room_name}/{room_id}/{time}/{utc}', ctx)).toBe('my-room/RM_abc/2026-08-21T134501/20260821134501123');
  });
  it('uses UTC and zero-pads every field', () => {
    const early = new Date('2026-01-02T03:04:05.007Z');
    expect(expandRequestPlaceholders('{time}_{utc}', { ...ctx, now: early })).toBe('2026-01-02T030405_20260102030405007');
  });
  it('replaces every occurrence and keeps unknown placeholders and track ones for later', () => {
    expect(expandRequestPlaceholders('{room_name}-{room_name}-{track_id}-{foo}', ctx)).toBe('my-room-my-room-{track_id}-{foo}');
  });
  it('leaves room placeholders when the room name is empty (LiveKit defines them only with a room)', () => {
    expect(expandRequestPlaceholders('{room_name}/{room_id}/{time}', { roomName: '', roomId: 'RM_abc', now: NOW })).toBe('{room_name}/{room_id}/2026-08-21T134501');
  });
  it('does not expand placeholders inside a substituted value', () => {
    expect(expandRequestPlaceholders('{room_name}', { ...ctx, roomName: '{time}' })).toBe('{time}');
  });
});

describe('expandTrackPlaceholders', () => {
  it('fills {track_id} {track_type} {track_kind} {track_source} {publisher_identity}', () => {
    expect(expandTrackPlaceholders('{track_id}/{track_type}/{track_kind}/{track_source}/{publisher_identity}', TRACK)).toBe(
      'TR_AMx/audio/audio/microphone/alice',
    );
  });
  it('lower-cases sources such as SCREEN_SHARE_AUDIO and keeps unknown placeholders', () => {
    const t = { ...TRACK, trackKind: 'video' as const, trackSource: 'SCREEN_SHARE_AUDIO' };
    expect(expandTrackPlaceholders('{track_source}-{track_type}-{retry}-{bogus}', t)).toBe('screen_share_audio-video-{retry}-{bogus}');
  });
});

describe('withExtension (LiveKit extension rules)', () => {
  it('keeps the right extension', () => {
    expect(withExtension('x.ogg', 'TR_a', '.ogg', NOW)).toBe('x.ogg');
    expect(withExtension('livekit-demo/track-test.mp4', 'TR_a', '.mp4', NOW)).toBe('livekit-demo/track-test.mp4');
  });
  it('replaces a known wrong extension: x.mp4 for VP8 → x.webm', () => {
    expect(withExtension('x.mp4', 'TR_a', '.webm', NOW)).toBe('x.webm');
    expect(withExtension('a/b.webm', 'TR_a', '.ogg', NOW)).toBe('a/b.ogg');
  });
  it.each(['.raw', '.ogg', '.mp3', '.ivf', '.mp4', '.ts', '.webm', '.m3u8', '.jpeg'])('knows %s', (known) => {
    const want = known === '.mp4' ? 'x.webm' : known === '.webm' ? 'x.mp4' : 'x.mp4';
    const ext = known === '.mp4' ? '.webm' : '.mp4';
    expect(withExtension(`x${known}`, 'TR_a', ext, NOW)).toBe(want);
  });
  it('appends to an unknown extension: x.wav → x.wav.ogg', () => {
    expect(withExtension('x.wav', 'TR_a', '.ogg', NOW)).toBe('x.wav.ogg');
    expect(withExtension('x.MP4', 'TR_a', '.webm', NOW)).toBe('x.MP4.webm'); // exact case, as LiveKit
  });
  it('appends when there is none: x → x.ogg (also with a dot in a directory name)', () => {
    expect(withExtension('x', 'TR_a', '.ogg', NOW)).toBe('x.ogg');
    expect(withExtension('rec.v2/x', 'TR_a', '.ogg', NOW)).toBe('rec.v2/x.ogg');
  });
  it("generates <track_id>-<time><ext> for an empty path or one ending in '/'", () => {
    expect(withExtension('', 'TR_a', '.ogg', NOW)).toBe('TR_a-2026-08-21T134501.ogg');
    expect(withExtension('rec/', 'TR_a', '.webm', NOW)).toBe('rec/TR_a-2026-08-21T134501.webm');
  });
  it('whole chain as the service runs it', () => {
    const p = expandRequestPlaceholders(cleanFilepath('../{room_name}/{publisher_identity}-{track_kind}'), { roomName: 'r', now: NOW });
    expect(withExtension(expandTrackPlaceholders(p, TRACK), TRACK.trackId, '.ogg', NOW)).toBe('r/alice-audio.ogg');
  });
});
