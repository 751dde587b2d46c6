#include "track/byte_tracker.h"

#include <algorithm>
#include <limits>

#include "core/expected.h"
#include "core/geometry.h"
#include "track/assignment.h"

namespace fai {

int lost_track_max_frames(const TrackerConfig& config) {
  return static_cast<int>(config.frame_rate_fps / 30.0f * config.lost_track_buffer_frames);
}

Tracker::Tracker(const TrackerConfig& config) : config_(config), kalman_(config.kalman_noise) {}

std::vector<Track> Tracker::update(const std::vector<Detection>& dets, int64_t frame_seq) {
  FAI_CHECK(first_update_ || frame_seq > last_frame_seq_);
  ended_track_ids_.clear();
  predict_all();
  std::vector<int> high, low;
  for (int i = 0; i < static_cast<int>(dets.size()); ++i) {
    // A box without area has no IoU with anything and would zero the Kalman noise.
    if (dets[i].box.area() <= 0) continue;
    if (dets[i].score >= config_.high_score)
      high.push_back(i);
    else if (dets[i].score >= config_.low_score)
      low.push_back(i);
  }
  // First association: high-score boxes against tracked and lost tracks.
  std::vector<int> pool = tracks_in(TrackState::kTracked);
  const std::vector<int> lost = tracks_in(TrackState::kLost);
  pool.insert(pool.end(), lost.begin(), lost.end());
  associate(pool, high, dets, config_.first_match_max_cost, true, frame_seq);
  // Second association: low-score boxes keep partly occluded tracked tracks alive; a lost
  // track is not revived by a low-score box (too likely background).
  std::vector<int> unmatched_tracked;
  for (int i : pool) {
    if (tracks_[i].track.state == TrackState::kTracked) unmatched_tracked.push_back(i);
  }
  associate(unmatched_tracked, low, dets, config_.second_match_max_cost, false, frame_seq);
  for (int i : unmatched_tracked) tracks_[i].track.state = TrackState::kLost;
  // A tentative track gets one chance, at the high-score boxes nobody took.
  std::vector<int> tentative = tracks_in(TrackState::kTentative);
  associate(tentative, high, dets, config_.unconfirmed_match_max_cost, true, frame_seq);
  for (int i : tentative) remove(tracks_[i]);
  start_tracks(high, dets, frame_seq);
  remove_stale(frame_seq);
  remove_duplicates();
  std::erase_if(tracks_, [](const Entry& e) { return e.track.state == TrackState::kRemoved; });
  first_update_ = false;
  last_frame_seq_ = frame_seq;
  return active_tracks();
}

std::vector<int> Tracker::tracks_in(TrackState state) const {
  std::vector<int> out;
  for (int i = 0; i < static_cast<int>(tracks_.size()); ++i) {
    if (tracks_[i].track.state == state) out.push_back(i);
  }
  return out;
}

void Tracker::predict_all() {
  for (Entry& e : tracks_) {
    // ByteTrack freezes the height of a lost track: an unseen box should not grow or shrink.
    if (e.track.state == TrackState::kLost) e.kalman.mean[7] = 0;
    e.kalman = kalman_.predict(e.kalman);
    e.track.box = to_box(e.kalman.position());
    e.track.det_index = -1;
  }
}

void Tracker::associate(std::vector<int>& track_indices, std::vector<int>& det_indices,
                        const std::vector<Detection>& dets, float max_cost, bool fuse_score,
                        int64_t frame_seq) {
  CostMatrix cost(static_cast<int>(track_indices.size()), static_cast<int>(det_indices.size()),
                  std::numeric_limits<double>::infinity());
  for (int r = 0; r < cost.rows(); ++r) {
    const Track& track = tracks_[track_indices[r]].track;
    for (int c = 0; c < cost.cols(); ++c) {
      const Detection& det = dets[det_indices[c]];
      if (!same_class_group(track.class_id, det.class_id)) continue;
      const double overlap = iou(track.box, det.box);
      cost.at(r, c) = 1.0 - (fuse_score ? overlap * det.score : overlap);
    }
  }
  const Assignment assignment = solve_assignment(cost, max_cost);
  for (const auto& [r, c] : assignment.matches) {
    apply_detection(tracks_[track_indices[r]], dets, det_indices[c], frame_seq);
  }
  std::vector<int> unmatched_tracks, unmatched_dets;
  for (int r : assignment.unmatched_rows) unmatched_tracks.push_back(track_indices[r]);
  for (int c : assignment.unmatched_cols) unmatched_dets.push_back(det_indices[c]);
  track_indices = std::move(unmatched_tracks);
  det_indices = std::move(unmatched_dets);
}

void Tracker::apply_detection(Entry& entry, const std::vector<Detection>& dets, int det_index,
                              int64_t frame_seq) {
  const Detection& det = dets[det_index];
  entry.kalman = kalman_.update(entry.kalman, to_xyah(det.box));
  Track& t = entry.track;
  if (t.state == TrackState::kTentative) t.id = next_id_++;
  t.state = TrackState::kTracked;
  t.box = to_box(entry.kalman.position());
  t.score = det.score;
  t.det_index = det_index;
  t.hits += 1;
  t.last_frame = frame_seq;
  // The class is a score-weighted vote, so a car briefly seen as a truck stays a car.
  auto vote = std::find_if(entry.score_by_class.begin(), entry.score_by_class.end(),
                           [&](const auto& v) { return v.first == det.class_id; });
  if (vote == entry.score_by_class.end()) {
    entry.score_by_class.emplace_back(det.class_id, det.score);
  } else {
    vote->second += det.score;
  }
  t.class_id = std::max_element(entry.score_by_class.begin(), entry.score_by_class.end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; })
                   ->first;
}

