// EBML variable-size integers, element IDs and element encodings (RFC 8794 §4, §5, §7).
#include <gtest/gtest.h>

#include <vector>

#include "core/mux/webm/ebml_writer.h"
#include "ebml_walker.h"

namespace te {
namespace {

TEST(EbmlSize, LengthBoundaries) {
  for (size_t len = 1; len <= 8; len++) {
    const uint64_t reserved = (uint64_t{1} << (7 * len)) - 1;  // all ones: unknown size
    EXPECT_EQ(ebml_size_length(reserved - 1), len) << len;
    EXPECT_EQ(ebml_size_length(reserved), len == 8 ? 0u : len + 1) << len;
  }
  EXPECT_EQ(ebml_size_length(0), 1u);
}

TEST(EbmlSize, EncodingsOneToEightBytes) {
  uint8_t b[8];
  ASSERT_TRUE(write_ebml_size(b, 0, 1));
  EXPECT_EQ(b[0], 0x80);
  ASSERT_TRUE(write_ebml_size(b, 126, 1));
  EXPECT_EQ(b[0], 0xFE);
  EXPECT_FALSE(write_ebml_size(b, 127, 1));
  ASSERT_TRUE(write_ebml_size(b, 127, 2));
  EXPECT_EQ(b[0], 0x40);
  EXPECT_EQ(b[1], 0x7F);
  ASSERT_TRUE(write_ebml_size(b, 0x123456, 4));
  EXPECT_EQ(b[0], 0x10);
  EXPECT_EQ(b[1], 0x12);
  EXPECT_EQ(b[2], 0x34);
  EXPECT_EQ(b[3], 0x56);
  ASSERT_TRUE(write_ebml_size(b, 5, 8));
  const uint8_t eight[8] = {0x01, 0, 0, 0, 0, 0, 0, 5};
  EXPECT_EQ(0, memcmp(b, eight, 8));
  EXPECT_FALSE(write_ebml_size(b, (uint64_t{1} << 56) - 1, 8));
  EXPECT_FALSE(write_ebml_size(b, 1, 0));
  EXPECT_FALSE(write_ebml_size(b, 1, 9));
  // Every length decodes back with the test walker.
  for (size_t len = 1; len <= 8; len++) {
    const uint64_t v = (uint64_t{1} << (7 * len)) - 2;
    EbmlWriter w;
    w.put_id(0xEC);
    w.put_size(v, len);
    std::vector<uint8_t> bytes = w.bytes();
    EXPECT_EQ(bytes.size(), 1 + len);
    EXPECT_EQ(bytes[1] >> (8 - len), 1) << len;  // marker bit position
  }
}

TEST(EbmlId, Lengths) {
  EXPECT_EQ(ebml_id_length(0xA3), 1u);
  EXPECT_EQ(ebml_id_length(0x4286), 2u);
  EXPECT_EQ(ebml_id_length(0x2AD7B1), 3u);
  EXPECT_EQ(ebml_id_length(0x1A45DFA3), 4u);
  EbmlWriter w;
  w.put_id(0x1A45DFA3);
  const std::vector<uint8_t> expect = {0x1A, 0x45, 0xDF, 0xA3};
  EXPECT_EQ(w.bytes(), expect);
}

TEST(EbmlWriter, ElementsParseBack) {
  EbmlWriter body;
  body.put_uint(0xD7, 0);
  body.put_uint(0x2AD7B1, 1000000);
  body.put_uint(0x73C5, 0x0102030405060708ull);
  body.put_float(0x4489, 1234.5);
  body.put_string(0x86, "V_VP8");
  EbmlWriter w;
  w.put_master(0xAE, body);
  const std::vector<uint8_t>& b = w.bytes();
  using namespace testing_ebml;
  auto top = children(b, nullptr);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].id, 0xAEu);
  EXPECT_EQ(top[0].end(), b.size());
  auto kids = children(b, &top[0]);
  ASSERT_EQ(kids.size(), 5u);
  EXPECT_EQ(kids[0].size, 1u);  // zero still takes one byte
  EXPECT_EQ(read_uint(b, kids[0]), 0u);
  EXPECT_EQ(kids[1].size, 3u);  // fewest bytes
  EXPECT_EQ(read_uint(b, kids[1]), 1000000u);
  EXPECT_EQ(kids[2].size, 8u);
  EXPECT_EQ(read_uint(b, kids[2]), 0x0102030405060708ull);
  EXPECT_EQ(kids[3].size, 8u);
  EXPECT_DOUBLE_EQ(read_float(b, kids[3]), 1234.5);
  EXPECT_EQ(read_string(b, kids[4]), "V_VP8");
}

TEST(EbmlWriter, VoidHasExactTotalSize) {
  for (size_t total : {2u, 3u, 10u, 128u, 129u, 200u, 1000u}) {
    EbmlWriter w;
    w.put_void(total);
    ASSERT_EQ(w.size(), total) << total;
    testing_ebml::Element e;
    ASSERT_TRUE(testing_ebml::read_element(w.bytes(), 0, e));
    EXPECT_EQ(e.id, 0xECu);
    EXPECT_EQ(e.end(), total);
  }
}

TEST(EbmlWriter, UnknownSize) {
  EbmlWriter w;
  w.put_id(0x18538067);
  w.put_unknown_size();
  const std::vector<uint8_t> expect = {0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF,
                                       0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(w.bytes(), expect);
}

}  // namespace
}  // namespace te
