#pragma once
// Enrolment: a photo of one employee -> one face template. The photo must show exactly one
// sizeable face that passes the quality gate; the face is aligned and embedded with the same
// models the recognition pipeline uses, so the template matches what the cameras will see.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "analytics/identity/face_detector.h"
#include "analytics/identity/face_embedder.h"
#include "analytics/identity/face_quality.h"

namespace fai {

struct EnrolmentParams {
  // The per-frame gate with a larger minimum face: a template is worth a posed, close photo.
  FaceQualityParams quality{60, 5, 0.5f};
  float min_face_score = 0.6f;
  // Faces at least this fraction of the largest face's width count as "another person in the
  // photo"; smaller ones (a poster, someone far behind) are ignored.
  float sizeable_fraction = 0.5f;
};

enum class EnrolRefusal { kNone, kNoFace, kSeveralFaces, kLowQuality };
const char* to_string(EnrolRefusal refusal);  // "no_face" | "several_faces" | "low_quality"

struct EnrolledFace {
  EnrolRefusal refusal = EnrolRefusal::kNone;
  std::string reason;  // for a refusal: what was wrong, in words
  Face face;           // the face used (in photo pixels)
  Embedding embedding;
  float quality = 0;  // 0..1: frontalness x size (faces 112 px and wider count fully)
  int faces_found = 0;

  bool ok() const { return refusal == EnrolRefusal::kNone; }
};

// Every face in a photo of any size: the whole photo, then overlapping square tiles at half and
// a quarter of its shorter side (BlazeFace is a short-range model and misses faces under ~20 %
// of its input, as in a 1920 px group photo), then the photo with a margin (a face filling the
// whole photo). Duplicates from overlapping tiles are merged. Best first. The search stops
// early once `enough` faces of at least `sizeable_fraction` x the widest one's width are found.
Expected<std::vector<Face>> find_faces_in_photo(FaceDetector& detector, const cv::Mat& bgr,
                                                float min_score, int enough = 2,
                                                float sizeable_fraction = 0.5f);
// How many of `faces` are at least `fraction` x the widest one's width.
int count_sizeable(const std::vector<Face>& faces, float fraction);

// Thread-safe (one mutex around the model sessions; enrolment is rare).
class FaceEnroller {
 public:
  FaceEnroller(std::unique_ptr<FaceDetector> detector, std::unique_ptr<FaceEmbedder> embedder,
               std::string model_name, EnrolmentParams params = {});

  // A refusal is a value (EnrolledFace::refusal); errors are model failures.
  Expected<EnrolledFace> enrol(const cv::Mat& bgr);
  const std::string& model_name() const { return model_name_; }

 private:
  std::mutex mutex_;
  std::unique_ptr<FaceDetector> detector_;
  std::unique_ptr<FaceEmbedder> embedder_;
  const std::string model_name_;
  const EnrolmentParams params_;
};

}  // namespace fai
