#include "codec_factory.h"

#include "../depack/h264_depacketizer.h"
#include "../depack/opus_depacketizer.h"
#include "../depack/vp8_depacketizer.h"
#include "../depack/vp9_depacketizer.h"
#include "../mux/mp4/mp4_muxer.h"
#include "../mux/ogg/ogg_opus_muxer.h"
#include "../mux/webm/webm_muxer.h"

namespace te {

std::unique_ptr<Depacketizer> make_depacketizer(Codec codec, uint32_t channels,
                                                const H264Fmtp* h264) {
  switch (codec) {
    case Codec::kH264: {
      auto d = std::make_unique<H264Depacketizer>();
      if (h264 && !d->set_out_of_band_parameter_sets(h264->parameter_sets)) return nullptr;
      return d;
    }
    case Codec::kVP8: return std::make_unique<Vp8Depacketizer>();
    case Codec::kVP9: return std::make_unique<Vp9Depacketizer>();
    case Codec::kOpus: {
      OpusDepacketizerOptions o;
      o.channels = channels == 1 ? 1 : 2;
      return std::make_unique<OpusDepacketizer>(o);
    }
  }
  return nullptr;
}

std::unique_ptr<Muxer> make_muxer(Codec codec, const MuxerOptions& opts) {
  switch (codec) {
    case Codec::kH264: return std::make_unique<Mp4Muxer>(opts);
    case Codec::kVP8:
    case Codec::kVP9: return std::make_unique<WebmMuxer>(opts);
    case Codec::kOpus: return std::make_unique<OggOpusMuxer>(opts);
  }
  return nullptr;
}

}  // namespace te
