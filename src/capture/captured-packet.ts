/**
 * Shapes shared by every capture reader (pcap, pcapng, rtpdump, RFC 4571).
 */

/** One UDP payload (normally an RTP or RTCP packet) found in a capture. */
export type CapturedPacket = {
  /** The UDP payload: a subarray view into the input bytes (never a copy). */
  data: Uint8Array;
  /** Arrival time in microseconds (Unix epoch for pcap/pcapng/rtpdump, 0-based for RFC 4571). */
  timeUs: number;
  /** Source IP address (dotted IPv4 or RFC 5952 IPv6 text), when the format records it. */
  src?: string;
  /** Destination IP address, when the format records it. */
  dst?: string;
  /** UDP source port, when the format records it. */
  srcPort?: number;
  /** UDP destination port, when the format records it. */
  dstPort?: number;
};

/** Capture container formats understood by {@link readCapture}. */
export type CaptureFormat = 'pcap' | 'pcapng' | 'rtpdump' | 'rfc4571';

/** Counters of what a reader saw and skipped. Skipped records are data, not errors. */
export type CaptureStats = {
  /** Packet records in the file (pcap records, pcapng EPB/SPB/PB, rtpdump entries, RFC 4571 frames). */
  records: number;
  /** UDP payloads returned. */
  packets: number;
  /** Link-layer frames that carry neither IPv4 nor IPv6 (ARP, LLDP…). */
  nonIp: number;
  /** IP packets that are not UDP (TCP, ICMP, IPv6 "no next header"…). */
  nonUdp: number;
  /** IPv4/IPv6 fragments (first or later); never reassembled. */
  fragments: number;
  /** Headers that are inconsistent (bad lengths, bad IP version, runt frames). */
  malformed: number;
  /** Records cut short by the capture's snap length so the UDP payload is incomplete. */
  snapTruncated: number;
  /** Records on an interface whose link type we do not decode. */
  unsupportedLinkType: number;
  /** pcapng blocks other than SHB/IDB/EPB/SPB/PB (statistics, name resolution, custom…). */
  skippedBlocks: number;
  /** 1 when the file ends in the middle of a record (the earlier records are kept). */
  truncatedRecords: number;
};

/** Result of {@link readCaptureDetailed}: the packets plus what was skipped and why. */
export type CaptureReadResult = {
  format: CaptureFormat;
  packets: CapturedPacket[];
  stats: CaptureStats;
  /** Human-readable warnings (one per kind of problem, not per packet). */
  warnings: string[];
};

/** A fresh all-zero {@link CaptureStats}. */
export function emptyCaptureStats(): CaptureStats {
  return {
    records: 0,
    packets: 0,
    nonIp: 0,
    nonUdp: 0,
    fragments: 0,
    malformed: 0,
    snapTruncated: 0,
    unsupportedLinkType: 0,
    skippedBlocks: 0,
    truncatedRecords: 0,
  };
}
