#pragma once
// The constant-velocity Kalman filter of SORT/ByteTrack over a box in xyah form (centre x,
// centre y, aspect ratio w/h, height) plus the four velocities. Noise scales with the box
// height, so a near, large person may move more pixels per frame than a far, small one.

#include <array>

#include "core/types.h"

namespace fai {

struct Xyah {
  double center_x = 0, center_y = 0, aspect = 0, height = 0;
};

Xyah to_xyah(const Box& box);
Box to_box(const Xyah& xyah);

// mean: x, y, a, h, vx, vy, va, vh (velocities in units per frame); covariance row-major.
struct KalmanState {
  std::array<double, 8> mean{};
  std::array<std::array<double, 8>, 8> covariance{};

  Xyah position() const { return {mean[0], mean[1], mean[2], mean[3]}; }
};

// Standard deviations as fractions of the box height, ByteTrack's defaults.
struct KalmanNoise {
  double position_per_height = 1.0 / 20;
  double velocity_per_height = 1.0 / 160;
};

// Stateless: each call returns a new state; safe to share across threads.
// initiate: a track's first measurement, zero velocity, wide uncertainty.
// predict: one frame ahead. update: folds in a measurement (requires height > 0 in the state,
// which predict/initiate keep when the measurements have positive height).
class BoxKalmanFilter {
 public:
  explicit BoxKalmanFilter(const KalmanNoise& noise = {}) : noise_(noise) {}
  KalmanState initiate(const Xyah& measurement) const;
  KalmanState predict(const KalmanState& state) const;
  KalmanState update(const KalmanState& state, const Xyah& measurement) const;

 private:
  KalmanNoise noise_;
};

}  // namespace fai
