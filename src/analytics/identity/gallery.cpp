#include "analytics/identity/gallery.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace fai {

Gallery::Gallery(float threshold, TemplateScoring scoring)
    : threshold_(threshold), scoring_(scoring) {}

size_t Gallery::dimension() const {
  return templates_.empty() ? 0 : templates_.begin()->second.front().embedding.size();
}

Status Gallery::enrol(const std::string& employee_id, const Embedding& embedding,
                      int64_t template_id) {
  std::unique_lock lock(mutex_);
  if (!templates_.empty() && dimension() != embedding.size()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "embedding dimension " + std::to_string(embedding.size()) + " differs from the gallery's");
  }
  if (employee_id.empty() || embedding.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "enrolment needs an id and an embedding");
  }
  templates_[employee_id].push_back({template_id, embedding});
  return {};
}

int Gallery::remove_employee(const std::string& employee_id) {
  std::unique_lock lock(mutex_);
  const auto it = templates_.find(employee_id);
  if (it == templates_.end()) return 0;
  const int removed = static_cast<int>(it->second.size());
  templates_.erase(it);
  return removed;
}

int Gallery::remove_template(const std::string& employee_id, int64_t template_id) {
  std::unique_lock lock(mutex_);
  const auto it = templates_.find(employee_id);
  if (it == templates_.end()) return 0;
  auto& list = it->second;
  const auto before = list.size();
  std::erase_if(list, [&](const Template& t) { return t.id == template_id; });
  const int removed = static_cast<int>(before - list.size());
  if (list.empty()) templates_.erase(it);
  return removed;
}

float Gallery::score(const std::vector<Template>& templates, const Embedding& probe) const {
  float best = -1, sum = 0;
  for (const Template& t : templates) {
    const float s = cosine_similarity(t.embedding, probe);
    best = std::max(best, s);
    sum += s;
  }
  return scoring_ == TemplateScoring::kBestTemplate ? best
                                                    : sum / static_cast<float>(templates.size());
}

GalleryMatch Gallery::identify(const Embedding& embedding) const {
  std::shared_lock lock(mutex_);
  GalleryMatch match;
  if (templates_.empty() || dimension() != embedding.size()) {
    return match;
  }
  for (const auto& [id, templates] : templates_) {
    const float s = score(templates, embedding);
    if (s > match.similarity) {
      match.similarity = s;
      match.best_candidate = id;
    }
  }
  if (match.similarity >= threshold_) match.employee_id = match.best_candidate;
  return match;
}

void Gallery::set_threshold(float threshold) {
  std::unique_lock lock(mutex_);
  threshold_ = threshold;
}

float Gallery::threshold() const {
  std::shared_lock lock(mutex_);
  return threshold_;
}

int Gallery::employees() const {
  std::shared_lock lock(mutex_);
  return static_cast<int>(templates_.size());
}

int Gallery::templates() const {
  std::shared_lock lock(mutex_);
  int n = 0;
  for (const auto& entry : templates_) n += static_cast<int>(entry.second.size());
  return n;
}

Expected<float> calibrate_threshold(std::vector<float> stranger_similarities,
                                    double max_false_accept_rate) {
  if (stranger_similarities.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "calibration needs stranger probes");
  }
  std::sort(stranger_similarities.begin(), stranger_similarities.end(), std::greater<>());
  // At most `allowed` strangers may reach the threshold: it sits just above the next one.
  const auto allowed = static_cast<size_t>(
      std::floor(max_false_accept_rate * static_cast<double>(stranger_similarities.size())));
  if (allowed >= stranger_similarities.size()) return stranger_similarities.back();
  const float first_rejected = stranger_similarities[allowed];
  return std::nextafter(first_rejected, 2.0f);
}

}  // namespace fai
