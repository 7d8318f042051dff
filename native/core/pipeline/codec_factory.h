// Picks the depacketizer and the container for a codec. The container follows the codec, as in
// LiveKit's Track Egress: H.264 → MP4, VP8/VP9 → WebM, Opus → Ogg.
#pragma once
#include <memory>

#include "../depack/depacketizer.h"
#include "../depack/h264_fmtp.h"
#include "../mux/muxer.h"

namespace te {

// channels: Opus only (the SDP's stereo=1 / sprop-stereo=1 → 2). h264: the SDP's fmtp (out-of-band
// parameter sets), H.264 only, may be null. Null for an unknown codec.
std::unique_ptr<Depacketizer> make_depacketizer(Codec codec, uint32_t channels,
                                                const H264Fmtp* h264 = nullptr);
std::unique_ptr<Muxer> make_muxer(Codec codec, const MuxerOptions& opts);

}  // namespace te
