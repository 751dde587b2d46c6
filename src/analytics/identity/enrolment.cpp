#include "analytics/identity/enrolment.h"

#include <algorithm>

namespace fai {
namespace {

// BlazeFace's input side; tiles smaller than this would only be upscaled.
constexpr int kMinTilePx = 128;
// A face from one tile covering this much of a face from another is the same face.
constexpr float kSameFaceOverlap = 0.4f;
constexpr float kTightCropMarginFraction = 0.5f;
constexpr float kFullWeightFacePx = 112;
constexpr float kMinSizeWeight = 0.25f;

float overlap_of_smaller(const Box& a, const Box& b) {
  const float w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const float h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const float smaller = std::min(a.width() * a.height(), b.width() * b.height());
  return smaller > 0 ? w * h / smaller : 0;
}

// Keeps the best of each group of faces that cover one another.
std::vector<Face> merge_duplicates(std::vector<Face> faces) {
  std::sort(faces.begin(), faces.end(),
            [](const Face& a, const Face& b) { return a.score > b.score; });
  std::vector<Face> kept;
  for (const Face& f : faces) {
    const bool seen = std::any_of(kept.begin(), kept.end(), [&](const Face& k) {
      return overlap_of_smaller(k.box, f.box) > kSameFaceOverlap;
    });
    if (!seen) kept.push_back(f);
  }
  return kept;
}

// Overlapping square tiles of `side` px (half a tile apart) covering the image.
std::vector<Box> tiles(int width, int height, int side) {
  std::vector<Box> out;
  const int step = side / 2;
  for (int y = 0;; y += step) {
    const int top = std::min(y, height - side);
    for (int x = 0;; x += step) {
      const int left = std::min(x, width - side);
      out.push_back({float(left), float(top), float(left + side), float(top + side)});
      if (left + side >= width) break;
    }
    if (top + side >= height) break;
  }
  return out;
}

float quality_score(const FaceQuality& q) {
  return q.frontalness * std::clamp(q.face_px / kFullWeightFacePx, kMinSizeWeight, 1.0f);
}

}  // namespace

const char* to_string(EnrolRefusal refusal) {
  switch (refusal) {
    case EnrolRefusal::kNoFace:
      return "no_face";
    case EnrolRefusal::kSeveralFaces:
      return "several_faces";
    case EnrolRefusal::kLowQuality:
      return "low_quality";
    case EnrolRefusal::kNone:
      break;
  }
  return "";
}

int count_sizeable(const std::vector<Face>& faces, float fraction) {
  float widest = 0;
  for (const Face& f : faces) widest = std::max(widest, f.box.width());
  return static_cast<int>(std::count_if(faces.begin(), faces.end(), [&](const Face& f) {
    return f.box.width() >= fraction * widest;
  }));
}

Expected<std::vector<Face>> find_faces_in_photo(FaceDetector& detector, const cv::Mat& bgr,
                                                float min_score, int enough,
                                                float sizeable_fraction) {
  std::vector<Face> all;
  auto add = [&](const Expected<std::vector<Face>>& found) -> Status {
    if (!found) return found.error();
    for (const Face& f : *found) {
      if (f.score >= min_score) all.push_back(f);
    }
    all = merge_duplicates(std::move(all));
    return {};
  };
  auto done = [&] { return count_sizeable(all, sizeable_fraction) >= enough; };
  if (Status st = add(detector.detect(bgr)); !st) return st.error();
  const int shorter = std::min(bgr.cols, bgr.rows);
  for (int side : {shorter / 2, shorter / 4}) {
    if (done() || side < kMinTilePx) break;
    for (const Box& tile : tiles(bgr.cols, bgr.rows, side)) {
      if (Status st = add(detector.detect(bgr, tile)); !st) return st.error();
    }
  }
  if (all.empty()) {
    const PaddedImage padded = pad_image(bgr, kTightCropMarginFraction);
    auto found = detector.detect(padded.image);
    if (!found) return found.error();
    for (const Face& f : *found) {
      if (f.score >= min_score) all.push_back(shift_face(f, -padded.offset));
    }
  }
  return merge_duplicates(std::move(all));
}

FaceEnroller::FaceEnroller(std::unique_ptr<FaceDetector> detector,
                           std::unique_ptr<FaceEmbedder> embedder, std::string model_name,
                           EnrolmentParams params)
    : detector_(std::move(detector)),
      embedder_(std::move(embedder)),
      model_name_(std::move(model_name)),
      params_(params) {
  FAI_CHECK(detector_ && embedder_);
}

Expected<EnrolledFace> FaceEnroller::enrol(const cv::Mat& bgr) {
  std::lock_guard lock(mutex_);
  EnrolledFace out;
  auto faces =
      find_faces_in_photo(*detector_, bgr, params_.min_face_score, 2, params_.sizeable_fraction);
  if (!faces) return faces.error();
  out.faces_found = static_cast<int>(faces->size());
  if (faces->empty()) {
    out.refusal = EnrolRefusal::kNoFace;
    out.reason = "no face found";
    return out;
  }
  const auto widest =
      std::max_element(faces->begin(), faces->end(),
                       [](const Face& a, const Face& b) { return a.box.width() < b.box.width(); });
  if (const int sizeable = count_sizeable(*faces, params_.sizeable_fraction); sizeable > 1) {
    out.refusal = EnrolRefusal::kSeveralFaces;
    out.reason = std::to_string(sizeable) + " faces found; a photo must show one person";
    return out;
  }
  out.face = *widest;
  auto aligned = align_face(bgr, out.face, embedder_->face_template());
  if (!aligned) {
    out.refusal = EnrolRefusal::kLowQuality;
    out.reason = aligned.error().message;
    return out;
  }
  const FaceQuality quality = assess_face(out.face, *aligned, params_.quality);
  out.quality = quality_score(quality);
  if (!quality.acceptable()) {
    out.refusal = EnrolRefusal::kLowQuality;
    out.reason = "face " + quality.rejected_because;
    return out;
  }
  auto embedding = embedder_->embed(*aligned);
  if (!embedding) return embedding.error();
  out.embedding = std::move(*embedding);
  return out;
}

}  // namespace fai
