/**
 * The envelope of every payload on psrpc's Redis bus: an `internal.Msg{type_url, value, channel}`
 * (wire-compatible with `google.protobuf.Any`) whose `type_url` is
 * `type.googleapis.com/<full message name>` and whose `channel` stays empty on Redis
 * (`psrpc@v0.7.2: internal/bus/serialization.go:25-36` `serialize`, called with `""` by
 * `internal/bus/bus_redis.go:84`). Readers decode it as an `Any` and resolve the type from the URL
 * (`serialization.go:51-62`); Go subscribers then type-assert it to the channel's type
 * (`internal/bus/subscription.go:41`), so a wrong type on a channel is never published here and
 * never handed on when read.
 */
import type { Message, MessageType } from '@bufbuild/protobuf';

import { Msg } from './gen/internal_pb.js';

/** Prefix of every type URL psrpc writes (`serialization.go:32`). */
export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** `type.googleapis.com/<typeName>` of a message type, e.g. `type.googleapis.com/internal.Request`. */
export function typeUrlOf(type: MessageType): string {
  return TYPE_URL_PREFIX + type.typeName;
}

/**
 * The bytes psrpc publishes for `message`: `internal.Msg{type_url, value = message bytes}`.
 * @throws whatever `toBinary` throws for an unserialisable message (e.g. an invalid UTF-8 string).
 */
export function encodeEnvelope<T extends Message<T>>(message: T): Uint8Array {
  const type = message.getType();
  return new Msg({ typeUrl: typeUrlOf(type), value: message.toBinary() as Uint8Array<ArrayBuffer> }).toBinary();
}

/** What {@link decodeEnvelope} found in a payload. */
export type DecodedEnvelope<T> =
  | { ok: true; message: T }
  | { ok: false; reason: 'malformed' | 'wrong-type'; typeUrl?: string };

/**
 * Reads a payload as `internal.Msg` and its value as `type`. Like Go's `anypb.UnmarshalNew`, the
 * message name is the URL's last path segment; a payload of any other type is refused
 * (`wrong-type`) rather than decoded as the wrong message. Unknown fields are kept (protobuf-es
 * default), so newer upstream fields survive a decode/encode round trip.
 */
export function decodeEnvelope<T extends Message<T>>(payload: Uint8Array, type: MessageType<T>): DecodedEnvelope<T> {
  let msg: Msg;
  try {
    msg = Msg.fromBinary(payload);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const name = msg.typeUrl.slice(msg.typeUrl.lastIndexOf('/') + 1);
  if (name !== type.typeName) return { ok: false, reason: 'wrong-type', typeUrl: msg.typeUrl };
  try {
    return { ok: true, message: type.fromBinary(msg.value) };
  } catch {
    return { ok: false, reason: 'malformed', typeUrl: msg.typeUrl };
  }
}
