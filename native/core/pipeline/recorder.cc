#include "recorder.h"

#include "../depack/h264_depacketizer.h"
#include "codec_factory.h"

namespace te {

Recorder::Recorder(const RecorderOptions& opts)
    : input_(opts.input, &released_),
      depack_(make_depacketizer(opts.codec, opts.channels)),
      mux_(make_muxer(opts.codec, opts.mux)),
      codec_(opts.codec),
      channels_(opts.channels) {}

FmtpResult Recorder::set_fmtp(const std::string& fmtp, std::string& error) {
  if (codec_ != Codec::kH264) return FmtpResult::kOk;
  H264Fmtp h264;
  FmtpResult r = parse_h264_fmtp(fmtp, h264, error);
  if (r != FmtpResult::kOk) return r;
  auto d = make_depacketizer(codec_, channels_, &h264);
  if (!d) {
    error = "sprop-parameter-sets holds a parameter set that cannot be used";
    return FmtpResult::kInvalid;
  }
  depack_ = std::move(d);  // nothing was pushed yet: the new depacketizer replaces the idle one
  return FmtpResult::kOk;
}

uint64_t Recorder::parameter_sets_missing() const {
  if (codec_ != Codec::kH264 || !depack_) return 0;
  return static_cast<const H264Depacketizer&>(*depack_).h264_stats().parameter_sets_missing;
}

void Recorder::push(uint32_t id, ByteView bytes, int64_t arrival_us) {
  started_ = true;
  if (finished_) {
    released_.ids.push_back(id);
    return;
  }
  input_.push(id, bytes, arrival_us);
  poll(arrival_us);
}

void Recorder::poll(int64_t now_us) {
  if (finished_) return;
  ReleasedPacket rp;
  while (input_.pop(now_us, rp)) deliver(rp);
  drain_frames();
}

void Recorder::finish() {
  if (finished_) return;
  ReleasedPacket rp;
  while (input_.drain(rp)) deliver(rp);
  depack_->flush();
  drain_frames();
  mux_->finish();
  finished_ = true;
}

bool Recorder::take_keyframe_request() {
  bool r = keyframe_request_;
  keyframe_request_ = false;
  return r;
}

void Recorder::deliver(ReleasedPacket& rp) {
  depack_->push(rp.packet, std::move(rp.hold), rp.lost_before);
  if (depack_->keyframe_needed()) {
    keyframe_request_ = true;
    depack_->clear_keyframe_request();
  }
}

void Recorder::drain_frames() {
  Frame f;
  while (depack_->pop(f)) {
    if (f.config && f.config->width) {
      width_ = f.config->width;
      height_ = f.config->height;
    }
    mux_->write(std::move(f));
  }
}

}  // namespace te
