// Google Benchmark micro-benchmarks of the per-frame CPU work around the model forward:
// preprocessing, decoding and suppression. Run: build/bench/micro_bench

#include <benchmark/benchmark.h>

#include <random>

#include "core/geometry.h"
#include "detect/nanodet/decode.h"
#include "detect/yolo/decode.h"
#include "image/preprocess.h"

namespace fai {
namespace {

Tensor random_tensor(std::vector<int64_t> shape, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t;
  t.shape = std::move(shape);
  t.data.resize(static_cast<size_t>(t.numel()));
  for (float& v : t.data) v = dist(rng);
  return t;
}

void BM_MakeInputTensor640x480To416(benchmark::State& state) {
  cv::Mat image(480, 640, CV_8UC3);
  cv::randu(image, 0, 255);
  const Letterbox lb = Letterbox::fit(640, 480, 416, 416);
  const Normalization norm{false, {103.53f, 116.28f, 123.675f}, {57.375f, 57.12f, 58.395f}};
  for (auto _ : state) benchmark::DoNotOptimize(make_input_tensor(image, lb, norm));
}
BENCHMARK(BM_MakeInputTensor640x480To416)->Unit(benchmark::kMillisecond);

void BM_DecodeNanoDet416(benchmark::State& state) {
  // Scores mostly below threshold, as in a real frame: decoding is dominated by the scan.
  const Tensor cls = random_tensor({1, 3549, 80}, 0.0f, 0.36f, 1);
  const Tensor reg = random_tensor({1, 3549, 44}, -2.0f, 2.0f, 2);
  NanoDetParams params;
  params.filter.classes = {0, 2, 3, 5, 7};
  for (auto _ : state) benchmark::DoNotOptimize(decode_nanodet(cls, reg, 416, 416, params));
}
BENCHMARK(BM_DecodeNanoDet416)->Unit(benchmark::kMicrosecond);

void BM_DecodeUltralytics640(benchmark::State& state) {
  Tensor out = random_tensor({1, 84, 8400}, 0.0f, 0.3f, 3);
  for (int64_t i = 0; i < 4 * 8400; ++i) out.data[static_cast<size_t>(i)] *= 2000;  // boxes
  ScoreFilter filter{0.25f, {}};
  for (auto _ : state) benchmark::DoNotOptimize(decode_ultralytics(out, 640, 640, filter));
}
BENCHMARK(BM_DecodeUltralytics640)->Unit(benchmark::kMicrosecond);

void BM_SuppressDuplicates(benchmark::State& state) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> pos(0, 600), size(20, 120), score(0.3f, 1.0f);
  std::vector<Detection> dets(static_cast<size_t>(state.range(0)));
  for (auto& d : dets) {
    const float x = pos(rng), y = pos(rng);
    d = {{x, y, x + size(rng), y + size(rng)}, score(rng), static_cast<int>(rng() % 4)};
  }
  for (auto _ : state) benchmark::DoNotOptimize(suppress_duplicates(dets, {}));
}
BENCHMARK(BM_SuppressDuplicates)->Arg(50)->Arg(300)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fai

BENCHMARK_MAIN();
