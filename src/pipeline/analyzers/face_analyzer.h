#pragma once
// Face recognition per person track: for each visible person track without an identity, find
// the face in the upper part of the person box, gate it on quality, align and embed it, match
// the gallery (and/or AWS Rekognition), and vote a few reads into one decision that is cached
// per (camera, track) until the track ends or recognition.cache_ttl_s passes.
//
// Modes: local (gallery only); aws (SearchFacesByImage on the JPEG face crop, local when AWS
// is unusable: no client, budget cap reached, circuit open, errors); hybrid (local first, AWS
// only when the local best similarity is within hybrid_band of the threshold).
//
// Read confidence: local = 0.5 at the threshold rising linearly to 1 at similarity 1 (so one
// scale serves any threshold); AWS = Similarity / 100.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "analytics/identity/face_detector.h"
#include "analytics/identity/face_embedder.h"
#include "analytics/identity/face_quality.h"
#include "analytics/identity/gallery.h"
#include "analytics/identity/track_identity.h"
#include "cloud/aws/rekognition.h"
#include "config/identity_config.h"
#include "infer/manifest.h"
#include "pipeline/frame_analyzer.h"

namespace fai {

struct FaceModels {
  std::unique_ptr<FaceDetector> detector;
  std::unique_ptr<FaceEmbedder> embedder;
};

// The face models named in the manifest (blazeface + the embedder), opened on `backend`.
// kNotFound when the manifest lacks one of them.
Expected<FaceModels> open_face_models(const ModelManifest& manifest, Backend backend, int threads,
                                      const std::string& detector_name = "blazeface",
                                      const std::string& embedder_name = "faceres");

struct FaceAnalyzerOptions {
  // mode, cache_ttl_s, max_attempts, hybrid_band (the gallery holds the threshold)
  RecognitionConfig recognition;
  std::string aws_collection = "factoryai-employees";
  double aws_price_per_image_usd = 0.001;  // for FrameOutcome::aws_cost
  double aws_min_similarity_pct = 90;      // AWS matches below this are unknown
  // One read at least this confident decides the track at once (saves AWS calls and CPU).
  float decide_at_once_confidence = 0.75f;
  // The face is searched in this upper fraction of the person box (plus a little above it).
  float head_fraction = 0.5f;
  BlazeFaceDecodeParams detect;
  FaceQualityParams quality;
  // aws mode without a server (eval): count the calls that would be sent, answer locally.
  bool aws_dry_run = false;
};

// The JPEG sent to SearchFacesByImage for a face: its box with 30 % context on every side,
// clipped to the image (empty when nothing is left).
std::vector<uint8_t> face_crop_jpeg(const cv::Mat& image, const Box& face_box);

using EmployeeNameLookup = std::function<std::string(const std::string& employee_id)>;

// Counters since start (face work, not per-frame), for /api/diagnostic and `eval faces-sequence`.
struct FaceAnalyzerStats {
  TrackIdentityStats cache;
  int64_t frames = 0;
  int64_t person_tracks = 0;      // distinct person tracks seen visible
  int64_t person_detections = 0;  // visible person tracks summed over frames
  int64_t frames_with_face = 0;   // frames where a face was read or a decided track was visible
  int64_t faces_found = 0;        // faces detected on tracks without a decision
  int64_t faces_rejected = 0;     // ... refused by the quality gate
  std::map<std::string, int64_t> rejected_because;  // ... by reason
  int64_t aws_requests = 0;  // SearchFacesByImage sent (or, dry run, that would be sent)
  int64_t aws_failures = 0;  // ... that failed and fell back to local
  int64_t aws_skipped = 0;   // AWS wanted but unusable (no client, budget, circuit)
  int64_t would_calls = 0;   // what the cache-less design would have sent (one per face)
};

class FaceAnalyzer : public FrameAnalyzer {
 public:
  // `aws` may be null (local only; aws/hybrid then fall back to local and count aws_skipped).
  FaceAnalyzer(FaceModels models, std::shared_ptr<Gallery> gallery, EmployeeNameLookup names,
               FaceAnalyzerOptions options, std::shared_ptr<aws::RekognitionClient> aws = nullptr);

  std::string name() const override { return "faces"; }
  Status on_frame(const AnalyzerFrame& frame, FrameOutcome& out) override;

  // An employee was deleted: tracks cached as them are recognised afresh.
  void forget_employee(const std::string& employee_id) { identities_.forget_employee(employee_id); }

  FaceAnalyzerStats stats() const;
  const FaceAnalyzerOptions& options() const { return options_; }
  // The meter of the AWS client, or the analyzer's own when there is none (would-calls only).
  aws::CostMeter& meter();
  std::string circuit_state();  // "closed" | "open" | "half_open"; "closed" without a client

 private:
  struct FaceCrop;
  // Callers hold models_mutex_ for find_face (detect + align); read_face takes it itself.
  Expected<std::optional<FaceCrop>> find_face(const cv::Mat& image, const Box& person);
  Expected<std::optional<FaceRead>> read_face(const cv::Mat& image, const FaceCrop& crop,
                                              FrameOutcome& out);
  FaceRead local_read(const GalleryMatch& match) const;
  std::optional<FaceRead> aws_read(const cv::Mat& image, const FaceCrop& crop, FrameOutcome& out);
  bool wants_aws(const std::optional<GalleryMatch>& local) const;
  void count_would_call();
  void note_track(const std::string& camera, int64_t track_id);
  void forget_tracks(const std::string& camera, const std::vector<int64_t>& ids);
  FaceRecognition to_recognition(int64_t track_id, const IdentityDecision& d, bool now) const;

  std::mutex models_mutex_;  // the sessions are not thread-safe
  FaceModels models_;
  std::shared_ptr<Gallery> gallery_;
  EmployeeNameLookup names_;
  const FaceAnalyzerOptions options_;
  std::shared_ptr<aws::RekognitionClient> aws_;
  aws::CostMeter own_meter_;
  TrackIdentities identities_;

  mutable std::mutex stats_mutex_;
  FaceAnalyzerStats stats_;
  std::map<std::string, std::set<int64_t>> live_tracks_;  // per camera, visible at least once
};

}  // namespace fai