void Tracker::start_tracks(const std::vector<int>& det_indices, const std::vector<Detection>& dets,
                           int64_t frame_seq) {
  for (int i : det_indices) {
    const Detection& det = dets[i];
    if (det.score < config_.new_track_score) continue;
    Entry e;
    e.kalman = kalman_.initiate(to_xyah(det.box));
    e.track.box = det.box;
    e.track.score = det.score;
    e.track.class_id = det.class_id;
    e.track.det_index = i;
    e.track.hits = 1;
    e.track.first_frame = frame_seq;
    e.track.last_frame = frame_seq;
    e.score_by_class.emplace_back(det.class_id, det.score);
    // Nothing came before the first frame, so its boxes need no second sighting.
    if (first_update_) {
      e.track.id = next_id_++;
      e.track.state = TrackState::kTracked;
    }
    tracks_.push_back(std::move(e));
  }
}

void Tracker::remove(Entry& entry) {
  if (entry.track.id != 0) ended_track_ids_.push_back(entry.track.id);
  entry.track.state = TrackState::kRemoved;
}

void Tracker::remove_stale(int64_t frame_seq) {
  const int max_lost_frames = lost_track_max_frames(config_);
  for (int i : tracks_in(TrackState::kLost)) {
    if (frame_seq - tracks_[i].track.last_frame > max_lost_frames) remove(tracks_[i]);
  }
}

// A track that was re-created while its lost twin still waits: keep the older of the two.
void Tracker::remove_duplicates() {
  for (Entry& lost : tracks_) {
    if (lost.track.state != TrackState::kLost) continue;
    for (Entry& seen : tracks_) {
      const TrackState s = seen.track.state;
      if (s != TrackState::kTracked && s != TrackState::kTentative) continue;
      if (!same_class_group(seen.track.class_id, lost.track.class_id)) continue;
      if (iou(seen.track.box, lost.track.box) <= config_.duplicate_iou) continue;
      const bool seen_is_older = seen.track.first_frame < lost.track.first_frame;
      remove(seen_is_older ? lost : seen);
      if (seen_is_older) break;
    }
  }
}

std::vector<Track> Tracker::active_tracks() const {
  std::vector<Track> out;
  for (const Entry& e : tracks_) {
    if (e.track.state == TrackState::kTracked) out.push_back(e.track);
  }
  std::sort(out.begin(), out.end(), [](const Track& a, const Track& b) { return a.id < b.id; });
  return out;
}

bool Tracker::same_class_group(int a, int b) const {
  if (a == b) return true;
  return std::any_of(config_.class_groups.begin(), config_.class_groups.end(),
                     [&](const std::vector<int>& group) {
                       return std::count(group.begin(), group.end(), a) > 0 &&
                              std::count(group.begin(), group.end(), b) > 0;
                     });
}

}  // namespace fai
