#include "analytics/anpr/plate_vote.h"

#include <algorithm>

namespace fai {
namespace {

float total_confidence(const std::vector<PlateChar>& read) {
  float sum = 0;
  for (const PlateChar& c : read) sum += c.confidence;
  return sum;
}

// The length with the most summed confidence; ties go to the longer read (dropped characters
// are the commoner error on small plates).
size_t winning_length(const std::vector<std::vector<PlateChar>>& reads) {
  std::map<size_t, float> weight;
  for (const auto& read : reads) weight[read.size()] += total_confidence(read);
  size_t best = 0;
  float best_weight = -1;
  for (const auto& [length, w] : weight) {
    if (w >= best_weight) best = length, best_weight = w;
  }
  return best;
}

int count_equal(const std::vector<std::vector<PlateChar>>& reads, const std::string& text) {
  return static_cast<int>(std::count_if(
      reads.begin(), reads.end(), [&](const auto& read) { return plate_text(read) == text; }));
}

}  // namespace

bool passes_quality_gate(float plate_height_px, float sharpness, const PlateVoteParams& params) {
  return plate_height_px >= params.min_plate_height_px && sharpness >= params.min_sharpness;
}

std::optional<PlateConsensus> vote_plate(const std::vector<std::vector<PlateChar>>& reads) {
  if (reads.empty()) return std::nullopt;
  const size_t length = winning_length(reads);
  PlateConsensus out;
  for (size_t pos = 0; pos < length; ++pos) {
    std::map<char, float> weight;
    float total = 0;
    for (const auto& read : reads) {
      if (read.size() != length) continue;
      weight[read[pos].symbol] += read[pos].confidence;
      total += read[pos].confidence;
    }
    auto best = std::max_element(weight.begin(), weight.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    out.text += best->first;
    out.char_confidences.push_back(total > 0 ? best->second / total : 0.0f);
  }
  for (const auto& read : reads) out.reads += read.size() == length ? 1 : 0;
  float sum = 0;
  for (float c : out.char_confidences) sum += c;
  out.confidence = length > 0 ? sum / static_cast<float>(length) : 0.0f;
  return out;
}

bool PlateVote::wants_read(int64_t track_id) const {
  auto it = tracks_.find(track_id);
  if (it == tracks_.end()) return true;
  return !it->second.emitted && it->second.attempts < params_.max_attempts &&
         static_cast<int>(it->second.reads.size()) < params_.max_reads;
}

std::optional<PlateConsensus> PlateVote::add(int64_t track_id,
                                             const std::optional<std::vector<PlateChar>>& read) {
  TrackReads& track = tracks_[track_id];
  ++track.attempts;
  if (track.emitted || !read || read->empty()) return std::nullopt;
  if (static_cast<int>(track.reads.size()) >= params_.max_reads) return std::nullopt;
  track.reads.push_back(*read);
  auto consensus = vote_plate(track.reads);
  if (!consensus || count_equal(track.reads, consensus->text) < params_.min_agreeing_reads) {
    return std::nullopt;
  }
  track.emitted = true;
  return consensus;
}

std::optional<PlateConsensus> PlateVote::end_track(int64_t track_id) {
  auto it = tracks_.find(track_id);
  if (it == tracks_.end()) return std::nullopt;
  const TrackReads track = std::move(it->second);
  tracks_.erase(it);
  if (track.emitted) return std::nullopt;
  return vote_plate(track.reads);
}

}  // namespace fai
