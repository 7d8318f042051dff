/**
 * psrpc's Redis channel names — the "Legacy" names, the only ones its Redis bus uses
 * (`psrpc@v0.7.2: internal/bus/bus_redis.go:89,95,99` publish and subscribe `channel.Legacy`).
 * Names and escaping follow `psrpc@v0.7.2: pkg/info/channels.go`:
 *
 * | channel        | name                                   | `channels.go` |
 * | ---            | ---                                    | --- |
 * | request        | `<Service>|<Method>|<topic…>|REQ`      | :57-63 `GetRPCChannel` |
 * | claim response | `<Service>|<Method>|<topic…>|RCLAIM`   | :69-75 `GetClaimResponseChannel` |
 * | claim request  | `<Service>|<clientID>|CLAIM`           | :36-41 `GetClaimRequestChannel` |
 * | response       | `<Service>|<clientID>|RES`             | :50-55 `GetResponseChannel` |
 *
 * Topic parts are escaped (characters outside `[0-9A-Za-z_]` → `u+xxxx` / `U+xxxxxxxx`), and an
 * empty part adds its separator but no text, after which the next part gets no separator
 * (`appendChannelParts`, :136-152): `StartEgress` on topic `""` is `EgressInternal|StartEgress|REQ`.
 */

/** Characters kept as they are (`channels.go:26-34`, `channelChar`). */
const CHANNEL_CHAR = /^[0-9A-Za-z_]$/;
const LOWER_HEX = '0123456789abcdef';

/** A part of a channel name: a string, or a list of parts (a topic) joined by the same delimiter. */
export type ChannelPart = string | readonly string[];

/**
 * Escapes one part as `appendSanitizedChannelPart` does (`channels.go:154-171`): each code point
 * outside `[0-9A-Za-z_]` becomes `u+` + 4 lowercase hex digits (BMP) or `U+` + 8 (astral).
 * A lone UTF-16 surrogate is escaped as U+FFFD, the rune Go decodes from its UTF-8 replacement.
 */
export function sanitizeChannelPart(s: string): string {
  let out = '';
  for (const ch of s) {
    let r = ch.codePointAt(0)!;
    if (CHANNEL_CHAR.test(ch)) {
      out += ch;
      continue;
    }
    if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
    if (r < 0x10000) {
      out += 'u+';
      for (let shift = 12; shift >= 0; shift -= 4) out += LOWER_HEX[(r >> shift) & 0xf];
    } else {
      out += 'U+';
      for (let shift = 28; shift >= 0; shift -= 4) out += LOWER_HEX[(r >>> shift) & 0xf];
    }
  }
  return out;
}

/**
 * Joins parts as psrpc's `formatChannel(delim, parts...)` (`channels.go:130-152`): the delimiter
 * goes before a part only when the previous part added text, and a list's items are joined
 * recursively with the same rule.
 */
export function formatChannel(delim: string, ...parts: readonly ChannelPart[]): string {
  let buf = '';
  const append = (items: readonly ChannelPart[]): void => {
    let prefix = false;
    for (const part of items) {
      if (prefix) buf += delim;
      const before = buf.length;
      if (typeof part === 'string') buf += sanitizeChannelPart(part);
      else append(part);
      prefix = buf.length > before;
    }
  };
  append(parts);
  return buf;
}

/** Request channel `<Service>|<Method>|<topic…>|REQ` (`channels.go:57-63`). */
export function requestChannel(service: string, method: string, topic: readonly string[]): string {
  return formatChannel('|', service, method, topic, 'REQ');
}

/** Claim-response channel `<Service>|<Method>|<topic…>|RCLAIM` (`channels.go:69-75`). */
export function claimResponseChannel(service: string, method: string, topic: readonly string[]): string {
  return formatChannel('|', service, method, topic, 'RCLAIM');
}

/** Claim-request channel of one client, `<Service>|<clientID>|CLAIM` (`channels.go:36-41`). */
export function claimRequestChannel(service: string, clientId: string): string {
  return formatChannel('|', service, clientId, 'CLAIM');
}

/** Response channel of one client, `<Service>|<clientID>|RES` (`channels.go:50-55`). */
export function responseChannel(service: string, clientId: string): string {
  return formatChannel('|', service, clientId, 'RES');
}

/**
 * Key of a handler within one server, `<Method>.<topic…>` (`channels.go:65-67`,
 * `GetHandlerKey`): one handler per method and topic (`pkg/server/server.go:72-80`).
 */
export function handlerKey(method: string, topic: readonly string[]): string {
  return formatChannel('.', method, topic);
}
