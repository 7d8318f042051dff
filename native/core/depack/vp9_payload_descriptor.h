// VP9 RTP payload descriptor (RFC 9628 §4.2, formerly draft-ietf-payload-vp9-16), including the
// scalability structure (RFC 9628 §4.2.1).
//
//         0 1 2 3 4 5 6 7
//        +-+-+-+-+-+-+-+-+
//        |I|P|L|F|B|E|V|Z| (REQUIRED)
//        +-+-+-+-+-+-+-+-+
//   I:   |M| PICTURE ID  | (RECOMMENDED)   M=1: 15-bit PictureID in two bytes
//        +-+-+-+-+-+-+-+-+
//   M:   | EXTENDED PID  | (RECOMMENDED)
//        +-+-+-+-+-+-+-+-+
//   L:   |  TID  |U| SID |D| (CONDITIONALLY RECOMMENDED)
//        +-+-+-+-+-+-+-+-+
//        |   TL0PICIDX   | (non-flexible mode only, F=0)
//        +-+-+-+-+-+-+-+-+                             -.
//  P,F:  | P_DIFF      |N| (CONDITIONALLY REQUIRED)    - up to 3 times, N=1: another follows
//        +-+-+-+-+-+-+-+-+                             -/
//   V:   | SS            |
//        | ..            |
//        +-+-+-+-+-+-+-+-+
//
// Scalability structure (SS, RFC 9628 §4.2.1):
//
//        +-+-+-+-+-+-+-+-+
//   V:   | N_S |Y|G|-|-|-|
//        +-+-+-+-+-+-+-+-+              -.
//   Y:   |     WIDTH     | (16 bits)     . N_S + 1 times
//        |     HEIGHT    | (16 bits)     .
//        +-+-+-+-+-+-+-+-+              -/
//   G:   |      N_G      |
//        +-+-+-+-+-+-+-+-+                           -.
//  N_G:  | TID |U| R |-|-| (OPTIONAL)                 . N_G times
//        +-+-+-+-+-+-+-+-+              -\            .
//        |    P_DIFF     | (OPTIONAL)    . R times    .
//        +-+-+-+-+-+-+-+-+              -/           -/
#pragma once
#include <cstddef>
#include <cstdint>

#include "../util/byte_view.h"

namespace te {

struct Vp9PictureGroupEntry {
  uint8_t tid = 0;
  bool switching_up = false;
  uint8_t num_ref = 0;  // R (0..3)
  uint8_t p_diff[3] = {0, 0, 0};
};

struct Vp9ScalabilityStructure {
  uint8_t num_spatial = 0;  // N_S + 1 (1..8)
  bool has_resolution = false;
  uint16_t width[8] = {};
  uint16_t height[8] = {};
  bool has_group = false;   // G
  uint8_t num_group = 0;    // N_G
  Vp9PictureGroupEntry group[255];
};

struct Vp9Descriptor {
  bool has_picture_id = false;  // I
  bool inter_picture = false;   // P: inter-picture predicted
  bool has_layer = false;       // L
  bool flexible = false;        // F
  bool begin = false;           // B: start of a (layer) frame
  bool end = false;             // E: end of a (layer) frame
  bool has_ss = false;          // V
  bool not_ref_upper = false;   // Z: not used for inter-layer prediction
  bool picture_id_15 = false;   // M
  uint16_t picture_id = 0;
  uint8_t tid = 0;              // 3 bits
  bool switching_up = false;    // U
  uint8_t sid = 0;              // 3 bits
  bool inter_layer = false;     // D: inter-layer dependency
  bool has_tl0picidx = false;
  uint8_t tl0picidx = 0;
  uint8_t num_p_diff = 0;       // flexible mode references (0..3)
  uint8_t p_diff[3] = {0, 0, 0};
  size_t size = 0;              // descriptor length (offset of the VP9 payload)
};

// Parses the descriptor at the start of `payload`; fills `ss` when V=1 (ss may be null to skip
// its content but still validate its length). Returns false if truncated, if a P_DIFF list is
// longer than 3 or uses P_DIFF 0, or if no payload byte follows.
bool parse_vp9_descriptor(ByteView payload, Vp9Descriptor& out, Vp9ScalabilityStructure* ss);

}  // namespace te
