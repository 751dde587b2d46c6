#pragma once
// Per-track plate consensus: a few OCR reads per vehicle track, a character-level vote weighted by
// confidence, one plate per visit. Pure code (no OpenCV), golden-tested.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytics/anpr/plate_format.h"

namespace fai {

struct PlateVoteParams {
  int max_reads = 5;               // reads kept per track; the vote uses at most these
  int max_attempts = 12;           // OCR calls per track, readable or not, before it stops asking
  int min_agreeing_reads = 3;      // identical reads that settle the plate before the track ends
  float min_plate_height_px = 14;  // smaller plates lose characters: do not spend OCR on them
  // laplacian_variance() (image/sharpness.h) of the plate crop below which it is too blurred.
  float min_sharpness = 60;
};

// The plate a track settled on.
struct PlateConsensus {
  std::string text;
  float confidence = 0;                 // mean of char_confidences
  std::vector<float> char_confidences;  // share of the vote weight each winning character got
  int reads = 0;                        // reads that took part in the vote
};

// True when a plate crop is large and sharp enough to be worth an OCR call.
bool passes_quality_gate(float plate_height_px, float sharpness, const PlateVoteParams& params);

// Character-level vote over reads of a plate: reads of the most supported length (by summed
// confidence) vote position by position, each character weighted by its confidence.
// Reads of other lengths are ignored. Empty input -> nullopt.
std::optional<PlateConsensus> vote_plate(const std::vector<std::vector<PlateChar>>& reads);

// Collects reads per track and emits each track's plate once: as soon as min_agreeing_reads reads
// agree with the vote, otherwise when the track ends. end_track() erases the track's state.
// Not thread-safe: one instance per camera pipeline.
class PlateVote {
 public:
  explicit PlateVote(PlateVoteParams params) : params_(params) {}

  // Whether an OCR attempt for this track is still useful (not emitted, under the attempt cap).
  bool wants_read(int64_t track_id) const;
  // Records one OCR attempt; `read` is empty when the attempt gave no plate. Returns the
  // consensus the first time the track settles.
  std::optional<PlateConsensus> add(int64_t track_id,
                                    const std::optional<std::vector<PlateChar>>& read);
  // The consensus of a track that never settled (if it had reads); forgets the track.
  std::optional<PlateConsensus> end_track(int64_t track_id);
  size_t tracks() const { return tracks_.size(); }

 private:
  struct TrackReads {
    std::vector<std::vector<PlateChar>> reads;
    int attempts = 0;
    bool emitted = false;
  };

  PlateVoteParams params_;
  std::map<int64_t, TrackReads> tracks_;
};

}  // namespace fai
