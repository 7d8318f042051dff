/**
 * A real HTTP endpoint on loopback that receives the service's webhooks and checks each with the
 * official livekit-server-sdk `WebhookReceiver` (signature, sha256 of the body): what it accepted,
 * in arrival order, and what it refused.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { EgressInfo } from '@livekit/protocol';
import { WebhookReceiver } from 'livekit-server-sdk';

export type WebhookSink = {
  /** The URL to configure as a webhook target. */
  url: string;
  /** Every webhook WebhookReceiver accepted, in arrival order, with its raw body. */
  events: { event: string; info: EgressInfo; body: string }[];
  /** WebhookReceiver's errors for the ones it refused. */
  rejected: string[];
  close(): void;
};

export async function startWebhookSink(apiKey: string, apiSecret: string): Promise<WebhookSink> {
  const receiver = new WebhookReceiver(apiKey, apiSecret);
  const events: WebhookSink['events'] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (b: Buffer) => body.push(b));
    req.on('end', async () => {
      const text = Buffer.concat(body).toString();
      try {
        const ev = await receiver.receive(text, req.headers.authorization);
        events.push({ event: ev.event, info: ev.egressInfo!, body: text });
      } catch (e) {
        rejected.push(String(e));
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    events,
    rejected,
    close: () => server.close(),
  };
}
