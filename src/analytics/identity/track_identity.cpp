#include "analytics/identity/track_identity.h"

#include <algorithm>

namespace fai {
namespace {

struct Tally {
  float weight = 0;
  float weighted_confidence = 0;
  size_t first_read = 0;
  std::map<std::string, int> sources;
};

// A match weighs by its similarity; an unknown read by how far its closest candidate was.
float read_weight(const FaceRead& r) {
  const float s = std::clamp(r.similarity, 0.0f, 1.0f);
  return std::max(r.quality, 0.0f) * (r.employee_id.empty() ? 1 - s : s);
}

// The source with most reads among the winner's; "local" before "aws" on a tie is arbitrary.
std::string majority_source(const std::map<std::string, int>& sources) {
  std::string best;
  int most = -1;
  for (const auto& [source, n] : sources) {
    if (n > most) best = source, most = n;
  }
  return best;
}

}  // namespace

IdentityDecision vote(const std::vector<FaceRead>& reads) {
  std::map<std::string, Tally> tallies;
  float total = 0;
  for (size_t i = 0; i < reads.size(); ++i) {
    const FaceRead& r = reads[i];
    auto [it, inserted] = tallies.try_emplace(r.employee_id);
    if (inserted) it->second.first_read = i;
    const float w = read_weight(r);
    it->second.weight += w;
    it->second.weighted_confidence += w * r.confidence;
    ++it->second.sources[r.source];
    total += w;
  }
  IdentityDecision d;
  const Tally* winner = nullptr;
  for (const auto& [label, tally] : tallies) {
    const bool better = !winner || tally.weight > winner->weight ||
                        (tally.weight == winner->weight && tally.first_read < winner->first_read);
    if (better) {
      winner = &tally;
      d.employee_id = label;
    }
  }
  if (!winner) return d;
  d.source = majority_source(winner->sources);
  if (!d.employee_id.empty() && winner->weight > 0) {
    const float share = winner->weight / total;
    d.confidence = std::clamp(winner->weighted_confidence / winner->weight * share, 0.0f, 1.0f);
  }
  return d;
}

TrackIdentities::TrackIdentities(TrackIdentityParams params) : params_(params) {}

std::optional<IdentityDecision> TrackIdentities::lookup(const std::string& camera, int64_t track_id,
                                                        SystemTime now) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find({camera, track_id});
  if (it != entries_.end() && it->second.decision) {
    if (now < it->second.decision->expires_at) {
      ++stats_.hits;
      return it->second.decision;
    }
    entries_.erase(it);  // expired: the track is read again
  }
  ++stats_.misses;
  return std::nullopt;
}

bool TrackIdentities::decides(const Entry& entry) const {
  if (static_cast<int>(entry.reads.size()) >= std::max(params_.max_attempts, 1)) return true;
  const FaceRead& last = entry.reads.back();
  return !last.employee_id.empty() && last.confidence >= params_.decide_at_once_confidence;
}

std::optional<IdentityDecision> TrackIdentities::add_read(const std::string& camera,
                                                          int64_t track_id, const FaceRead& read,
                                                          SystemTime now) {
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[{camera, track_id}];
  if (entry.decision) return std::nullopt;
  entry.reads.push_back(read);
  ++stats_.reads;
  if (!decides(entry)) return std::nullopt;
  IdentityDecision d = vote(entry.reads);
  d.decided_at = now;
  d.expires_at = now + params_.cache_ttl;
  entry.reads.clear();
  entry.decision = d;
  ++stats_.decisions;
  if (!d.employee_id.empty()) ++stats_.identified;
  return d;
}

void TrackIdentities::set_name(const std::string& camera, int64_t track_id,
                               const std::string& name) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find({camera, track_id});
  if (it != entries_.end() && it->second.decision) it->second.decision->name = name;
}

void TrackIdentities::end_tracks(const std::string& camera, const std::vector<int64_t>& track_ids) {
  std::lock_guard lock(mutex_);
  for (int64_t id : track_ids) entries_.erase({camera, id});
}

void TrackIdentities::forget_employee(const std::string& employee_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.decision && kv.second.decision->employee_id == employee_id;
  });
}

void TrackIdentities::expire(SystemTime now) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.decision && kv.second.decision->expires_at <= now;
  });
}

int TrackIdentities::pending_reads(const std::string& camera, int64_t track_id) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find({camera, track_id});
  return it == entries_.end() ? 0 : static_cast<int>(it->second.reads.size());
}

TrackIdentityStats TrackIdentities::stats() const {
  std::lock_guard lock(mutex_);
  TrackIdentityStats s = stats_;
  s.entries = entries_.size();
  return s;
}

}  // namespace fai
