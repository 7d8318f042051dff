// RecentFrameDuration: the typical frame duration a stream's last frame gets (issue 6 item 6).
#include "core/mux/frame_duration.h"

#include <gtest/gtest.h>

namespace te {
namespace {

TEST(RecentFrameDuration, MedianOfRecentPositiveDeltas) {
  RecentFrameDuration d;
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.typical(3000), 3000);  // nothing seen: the fallback
  for (int i = 0; i < 59; i++) d.add(3000);
  d.add(20 * 90000);  // a 20 s gap
  EXPECT_EQ(d.typical(1), 3000);
  d.add(0);       // same timestamp: ignored
  d.add(-90000);  // backwards: ignored
  EXPECT_EQ(d.typical(1), 3000);
}

TEST(RecentFrameDuration, FollowsAFrameRateChangeWithinTheWindow) {
  RecentFrameDuration d;
  for (int i = 0; i < 30; i++) d.add(3000);  // 30 fps
  for (int i = 0; i < 7; i++) d.add(6000);
  EXPECT_EQ(d.typical(1), 3000);  // 8 of the last 15 still at 30 fps
  d.add(6000);
  EXPECT_EQ(d.typical(1), 6000);  // now 8 of 15 at 15 fps
  d.add(4500);
  d.add(4500);
  EXPECT_EQ(d.typical(1), 6000);  // sorted {3000×5, 4500×2, 6000×8}: the 8th is 6000
  for (int i = 0; i < 15; i++) d.add(4500);
  EXPECT_EQ(d.typical(1), 4500);  // the window holds only the last 15
}

TEST(RecentFrameDuration, LowerMiddleForAnEvenCount) {
  RecentFrameDuration d;
  d.add(10);
  d.add(30);
  EXPECT_EQ(d.typical(1), 10);
  d.add(20);
  EXPECT_EQ(d.typical(1), 20);
}

}  // namespace
}  // namespace te
