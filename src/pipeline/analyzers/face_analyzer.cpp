#include "pipeline/analyzers/face_analyzer.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>

namespace fai {
namespace {

// Person detectors often cut the top of the head; the face search reaches this fraction of the
// person's height above the box.
constexpr float kAboveBoxFraction = 0.1f;
// The face crop sent to AWS keeps this much context around the face box on every side.
constexpr float kAwsCropMargin = 0.3f;
constexpr int kAwsJpegQuality = 90;
// Faces this wide (the embedder's input) and wider weigh fully in the vote.
constexpr float kFullWeightFacePx = 112;
constexpr float kMinSizeWeight = 0.25f;

// 0..1 weight of a read in the track's vote: frontal, large faces count most.
float quality_weight(const FaceQuality& q) {
  return q.frontalness * std::clamp(q.face_px / kFullWeightFacePx, kMinSizeWeight, 1.0f);
}

float local_confidence(float similarity, float threshold) {
  if (threshold >= 1) return similarity >= 1 ? 1.0f : 0.5f;
  return std::clamp(0.5f + 0.5f * (similarity - threshold) / (1 - threshold), 0.0f, 1.0f);
}

Box clipped(const Box& b, const cv::Mat& image) {
  return {std::clamp(b.x1, 0.0f, float(image.cols)), std::clamp(b.y1, 0.0f, float(image.rows)),
          std::clamp(b.x2, 0.0f, float(image.cols)), std::clamp(b.y2, 0.0f, float(image.rows))};
}

}  // namespace

std::vector<uint8_t> face_crop_jpeg(const cv::Mat& image, const Box& face) {
  const float mx = kAwsCropMargin * face.width(), my = kAwsCropMargin * face.height();
  const Box b = clipped({face.x1 - mx, face.y1 - my, face.x2 + mx, face.y2 + my}, image);
  const cv::Rect rect(cv::Point(int(b.x1), int(b.y1)), cv::Point(int(b.x2), int(b.y2)));
  std::vector<uint8_t> jpeg;
  if (rect.area() > 0)
    cv::imencode(".jpg", image(rect), jpeg, {cv::IMWRITE_JPEG_QUALITY, kAwsJpegQuality});
  return jpeg;
}

Expected<FaceModels> open_face_models(const ModelManifest& manifest, Backend backend, int threads,
                                      const std::string& detector_name,
                                      const std::string& embedder_name) {
  const ModelInfo* detector_model = manifest.find(detector_name);
  const ModelInfo* embedder_model = manifest.find(embedder_name);
  if (!detector_model || !embedder_model) {
    return make_error(ErrorCode::kNotFound,
                      detector_name + " or " + embedder_name + " is not in the model manifest");
  }
  auto detector = FaceDetector::open(*detector_model, backend, threads, {});
  if (!detector) return detector.error();
  auto embedder = FaceEmbedder::open(*embedder_model, backend, threads);
  if (!embedder) return embedder.error();
  return FaceModels{std::move(*detector), std::move(*embedder)};
}

struct FaceAnalyzer::FaceCrop {
  Face face;
  cv::Mat aligned;
  FaceQuality quality;
};

FaceAnalyzer::FaceAnalyzer(FaceModels models, std::shared_ptr<Gallery> gallery,
                           EmployeeNameLookup names, FaceAnalyzerOptions options,
                           std::shared_ptr<aws::RekognitionClient> aws)
    : models_(std::move(models)),
      gallery_(std::move(gallery)),
      names_(std::move(names)),
      options_(std::move(options)),
      aws_(std::move(aws)),
      own_meter_(aws::CostMeterConfig{options_.aws_price_per_image_usd, std::nullopt}),
      identities_(TrackIdentityParams{options_.recognition.max_attempts,
                                      std::chrono::seconds(options_.recognition.cache_ttl_s),
                                      options_.decide_at_once_confidence}) {
  FAI_CHECK(models_.detector && models_.embedder && gallery_);
}

aws::CostMeter& FaceAnalyzer::meter() {
  return aws_ ? aws_->meter() : own_meter_;
}

std::string FaceAnalyzer::circuit_state() {
  return aws_ ? aws::to_string(aws_->circuit_state()) : "closed";
}

FaceAnalyzerStats FaceAnalyzer::stats() const {
  std::lock_guard lock(stats_mutex_);
  FaceAnalyzerStats s = stats_;
  s.cache = identities_.stats();
  return s;
}

void FaceAnalyzer::note_track(const std::string& camera, int64_t track_id) {
  std::lock_guard lock(stats_mutex_);
  ++stats_.person_detections;
  if (live_tracks_[camera].insert(track_id).second) ++stats_.person_tracks;
}

void FaceAnalyzer::forget_tracks(const std::string& camera, const std::vector<int64_t>& ids) {
  identities_.end_tracks(camera, ids);
  std::lock_guard lock(stats_mutex_);
  auto& live = live_tracks_[camera];
  for (int64_t id : ids) live.erase(id);
}

Expected<std::optional<FaceAnalyzer::FaceCrop>> FaceAnalyzer::find_face(const cv::Mat& image,
                                                                        const Box& person) {
  const float h = person.height();
  const Box region{person.x1, person.y1 - kAboveBoxFraction * h, person.x2,
                   person.y1 + options_.head_fraction * h};
  auto faces = models_.detector->detect(image, clipped(region, image));
  if (!faces) return faces.error();
  for (const Face& face : *faces) {  // best first
    const float cx = 0.5f * (face.box.x1 + face.box.x2);
    if (cx < person.x1 || cx > person.x2) continue;  // a neighbour's face
    auto aligned = align_face(image, face, models_.embedder->face_template());
    if (!aligned) continue;  // degenerate keypoints
    FaceCrop crop{face, *aligned, {}};
    crop.quality = assess_face(face, crop.aligned, options_.quality);
    return std::optional<FaceCrop>(std::move(crop));
  }
  return std::optional<FaceCrop>();
}

FaceRead FaceAnalyzer::local_read(const GalleryMatch& match) const {
  FaceRead read;
  read.source = "local";
  read.similarity = std::max(match.similarity, 0.0f);
  if (match.employee_id) {
    read.employee_id = *match.employee_id;
    read.confidence = local_confidence(match.similarity, gallery_->threshold());
  }
  return read;
}

bool FaceAnalyzer::wants_aws(const std::optional<GalleryMatch>& local) const {
  if (options_.recognition.mode == "aws") return true;
  if (options_.recognition.mode != "hybrid") return false;
  if (!local || gallery_->templates() == 0) return true;  // local knows nobody: only AWS can
  return std::abs(local->similarity - gallery_->threshold()) < options_.recognition.hybrid_band;
}

std::optional<FaceRead> FaceAnalyzer::aws_read(const cv::Mat& image, const FaceCrop& crop,
                                               FrameOutcome& out) {
  auto count = [&](int64_t FaceAnalyzerStats::*counter) {
    std::lock_guard lock(stats_mutex_);
    ++(stats_.*counter);
  };
  if (options_.aws_dry_run) {
    count(&FaceAnalyzerStats::aws_requests);
    ++out.aws_calls;
    out.aws_cost += options_.aws_price_per_image_usd;
    return std::nullopt;  // answered locally
  }
  if (!aws_ || !aws_->meter().allow() || aws_->circuit_state() == aws::CircuitState::kOpen) {
    count(&FaceAnalyzerStats::aws_skipped);
    return std::nullopt;
  }
  const std::vector<uint8_t> jpeg = face_crop_jpeg(image, crop.face.box);
  count(&FaceAnalyzerStats::aws_requests);
  auto found = aws_->search_faces_by_image(options_.aws_collection, jpeg,
                                           options_.aws_min_similarity_pct, 1);
  if (!found) {
    count(&FaceAnalyzerStats::aws_failures);
    return std::nullopt;
  }
  ++out.aws_calls;
  out.aws_cost += options_.aws_price_per_image_usd;
  if (!found->face_found) return std::nullopt;  // our detector saw one: trust the local read
  FaceRead read;
  read.source = "aws";
  read.quality = quality_weight(crop.quality);
  if (!found->matches.empty()) {
    read.employee_id = found->matches.front().external_image_id;
    read.similarity = static_cast<float>(found->matches.front().similarity_pct / 100);
    read.confidence = read.similarity;
  }
  return read;
}

Expected<std::optional<FaceRead>> FaceAnalyzer::read_face(const cv::Mat& image,
                                                          const FaceCrop& crop, FrameOutcome& out) {
  std::optional<GalleryMatch> local;
  auto match_locally = [&]() -> Status {
    std::lock_guard lock(models_mutex_);
    auto embedding = models_.embedder->embed(crop.aligned);
    if (!embedding) return embedding.error();
    local = gallery_->identify(*embedding);
    return {};
  };
  if (options_.recognition.mode != "aws") {
    if (Status s = match_locally(); !s) return s.error();
  }
  if (wants_aws(local)) {
    if (auto read = aws_read(image, crop, out)) return read;
    if (!local) {
      if (Status s = match_locally(); !s) return s.error();
    }
  }
  FaceRead read = local_read(*local);
  read.quality = quality_weight(crop.quality);
  return std::optional<FaceRead>(read);
}

// The seed design sent every frame's faces to AWS: one would-be call per visible face.
void FaceAnalyzer::count_would_call() {
  meter().record_would_call();
  std::lock_guard lock(stats_mutex_);
  ++stats_.would_calls;
}

FaceRecognition FaceAnalyzer::to_recognition(int64_t track_id, const IdentityDecision& d,
                                             bool now) const {
  return {track_id, d.employee_id, d.name, d.confidence, now ? d.source : "cache", now};
}

Status FaceAnalyzer::on_frame(const AnalyzerFrame& frame, FrameOutcome& out) {
  forget_tracks(frame.camera_id, frame.ended_track_ids);
  identities_.expire(frame.timestamp);
  Status first_error;
  bool face_in_frame = false;
  for (const Track& track : out.tracks) {
    if (track.class_id != coco::kPerson || track.det_index < 0 ||
        track.det_index >= static_cast<int>(out.detections.size())) {
      continue;
    }
    note_track(frame.camera_id, track.id);
    if (auto cached = identities_.lookup(frame.camera_id, track.id, frame.timestamp)) {
      ++out.cache_hits;
      face_in_frame = true;
      count_would_call();
      if (!cached->employee_id.empty()) {
        out.faces_recognized.push_back(to_recognition(track.id, *cached, false));
      }
      continue;
    }
    Expected<std::optional<FaceCrop>> crop = [&] {
      std::lock_guard lock(models_mutex_);
      return find_face(frame.image, out.detections[track.det_index].box);
    }();
    if (!crop || !*crop) {
      if (!crop && first_error) first_error = crop.error();
      continue;
    }
    face_in_frame = true;
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.faces_found;
      if (!(*crop)->quality.acceptable()) {
        ++stats_.faces_rejected;
        ++stats_.rejected_because[(*crop)->quality.rejected_because];
      }
    }
    count_would_call();
    if (!(*crop)->quality.acceptable()) continue;
    auto read = read_face(frame.image, **crop, out);
    if (!read || !*read) {
      if (!read && first_error) first_error = read.error();
      continue;
    }
    auto decided = identities_.add_read(frame.camera_id, track.id, **read, frame.timestamp);
    if (!decided || decided->employee_id.empty()) continue;
    decided->name = names_ ? names_(decided->employee_id) : std::string();
    if (decided->name.empty()) decided->name = decided->employee_id;
    identities_.set_name(frame.camera_id, track.id, decided->name);
    out.faces_recognized.push_back(to_recognition(track.id, *decided, true));
  }
  std::lock_guard lock(stats_mutex_);
  ++stats_.frames;
  if (face_in_frame) ++stats_.frames_with_face;
  return first_error;
}

}  // namespace fai
