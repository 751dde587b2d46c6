// `factoryai eval faces-sequence VIDEO --enrol PATH...`: the server's recognition path over a
// real sequence (person detector -> ByteTrack -> FaceAnalyzer), reporting how much face work
// and how many AWS calls the per-track cache leaves, against the seed's one call per frame with
// a face. AWS is never contacted: in aws/hybrid mode the calls that would be sent are counted.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "analytics/identity/enrolment.h"
#include "cmd_eval_faces.h"
#include "detect/detector.h"
#include "image/image_io.h"
#include "infer/manifest.h"
#include "pipeline/analytics_config.h"
#include "pipeline/analyzers/face_analyzer.h"
#include "source/frame_source.h"
#include "track/byte_tracker.h"

namespace fai::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct SequenceOptions {
  std::string video;
  std::vector<std::string> enrol;
  std::string mode = "aws";
  float threshold = -1;  // < 0: recognition.threshold from the config
  int max_frames = 0;    // 0 = all
};

bool is_image(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

// (identity, photo) pairs: a file is one photo of the identity named by its stem; a folder of
// folders is one identity per sub-folder; a folder of photos is one identity per photo.
std::vector<std::pair<std::string, std::string>> enrolment_photos(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  if (fs::is_regular_file(path)) {
    out.emplace_back(fs::path(path).stem().string(), path);
    return out;
  }
  if (!fs::is_directory(path)) return out;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.is_directory()) {
      for (const auto& photo : fs::directory_iterator(entry.path())) {
        if (is_image(photo.path())) {
          out.emplace_back(entry.path().filename().string(), photo.path().string());
        }
      }
    } else if (is_image(entry.path())) {
      out.emplace_back(entry.path().stem().string(), entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Expected<int> enrol_all(const std::vector<std::string>& paths, FaceEnroller& enroller,
                        Gallery& gallery) {
  int enrolled = 0;
  for (const std::string& path : paths) {
    for (const auto& [identity, photo] : enrolment_photos(path)) {
      auto image = read_image(photo);
      if (!image) return image.error();
      auto face = enroller.enrol(*image);
      if (!face) return face.error();
      if (!face->ok()) {
        std::printf("not enrolled: %s (%s)\n", photo.c_str(), face->reason.c_str());
        continue;
      }
      if (Status s = gallery.enrol(identity, face->embedding); !s) return s.error();
      ++enrolled;
    }
  }
  return enrolled;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Decision {
  int64_t frame = 0;
  int64_t track = 0;
  FaceRecognition recognition;
};

void print_report(const SequenceOptions& opt, const FaceAnalyzerStats& s,
                  const std::vector<Decision>& decisions, int64_t frames,
                  const std::vector<double>& detect_ms, const std::vector<double>& face_ms) {
  std::printf("frames %lld, person detections (visible tracks x frames) %lld, person tracks %lld\n",
              static_cast<long long>(frames), static_cast<long long>(s.person_detections),
              static_cast<long long>(s.person_tracks));
  std::printf(
      "frames with a face %lld; faces read %lld (%lld refused by the quality gate), votes decided "
      "%lld (%lld named an employee)\n",
      static_cast<long long>(s.frames_with_face), static_cast<long long>(s.faces_found),
      static_cast<long long>(s.faces_rejected), static_cast<long long>(s.cache.decisions),
      static_cast<long long>(s.cache.identified));
  for (const auto& [why, n] : s.rejected_because) {
    std::printf("  refused: %lld %s\n", static_cast<long long>(n), why.c_str());
  }
  std::printf("cache: %lld hits, %lld misses, hit rate %.1f %%\n",
              static_cast<long long>(s.cache.hits), static_cast<long long>(s.cache.misses),
              100 * s.cache.hit_rate());
  std::printf(
      "AWS (mode %s, nothing sent): %lld calls with the per-track cache vs %lld without it (one "
      "per visible face per frame; %lld frames with a face) -> %.1f x fewer\n",
      opt.mode.c_str(), static_cast<long long>(s.aws_requests),
      static_cast<long long>(s.would_calls), static_cast<long long>(s.frames_with_face),
      s.aws_requests > 0 ? static_cast<double>(s.would_calls) / static_cast<double>(s.aws_requests)
                         : 0.0);
  std::printf(
      "per frame: person detection %.1f ms median; face analyzer %.1f ms median, %.1f p95\n",
      median(detect_ms), median(face_ms), percentile(face_ms, 0.95));
  for (const Decision& d : decisions) {
    std::printf("frame %lld: track %lld = %s (confidence %.2f, %s)\n",
                static_cast<long long>(d.frame), static_cast<long long>(d.track),
                d.recognition.employee_id.c_str(), d.recognition.confidence,
                d.recognition.source.c_str());
  }
}

Expected<std::unique_ptr<FaceEnroller>> open_enroller(const ModelManifest& manifest,
                                                      const InferenceConfig& inference) {
  auto models = open_face_models(manifest, inference.backend, inference.threads);
  if (!models) return models.error();
  return std::make_unique<FaceEnroller>(std::move(models->detector), std::move(models->embedder),
                                        "faceres");
}

int run_sequence(const GlobalOptions& options, const SequenceOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  auto manifest = load_manifest(config->inference.models_dir);
  if (!manifest) return report(manifest.error());
  auto enroller = open_enroller(*manifest, config->inference);
  if (!enroller) return report(enroller.error());
  auto gallery =
      std::make_shared<Gallery>(opt.threshold >= 0 ? opt.threshold : config->recognition.threshold);
  auto enrolled = enrol_all(opt.enrol, **enroller, *gallery);
  if (!enrolled) return report(enrolled.error());
  std::printf("enrolled %d photos of %d identities; threshold %.3f\n", *enrolled,
              gallery->employees(), gallery->threshold());

  auto models = open_face_models(*manifest, config->inference.backend, config->inference.threads);
  if (!models) return report(models.error());
  FaceAnalyzerOptions analyzer_options;
  analyzer_options.recognition = config->recognition;
  analyzer_options.recognition.mode = opt.mode;
  analyzer_options.aws_dry_run = true;
  FaceAnalyzer analyzer(std::move(*models), gallery, nullptr, analyzer_options, nullptr);

  DetectorConfig detector_config = config->detector;
  detector_config.classes = {coco::kPerson};
  detector_config.score_threshold = config->tracker.low_score;
  auto detector = make_detector(detector_config, config->inference);
  if (!detector) return report(detector.error());
  Tracker tracker(tracker_config(config->tracker));
  SourceOptions source_options;
  source_options.camera = "sequence";
  auto source = open_source(opt.video, source_options);
  if (!source) return report(source.error());

  std::vector<Decision> decisions;
  std::vector<double> detect_ms, face_ms;
  int64_t frames = 0;
  while (opt.max_frames <= 0 || frames < opt.max_frames) {
    auto frame = (*source)->next();
    if (!frame) return report(frame.error());
    if (!frame->has_value()) break;
    ++frames;
    FrameOutcome out;
    out.camera_id = source_options.camera;
    out.timestamp = (*frame)->timestamp;
    const auto t0 = Clock::now();
    auto dets = (*detector)->detect((*frame)->image);
    if (!dets) return report(dets.error());
    detect_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    out.detections = std::move(*dets);
    out.tracks = tracker.update(out.detections, frames);
    const AnalyzerFrame af{out.camera_id, (*frame)->image, out.timestamp, frames,
                           tracker.ended_track_ids()};
    const auto t1 = Clock::now();
    if (Status s = analyzer.on_frame(af, out); !s) return report(s.error());
    face_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t1).count());
    for (const FaceRecognition& r : out.faces_recognized) {
      if (r.decided_now) decisions.push_back({frames, r.track_id, r});
    }
  }
  print_report(opt, analyzer.stats(), decisions, frames, detect_ms, face_ms);
  return 0;
}

}  // namespace

void add_eval_faces_sequence_command(CLI::App& eval, const GlobalOptions& options, int& exit_code) {
  auto opt = std::make_shared<SequenceOptions>();
  auto* cmd = eval.add_subcommand(
      "faces-sequence",
      "Recognition over a video: face reads, cache hits and AWS calls with the per-track cache");
  cmd->add_option("video", opt->video, "Video file or folder of frames")->required();
  cmd->add_option("--enrol", opt->enrol,
                  "Photo (identity = file name), folder of photos, or folder per identity")
      ->required();
  cmd->add_option("--mode", opt->mode, "Recognition mode to simulate (AWS calls are counted)")
      ->check(CLI::IsMember({"local", "aws", "hybrid"}));
  cmd->add_option("--threshold", opt->threshold, "Cosine threshold (default: the config's)")
      ->check(CLI::Range(-1.0, 1.0));
  cmd->add_option("--max-frames", opt->max_frames, "Stop after this many frames (0 = all)");
  cmd->callback([&options, &exit_code, opt] { exit_code = run_sequence(options, *opt); });
}

}  // namespace fai::cli
