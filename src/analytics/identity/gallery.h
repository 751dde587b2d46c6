#pragma once
// Enrolled employees: several face templates (embeddings only, never photos) per employee id,
// matched by cosine similarity against a calibrated threshold.

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "analytics/identity/face_embedder.h"
#include "core/expected.h"

namespace fai {

// How an employee's templates combine into one similarity: the best single template copes
// with varied photos (glasses, lighting); the mean is steadier against one bad template.
enum class TemplateScoring { kBestTemplate, kMeanTemplate };

struct GalleryMatch {
  std::optional<std::string> employee_id;  // empty = unknown (best similarity below threshold)
  std::string best_candidate;              // the closest employee, even when unknown
  float similarity = -1;                   // cosine similarity to best_candidate, -1 if empty
};

// Thread-safe: identify() and the accessors take a shared lock, enrol()/set_threshold() an
// exclusive one, so many workers can match while an enrolment API adds templates.
// All embeddings must have the dimension of the first one enrolled (else kInvalidArgument).
class Gallery {
 public:
  explicit Gallery(float threshold, TemplateScoring scoring = TemplateScoring::kBestTemplate);

  // template_id names the template for remove_template() (e.g. its database row id); 0 = none.
  Status enrol(const std::string& employee_id, const Embedding& embedding, int64_t template_id = 0);
  // Both return how many templates were removed (0 when there was nothing to remove).
  int remove_employee(const std::string& employee_id);
  int remove_template(const std::string& employee_id, int64_t template_id);
  GalleryMatch identify(const Embedding& embedding) const;

  void set_threshold(float threshold);
  float threshold() const;
  int employees() const;
  int templates() const;

 private:
  struct Template {
    int64_t id = 0;
    Embedding embedding;
  };
  float score(const std::vector<Template>& templates, const Embedding& probe) const;
  size_t dimension() const;  // of the enrolled templates; 0 when empty

  mutable std::shared_mutex mutex_;
  float threshold_;
  TemplateScoring scoring_;
  std::map<std::string, std::vector<Template>> templates_;  // no employee has an empty list
};

// Smallest threshold at which at most `max_false_accept_rate` of the stranger probes'
// best similarities reach it (a stranger is accepted when similarity >= threshold).
// Ties push the threshold just above the tied value. No strangers -> kInvalidArgument.
Expected<float> calibrate_threshold(std::vector<float> stranger_similarities,
                                    double max_false_accept_rate);

}  // namespace fai
