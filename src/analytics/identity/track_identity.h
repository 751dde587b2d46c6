#pragma once
// Who a person track is, decided once per track from a few face reads and then remembered: the
// per-track cache that keeps recognition (and AWS cost) per person, not per frame. Pure logic;
// time is passed in (the frame's timestamp), so it is testable without clocks.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace fai {

// One face read of a track: what the gallery (or AWS) said about one face crop.
struct FaceRead {
  std::string employee_id;  // empty = unknown (no match at or above the threshold)
  float similarity = 0;     // of the match (or of the closest candidate when unknown), 0..1
  float confidence = 0;     // 0..1: how sure this read is of employee_id (see face_analyzer.h)
  float quality = 1;        // 0..1 face quality: weighs the read in the vote
  std::string source;       // local | aws
};

// A track's identity. employee_id empty = decided unknown (still cached: not read again).
struct IdentityDecision {
  std::string employee_id;
  std::string name;
  float confidence = 0;  // 0..1
  std::string source;    // local | aws: where the winning reads came from
  SystemTime decided_at;
  SystemTime expires_at;
};

struct TrackIdentityParams {
  int max_attempts = 3;                 // reads before the vote is decided
  std::chrono::seconds cache_ttl{600};  // a decision is reused this long
  float decide_at_once_confidence = 2;  // a known read this sure decides alone (> 1: never)
};

struct TrackIdentityStats {
  int64_t hits = 0;        // lookups answered by a decision
  int64_t misses = 0;      // lookups without one (a read may follow)
  int64_t reads = 0;       // face reads added
  int64_t decisions = 0;   // votes decided
  int64_t identified = 0;  // ... naming an employee
  size_t entries = 0;      // tracks with a decision or reads pending

  double hit_rate() const {
    return hits + misses > 0 ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0;
  }
};

// The vote: each read gives its label weight quality x similarity for a match and
// quality x (1 - similarity of the closest candidate) for an unknown read; the label with the
// most weight wins, so two clear unknown reads outvote one weak match.
// Confidence = winner's weight-averaged read confidence x its share of the weight (0 for
// unknown winners). Ties go to the label of the earliest read. Pure.
IdentityDecision vote(const std::vector<FaceRead>& reads);

// Per (camera, track) identities. Thread-safe (one mutex; calls are short).
class TrackIdentities {
 public:
  explicit TrackIdentities(TrackIdentityParams params);

  // The track's decision when one exists and has not expired at `now` (counts a hit), else
  // nullopt (counts a miss; an expired decision is dropped so a new vote starts).
  std::optional<IdentityDecision> lookup(const std::string& camera, int64_t track_id,
                                         SystemTime now);
  // Adds a read to an undecided track; returns the decision when this read completes the vote
  // (max_attempts reads, or one read at decide_at_once_confidence). The decision's name is
  // empty: the caller looks it up and stores it with set_name. A decided track ignores reads.
  std::optional<IdentityDecision> add_read(const std::string& camera, int64_t track_id,
                                           const FaceRead& read, SystemTime now);
  void set_name(const std::string& camera, int64_t track_id, const std::string& name);
  // Forgets tracks that ended (their ids may be reused by nobody, but the memory is freed).
  void end_tracks(const std::string& camera, const std::vector<int64_t>& track_ids);
  // Drops every decision naming `employee_id` (an offboarded employee): their live tracks are
  // read again against the gallery that no longer holds them.
  void forget_employee(const std::string& employee_id);
  // Drops decisions expired at `now` (tracks that end without notice do not pile up).
  void expire(SystemTime now);
  int pending_reads(const std::string& camera, int64_t track_id) const;

  TrackIdentityStats stats() const;

 private:
  using Key = std::pair<std::string, int64_t>;
  struct Entry {
    std::vector<FaceRead> reads;
    std::optional<IdentityDecision> decision;
  };
  bool decides(const Entry& entry) const;

  const TrackIdentityParams params_;
  mutable std::mutex mutex_;
  std::map<Key, Entry> entries_;
  TrackIdentityStats stats_;
};

}  // namespace fai
