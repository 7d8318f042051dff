import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Reads a captured SDP from test/fixtures/livekit/ and strips the leading '#' provenance lines; the
 * rest is returned byte for byte (CRLF line ends, as on the wire).
 */
export function sdpFixture(name: string): string {
  const text = readFileSync(fileURLToPath(new URL(`../../fixtures/livekit/${name}`, import.meta.url)), 'utf8');
  return text.replace(/^(#[^\n]*\n)+/, '');
}
