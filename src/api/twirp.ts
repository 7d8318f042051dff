/**
 * The Twirp v7 wire rules the API server needs (https://twitchtv.github.io/twirp/docs/spec_v7.html):
 * the route `POST /twirp/<package>.<Service>/<Method>`, request bodies in JSON or protobuf, the
 * reply in the request's encoding, and error bodies `{"code","msg","meta"}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { EgressError, type TwirpCode, TWIRP_HTTP_STATUS } from '../egress/egress-error.js';

/** How a request body was encoded; the reply uses the same. */
export type TwirpEncoding = 'json' | 'protobuf';

/** The static decoders of a protobuf-es message class (`@livekit/protocol`'s messages have them). */
export type DecodableType<T> = {
  fromBinary(bytes: Uint8Array): T;
  fromJsonString(json: string, options?: { ignoreUnknownFields?: boolean }): T;
};

/** What a reply message must offer (any protobuf-es message). */
export type EncodableMessage = {
  toBinary(): Uint8Array;
  toJsonString(options?: { useProtoFieldName?: boolean; emitDefaultValues?: boolean }): string;
};

/** A parsed Twirp route. */
export type TwirpRoute = { service: string; method: string };

/** Largest request body accepted, bytes (LiveKit limits API bodies too). */
export const MAX_REQUEST_BYTES = 1 << 20;

const ROUTE = /^\/twirp\/([A-Za-z0-9_.]+)\/([A-Za-z0-9_]+)$/;

/** `/twirp/livekit.Egress/StopEgress` → `{ service: 'livekit.Egress', method: 'StopEgress' }`; anything else → undefined. */
export function parseTwirpRoute(pathname: string): TwirpRoute | undefined {
  const m = ROUTE.exec(pathname);
  return m ? { service: m[1]!, method: m[2]! } : undefined;
}

/**
 * The encoding named by a Content-Type header (parameters such as `;charset=UTF-8` ignored).
 * @throws EgressError `bad_route` for any other type, as Twirp servers answer.
 */
export function requestEncoding(contentType: string | undefined): TwirpEncoding {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/protobuf') return 'protobuf';
  throw new EgressError('bad_route', `unexpected Content-Type: ${JSON.stringify(contentType ?? '')}`);
}

/**
 * Reads the whole body, at most `limit` bytes.
 * @throws EgressError `malformed` when it is larger (the rest is not read).
 */
export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new EgressError('malformed', `request body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new EgressError('malformed', `request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Decodes a request message. JSON accepts both the proto field names (`room_name`) and their
 * JSON names (`roomName`); unknown fields are ignored (clients may be newer than us).
 * @throws EgressError `malformed` when the body does not decode.
 */
export function decodeMessage<T>(type: DecodableType<T>, body: Buffer, encoding: TwirpEncoding): T {
  try {
    if (encoding === 'protobuf') return type.fromBinary(body);
    const text = body.length === 0 ? '{}' : body.toString('utf8');
    return type.fromJsonString(text, { ignoreUnknownFields: true });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new EgressError('malformed', `the ${encoding} request could not be decoded: ${why}`);
  }
}

/**
 * Writes a reply message in `encoding`. JSON is written as a Twirp Go server (LiveKit's) writes
 * it: proto field names, default values included; int64 as strings.
 */
export function writeMessage(res: ServerResponse, message: EncodableMessage, encoding: TwirpEncoding): void {
  const body =
    encoding === 'protobuf'
      ? Buffer.from(message.toBinary())
      : Buffer.from(message.toJsonString({ useProtoFieldName: true, emitDefaultValues: true }));
  res.writeHead(200, {
    'Content-Type': encoding === 'protobuf' ? 'application/protobuf' : 'application/json',
    'Content-Length': body.length,
  });
  res.end(body);
}

/**
 * Writes a Twirp error: HTTP status from the code, `Content-Type: application/json` exactly
 * (livekit-server-sdk string-compares it), body `{"code","msg"[,"meta"]}`.
 */
export function writeTwirpError(
  res: ServerResponse,
  code: TwirpCode,
  msg: string,
  meta?: Record<string, string>,
): void {
  const body = Buffer.from(JSON.stringify(meta ? { code, msg, meta } : { code, msg }));
  res.writeHead(TWIRP_HTTP_STATUS[code], { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}
