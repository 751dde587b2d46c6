#include "track/kalman_filter.h"

#include <cmath>

#include "core/expected.h"

namespace fai {

namespace {

using Mat4 = std::array<std::array<double, 4>, 4>;
using Mat84 = std::array<std::array<double, 4>, 8>;

// Lower-triangular L with L L^T = s; s is a covariance plus positive noise, so it is positive
// definite.
Mat4 cholesky(const Mat4& s) {
  Mat4 l{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j <= i; ++j) {
      double sum = s[i][j];
      for (int k = 0; k < j; ++k) sum -= l[i][k] * l[j][k];
      if (i == j) {
        FAI_CHECK(sum > 0);
        l[i][i] = std::sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

// Solves (L L^T) x = b in place.
void cholesky_solve(const Mat4& l, std::array<double, 4>& b) {
  for (int i = 0; i < 4; ++i) {
    for (int k = 0; k < i; ++k) b[i] -= l[i][k] * b[k];
    b[i] /= l[i][i];
  }
  for (int i = 3; i >= 0; --i) {
    for (int k = i + 1; k < 4; ++k) b[i] -= l[k][i] * b[k];
    b[i] /= l[i][i];
  }
}

}  // namespace

Xyah to_xyah(const Box& box) {
  const double width = static_cast<double>(box.x2) - box.x1;
  const double height = static_cast<double>(box.y2) - box.y1;
  return {box.x1 + width / 2, box.y1 + height / 2, height > 0 ? width / height : 0.0, height};
}

Box to_box(const Xyah& xyah) {
  const double width = xyah.aspect * xyah.height;
  return {static_cast<float>(xyah.center_x - width / 2),
          static_cast<float>(xyah.center_y - xyah.height / 2),
          static_cast<float>(xyah.center_x + width / 2),
          static_cast<float>(xyah.center_y + xyah.height / 2)};
}

KalmanState BoxKalmanFilter::initiate(const Xyah& measurement) const {
  const double position_std = 2 * noise_.position_per_height * measurement.height;
  const double velocity_std = 10 * noise_.velocity_per_height * measurement.height;
  const std::array<double, 8> std_devs = {position_std, position_std, 1e-2, position_std,
                                          velocity_std, velocity_std, 1e-5, velocity_std};
  KalmanState state;
  state.mean = {measurement.center_x,
                measurement.center_y,
                measurement.aspect,
                measurement.height,
                0,
                0,
                0,
                0};
  for (int i = 0; i < 8; ++i) state.covariance[i][i] = std_devs[i] * std_devs[i];
  return state;
}

KalmanState BoxKalmanFilter::predict(const KalmanState& state) const {
  const double height = state.mean[3];
  const double position_std = noise_.position_per_height * height;
  const double velocity_std = noise_.velocity_per_height * height;
  const std::array<double, 8> process_std = {position_std, position_std, 1e-2, position_std,
                                             velocity_std, velocity_std, 1e-5, velocity_std};
  KalmanState out = state;
  for (int i = 0; i < 4; ++i) out.mean[i] += state.mean[i + 4];
  // F P F^T with F = [I I; 0 I]: add the velocity rows, then the velocity columns.
  const auto& p = state.covariance;
  std::array<std::array<double, 8>, 8> fp = p;
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 8; ++j) fp[i][j] += p[i + 4][j];
  }
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) out.covariance[i][j] = fp[i][j] + (j < 4 ? fp[i][j + 4] : 0.0);
    out.covariance[i][i] += process_std[i] * process_std[i];
  }
  return out;
}

KalmanState BoxKalmanFilter::update(const KalmanState& state, const Xyah& measurement) const {
  const double height = state.mean[3];
  const double position_std = noise_.position_per_height * height;
  const std::array<double, 4> measurement_std = {position_std, position_std, 1e-1, position_std};
  const auto& p = state.covariance;
  Mat4 innovation_cov{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) innovation_cov[i][j] = p[i][j];
    innovation_cov[i][i] += measurement_std[i] * measurement_std[i];
  }
  const Mat4 l = cholesky(innovation_cov);
  // Gain K = P H^T S^-1, one row at a time: S k_i = (P H^T)_i since S is symmetric.
  Mat84 gain{};
  for (int i = 0; i < 8; ++i) {
    std::array<double, 4> row = {p[i][0], p[i][1], p[i][2], p[i][3]};
    cholesky_solve(l, row);
    gain[i] = row;
  }
  const std::array<double, 4> innovation = {
      measurement.center_x - state.mean[0], measurement.center_y - state.mean[1],
      measurement.aspect - state.mean[2], measurement.height - state.mean[3]};
  KalmanState out = state;
  for (int i = 0; i < 8; ++i) {
    for (int k = 0; k < 4; ++k) out.mean[i] += gain[i][k] * innovation[k];
  }
  // P - K S K^T = P - K (P H^T)^T.
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      for (int k = 0; k < 4; ++k) out.covariance[i][j] -= gain[i][k] * p[j][k];
    }
  }
  return out;
}

}  // namespace fai
