// A process running an EgressService with one track egress, for the kill -9 test
// (test/livekit/egress-service.test.ts): `node --import tsx egress-service-child.ts '<json>'`
// with { url, apiKey, apiSecret, recordingsDir, roomName, trackId, filepath, s3? (S3Upload JSON) }. Prints
// "receiving RTP" when the egress turns ACTIVE (the line test/support/crash-check.ts waits for).
import { DirectFileOutput, EgressStatus, S3Upload, TrackEgressRequest } from '@livekit/protocol';

import { EgressService } from '../../src/egress/egress-service.js';

const o = JSON.parse(process.argv[2]!) as Record<string, string> & { s3?: unknown };
const svc = new EgressService({ apiKey: o.apiKey!, apiSecret: o.apiSecret!, wsUrl: o.url!, recordingsDir: o.recordingsDir });
svc.on('update', (info) => {
  console.log(`status ${EgressStatus[info.status]} ${info.error}`);
  if (info.status === EgressStatus.EGRESS_ACTIVE) console.log('receiving RTP');
});
await svc.start();
await svc.startTrackEgress(new TrackEgressRequest({
  roomName: o.roomName,
  trackId: o.trackId,
  output: { case: 'file', value: new DirectFileOutput({ filepath: o.filepath,
    output: o.s3 ? { case: 's3', value: S3Upload.fromJson(o.s3 as never) } : { case: undefined } }) },
}));
process.once('SIGINT', () => void svc.close().then(() => process.exit(0)));
