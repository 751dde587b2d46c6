#pragma once
// What `serve` needs for face recognition: the shared Gallery (the employees service loads and
// edits its templates), the AWS Rekognition client when the mode uses it, and, when
// recognition.enabled and the face models are installed, the FaceAnalyzer that names person
// tracks. Also the "recognition" section of /api/diagnostic.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/identity/gallery.h"
#include "cloud/aws/rekognition.h"
#include "config/config.h"
#include "pipeline/analyzers/face_analyzer.h"

namespace fai::cli {

class RecognitionServices {
 public:
  // Never fails: missing face models or AWS credentials only disable those parts (logged).
  static std::unique_ptr<RecognitionServices> open(const Config& config);

  std::shared_ptr<Gallery> gallery;             // always present
  std::shared_ptr<aws::RekognitionClient> aws;  // null: mode local or no credentials
  std::shared_ptr<FaceAnalyzer> analyzer;       // null: recognition off or no models

  // Employee id -> display name for recognitions (until set: the id itself). Thread-safe.
  void set_names(EmployeeNameLookup names);
  // Appends the analyzer (if any) to the pipeline's list.
  void add_analyzer(std::vector<std::shared_ptr<FrameAnalyzer>>& analyzers) const;
  // The "recognition" section of /api/diagnostic (docs: README, /tmp contract).
  nlohmann::json diagnostic() const;

 private:
  std::string name_of(const std::string& employee_id) const;

  std::string mode_;
  bool enabled_ = false;
  mutable std::mutex names_mutex_;
  EmployeeNameLookup names_;
};

}  // namespace fai::cli
