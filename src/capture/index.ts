/**
 * Capture readers: pcap / pcapng / rtpdump / RFC 4571 → UDP payloads, RTP stream selection, and
 * (from src/rtp/) the RTP header peek, RTCP demux and SDP payload formats, used by `convert`
 * (src/convert/). The module's barrel for in-repo use; what the package exports is chosen in
 * src/index.ts.
 */
export { CaptureFormatError, StreamNotFoundError } from './capture-error.js';
export type { CapturedPacket, CaptureFormat, CaptureReadResult, CaptureStats } from './captured-packet.js';
export { detectCaptureFormat, readCapture, readCaptureDetailed } from './read-capture.js';
export type { ReadCaptureOptions } from './read-capture.js';
export { readPcap, parsePcapHeader } from './pcap-reader.js';
export type { PcapHeader } from './pcap-reader.js';
export { readPcapng } from './pcapng-reader.js';
export { readRtpdump } from './rtpdump-reader.js';
export { readRfc4571 } from './rfc4571-reader.js';
export { LinkType } from './link-layer.js';
export { RtpStreamScanner, chooseTrack, describeRtpStream, listRtpStreams, selectStream } from './rtp-streams.js';
export type { ChosenTrack, RtpStreamInfo, SelectStreamOptions } from './rtp-streams.js';
export { sniffRtp } from '../rtp/header.js';
export type { RtpHeaderInfo } from '../rtp/header.js';
export { isRtcp } from '../rtp/rtcp-header.js';
export { CaptureFileReader } from './capture-file-reader.js';
export type { ByteSource, CaptureFileReaderOptions } from './capture-file-reader.js';
export type { CaptureStop } from './record-parser.js';
export { guessVpCodec } from './codec-sniff.js';
export type { PayloadEvidence } from './codec-sniff.js';
export { parseFmtpParameters } from '../rtp/fmtp.js';
export { parseSdp } from '../rtp/sdp.js';
export type { SdpCodec, SdpPayloadFormat } from '../rtp/sdp.js';
