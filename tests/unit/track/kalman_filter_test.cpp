#include <gtest/gtest.h>

#include "track/kalman_filter.h"

namespace fai {
namespace {

// Hand-computed with ByteTrack's weights (1/20, 1/160) for a box of height 100: every
// coordinate is an independent (position, velocity) pair, so each is a 2x2 Kalman filter.
constexpr double kPositionVar0 = 10.0 * 10.0;  // (2 * h / 20)^2
constexpr double kVelocityVar0 = 6.25 * 6.25;  // (10 * h / 160)^2
constexpr double kPositionQ = 5.0 * 5.0;       // (h / 20)^2
constexpr double kVelocityQ = 0.625 * 0.625;   // (h / 160)^2
constexpr double kPositionR = 5.0 * 5.0;       // (h / 20)^2

TEST(KalmanFilter, InitiateHasZeroVelocityAndHeightScaledVariance) {
  const KalmanState s = BoxKalmanFilter().initiate({100, 200, 0.5, 100});
  EXPECT_EQ(s.mean, (std::array<double, 8>{100, 200, 0.5, 100, 0, 0, 0, 0}));
  const std::array<double, 8> variances = {kPositionVar0, kPositionVar0, 1e-4,  kPositionVar0,
                                           kVelocityVar0, kVelocityVar0, 1e-10, kVelocityVar0};
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) EXPECT_DOUBLE_EQ(s.covariance[i][j], i == j ? variances[i] : 0.0);
  }
}

TEST(KalmanFilter, PredictMovesByVelocityAndGrowsUncertainty) {
  const BoxKalmanFilter kf;
  KalmanState s = kf.initiate({100, 200, 0.5, 100});
  s.mean[4] = 3;   // vx
  s.mean[7] = -1;  // vh
  const KalmanState p = kf.predict(s);
  EXPECT_DOUBLE_EQ(p.mean[0], 103);
  EXPECT_DOUBLE_EQ(p.mean[3], 99);
  // P' = F P F^T + Q: x picks up the velocity variance, and x and vx become correlated.
  EXPECT_DOUBLE_EQ(p.covariance[0][0], kPositionVar0 + kVelocityVar0 + kPositionQ);
  EXPECT_DOUBLE_EQ(p.covariance[0][4], kVelocityVar0);
  EXPECT_DOUBLE_EQ(p.covariance[4][0], kVelocityVar0);
  EXPECT_DOUBLE_EQ(p.covariance[4][4], kVelocityVar0 + kVelocityQ);
  EXPECT_DOUBLE_EQ(p.covariance[0][1], 0.0);
}

TEST(KalmanFilter, UpdateBlendsByGain) {
  const BoxKalmanFilter kf;
  const KalmanState p = kf.predict(kf.initiate({100, 200, 0.5, 100}));
  const KalmanState u = kf.update(p, {110, 200, 0.5, 100});
  const double pxx = kPositionVar0 + kVelocityVar0 + kPositionQ;  // 164.0625
  const double pxv = kVelocityVar0;
  const double pvv = kVelocityVar0 + kVelocityQ;
  const double s = pxx + kPositionR;                 // innovation variance, 189.0625
  EXPECT_NEAR(u.mean[0], 100 + pxx / s * 10, 1e-9);  // 108.6777
  EXPECT_NEAR(u.mean[4], pxv / s * 10, 1e-9);        // 2.0661 px/frame
  EXPECT_NEAR(u.mean[1], 200, 1e-9);
  EXPECT_NEAR(u.covariance[0][0], pxx - pxx * pxx / s, 1e-9);
  EXPECT_NEAR(u.covariance[0][4], pxv - pxx * pxv / s, 1e-9);
  EXPECT_NEAR(u.covariance[4][4], pvv - pxv * pxv / s, 1e-9);
  // The next prediction carries the learned velocity forward.
  EXPECT_NEAR(kf.predict(u).mean[0], 100 + (pxx + pxv) / s * 10, 1e-9);
}

TEST(KalmanFilter, XyahRoundTrip) {
  const Box box{10, 20, 60, 120};
  const Xyah x = to_xyah(box);
  EXPECT_DOUBLE_EQ(x.center_x, 35);
  EXPECT_DOUBLE_EQ(x.center_y, 70);
  EXPECT_DOUBLE_EQ(x.aspect, 0.5);
  EXPECT_DOUBLE_EQ(x.height, 100);
  EXPECT_EQ(to_box(x), box);
}

}  // namespace
}  // namespace fai
