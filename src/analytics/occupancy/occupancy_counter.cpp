#include "analytics/occupancy/occupancy_counter.h"

#include <algorithm>
#include <set>
#include <utility>

namespace fai {

namespace {

// > 0 right of start->end on screen (image y points down), < 0 left, 0 on the line.
double side_value(const CountingLine& line, Point p) {
  const double dx = static_cast<double>(line.end.x) - line.start.x;
  const double dy = static_cast<double>(line.end.y) - line.start.y;
  return dx * (static_cast<double>(p.y) - line.start.y) -
         dy * (static_cast<double>(p.x) - line.start.x);
}

LineSide side_of(const CountingLine& line, Point p) {
  return side_value(line, p) >= 0 ? LineSide::kRight : LineSide::kLeft;
}

// Where the step from `from` to `to` (on opposite sides) meets the line, as a fraction of the
// way from start to end: within [0, 1] means the step went through the segment.
bool step_crosses_segment(const CountingLine& line, Point from, Point to) {
  const double a = side_value(line, from);
  const double b = side_value(line, to);
  const double s = a / (a - b);
  const double hit_x = from.x + s * (static_cast<double>(to.x) - from.x);
  const double hit_y = from.y + s * (static_cast<double>(to.y) - from.y);
  const double dx = static_cast<double>(line.end.x) - line.start.x;
  const double dy = static_cast<double>(line.end.y) - line.start.y;
  const double t =
      ((hit_x - line.start.x) * dx + (hit_y - line.start.y) * dy) / (dx * dx + dy * dy);
  return t >= 0.0 && t <= 1.0;
}

Point anchor_of(const Box& box) {
  return {box.center_x(), box.y2};
}

void add_crossing(OccupancyCounts& counts, CrossingDirection direction) {
  if (direction == CrossingDirection::kIn) {
    ++counts.entries;
    ++counts.occupancy;
  } else {
    ++counts.exits;
    counts.occupancy = std::max<int64_t>(0, counts.occupancy - 1);
  }
}

bool valid_counts(const OccupancyCounts& c) {
  return c.occupancy >= 0 && c.entries >= 0 && c.exits >= 0;
}

}  // namespace

CountingLine default_counting_line() {
  return {.id = "default",
          .start = {0, 400},
          .end = {1, 400},
          .in_side = LineSide::kRight,  // walking right along y = 400, right is down
          .infinite = true};
}

Expected<OccupancyCounter> OccupancyCounter::create(const OccupancyConfig& config) {
  std::string problems;
  if (config.min_frames_on_new_side < 1) problems += "min_frames_on_new_side must be >= 1; ";
  std::set<std::string> ids;
  for (const CountingLine& line : config.lines) {
    if (line.id.empty()) problems += "a counting line has no id; ";
    if (!ids.insert(line.id).second) problems += "duplicate counting line id '" + line.id + "'; ";
    if (line.start.x == line.end.x && line.start.y == line.end.y) {
      problems += "counting line '" + line.id + "' has zero length; ";
    }
  }
  if (!problems.empty()) {
    problems.resize(problems.size() - 2);
    return make_error(ErrorCode::kInvalidArgument, problems);
  }
  OccupancyConfig resolved = config;
  if (resolved.lines.empty()) resolved.lines.push_back(default_counting_line());
  return OccupancyCounter(std::move(resolved));
}

OccupancyCounter::OccupancyCounter(OccupancyConfig config)
    : config_(std::move(config)), per_line_(config_.lines.size()) {}

OccupancyFrame OccupancyCounter::on_frame(const std::vector<Track>& tracks,
                                          const std::vector<Detection>& detections) {
  OccupancyFrame frame;
  for (const Track& track : tracks) {
    if (track.det_index < 0 || !counted(track.class_id)) continue;
    FAI_CHECK(track.det_index < static_cast<int>(detections.size()));
    const Point anchor = anchor_of(detections[track.det_index].box);
    auto [it, first_seen] = tracks_.try_emplace(track.id);
    std::vector<LineState>& states = it->second;
    for (int line = 0; line < static_cast<int>(config_.lines.size()); ++line) {
      if (first_seen) {
        states.push_back({.side = side_of(config_.lines[line], anchor), .last_anchor = anchor});
      } else if (observe(states[line], line, anchor)) {
        count(line, track, frame);
      }
    }
  }
  frame.camera = camera_;
  frame.lines = line_counts();
  return frame;
}

bool OccupancyCounter::observe(LineState& state, int line, Point anchor) const {
  const CountingLine& geometry = config_.lines[line];
  const LineSide side = side_of(geometry, anchor);
  bool confirmed = false;
  if (side == state.side) {
    state.frames_on_new_side = 0;  // back before it counted: jitter, or a U-turn on the line
  } else {
    if (state.frames_on_new_side == 0) {
      state.crossed_segment =
          geometry.infinite || step_crosses_segment(geometry, state.last_anchor, anchor);
    }
    if (++state.frames_on_new_side >= config_.min_frames_on_new_side) {
      state.side = side;
      state.frames_on_new_side = 0;
      // Passing beside a door still changes sides, so a later pass through it counts right.
      confirmed = state.crossed_segment;
    }
  }
  state.last_anchor = anchor;
  return confirmed;
}

void OccupancyCounter::count(int line, const Track& track, OccupancyFrame& frame) {
  const CountingLine& geometry = config_.lines[line];
  const CrossingDirection direction = tracks_.at(track.id)[line].side == geometry.in_side
                                          ? CrossingDirection::kIn
                                          : CrossingDirection::kOut;
  add_crossing(per_line_[line], direction);
  add_crossing(camera_, direction);
  frame.crossings.push_back(
      {.track_id = track.id,
       .crossing = {.line_id = geometry.id, .direction = direction, .class_id = track.class_id}});
}

void OccupancyCounter::on_track_end(int64_t track_id) {
  tracks_.erase(track_id);
}

Status OccupancyCounter::restore(const OccupancyCounts& camera,
                                 const std::vector<LineCounts>& lines) {
  if (!valid_counts(camera)) return make_error(ErrorCode::kInvalidArgument, "negative counter");
  std::vector<OccupancyCounts> per_line = per_line_;
  for (const LineCounts& restored : lines) {
    auto it = std::find_if(config_.lines.begin(), config_.lines.end(),
                           [&](const CountingLine& l) { return l.id == restored.line_id; });
    if (it == config_.lines.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "unknown counting line '" + restored.line_id + "'");
    }
    if (!valid_counts(restored.counts)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "negative counter on line '" + restored.line_id + "'");
    }
    per_line[it - config_.lines.begin()] = restored.counts;
  }
  camera_ = camera;
  per_line_ = std::move(per_line);
  return {};
}

std::vector<LineCounts> OccupancyCounter::line_counts() const {
  std::vector<LineCounts> out;
  for (size_t i = 0; i < config_.lines.size(); ++i) {
    out.push_back({config_.lines[i].id, per_line_[i]});
  }
  return out;
}

bool OccupancyCounter::counted(int class_id) const {
  return std::count(config_.counted_classes.begin(), config_.counted_classes.end(), class_id) > 0;
}

}  // namespace fai
