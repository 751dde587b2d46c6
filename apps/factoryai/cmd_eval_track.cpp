// `factoryai eval track DIR` and `factoryai eval count DIR` on a MOTChallenge-layout sequence
// (DIR/img1/*.jpg, DIR/gt/gt.txt with 1-based frames). track: CLEAR-MOT and IDF1 of ByteTrack fed
// with the ground-truth boxes and with our detector. count: line crossings against the reference
// counts in ../shared/data/tracking/SOURCES.md.

#include "cmd_eval_track.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "analytics/occupancy/occupancy_counter.h"
#include "detect/detector.h"
#include "eval/mot_metrics.h"
#include "image/image_io.h"
#include "pipeline/analytics_config.h"
#include "track/byte_tracker.h"

namespace fai::cli {
namespace {

namespace fs = std::filesystem;

struct Sequence {
  std::string name;
  std::vector<std::string> images;  // frame n is images[n - 1]
  MotFrames truth;
};

// Per frame, frame n at index n - 1.
using SequenceDetections = std::vector<std::vector<Detection>>;

struct TrackedFrame {
  std::vector<Track> tracks;
  std::vector<int64_t> ended_ids;
};

Expected<Sequence> load_sequence(const std::string& dir) {
  Sequence seq{fs::weakly_canonical(dir).filename().string(), {}, {}};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "img1", ec)) {
    if (entry.path().extension() == ".jpg") seq.images.push_back(entry.path().string());
  }
  if (ec || seq.images.empty()) {
    return make_error(ErrorCode::kNotFound,
                      dir + "/img1: no .jpg frames (is ../shared/data present?)");
  }
  std::sort(seq.images.begin(), seq.images.end());
  const std::string gt_path = (fs::path(dir) / "gt" / "gt.txt").string();
  std::ifstream in(gt_path);
  if (!in) return make_error(ErrorCode::kNotFound, gt_path + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  auto truth = parse_mot_boxes(text.str());
  if (!truth) return make_error(truth.error().code, gt_path + ": " + truth.error().message);
  seq.truth = std::move(*truth);
  return seq;
}

std::vector<MotObject> truth_at(const Sequence& seq, size_t frame) {
  auto it = seq.truth.find(static_cast<int64_t>(frame));
  return it == seq.truth.end() ? std::vector<MotObject>{} : it->second;
}

SequenceDetections truth_as_detections(const Sequence& seq) {
  SequenceDetections out(seq.images.size());
  for (size_t i = 0; i < out.size(); ++i) {
    for (const MotObject& o : truth_at(seq, i + 1)) out[i].push_back({o.box, 1.0f, coco::kPerson});
  }
  return out;
}

// The ground truth as tracks with its own ids: the counter alone, no tracker in between.
std::vector<TrackedFrame> truth_as_tracks(const Sequence& seq) {
  std::vector<TrackedFrame> out(seq.images.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const std::vector<MotObject> truth = truth_at(seq, i + 1);
    for (size_t j = 0; j < truth.size(); ++j) {
      Track t;
      t.id = truth[j].id;
      t.box = truth[j].box;
      t.class_id = coco::kPerson;
      t.state = TrackState::kTracked;
      t.det_index = static_cast<int>(j);
      out[i].tracks.push_back(t);
    }
  }
  return out;
}

// People only, down to the tracker's low score: ByteTrack's second association needs the
// low-score boxes that the production score threshold would drop.
Expected<SequenceDetections> detect_people(const Sequence& seq, Config config) {
  config.detector.classes = {coco::kPerson};
  config.detector.score_threshold = config.tracker.low_score;
  auto detector = make_detector(config.detector, config.inference);
  if (!detector) return detector.error();
  SequenceDetections out;
  for (const auto& path : seq.images) {
    auto image = read_image(path);
    if (!image) return image.error();
    auto dets = (*detector)->detect(*image);
    if (!dets) return dets.error();
    out.push_back(std::move(*dets));
  }
  return out;
}

std::vector<TrackedFrame> run_tracker(const SequenceDetections& dets,
                                      const TrackerSettings& settings) {
  Tracker tracker(tracker_config(settings));
  std::vector<TrackedFrame> out;
  for (size_t i = 0; i < dets.size(); ++i) {
    TrackedFrame frame;
    frame.tracks = tracker.update(dets[i], static_cast<int64_t>(i + 1));
    frame.ended_ids = tracker.ended_track_ids();
    out.push_back(std::move(frame));
  }
  return out;
}

// ---- eval track ----

void print_track_header(const Sequence& seq) {
  int64_t boxes = 0;
  std::set<int64_t> ids;
  for (const auto& [frame, objects] : seq.truth) {
    boxes += static_cast<int64_t>(objects.size());
    for (const MotObject& o : objects) ids.insert(o.id);
  }
  std::printf("== %s: %zu frames, %lld ground-truth boxes, %zu ids; IoU >= 0.5\n", seq.name.c_str(),
              seq.images.size(), static_cast<long long>(boxes), ids.size());
  std::printf("%-24s %6s %6s %5s %5s %5s %7s %6s %6s %6s\n", "input", "MOTA", "IDF1", "IDSW", "FP",
              "FN", "matches", "IoU", "recall", "tracks");
}

void print_track_row(const char* input, const Sequence& seq,
                     const std::vector<TrackedFrame>& tracked) {
  MotAccumulator acc;
  std::set<int64_t> ids;
  for (size_t i = 0; i < tracked.size(); ++i) {
    std::vector<MotObject> predicted;
    for (const Track& t : tracked[i].tracks) {
      predicted.push_back({t.id, t.box});
      ids.insert(t.id);
    }
    acc.add_frame(truth_at(seq, i + 1), predicted);
  }
  const MotMetrics m = acc.summary();
  std::printf("%-24s %6.3f %6.3f %5lld %5lld %5lld %7lld %6.3f %6.3f %6zu\n", input, m.mota(),
              m.idf1(), static_cast<long long>(m.id_switches),
              static_cast<long long>(m.false_positives), static_cast<long long>(m.false_negatives),
              static_cast<long long>(m.matches), m.mean_match_iou(), m.recall(), ids.size());
}

int run_eval_track(const GlobalOptions& options, const std::string& dir) {
  // The tracker and counter run with the configured settings, as the server would.
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  auto seq = load_sequence(dir);
  if (!seq) return report(seq.error());
  print_track_header(*seq);
  print_track_row("ground truth + ByteTrack", *seq,
                  run_tracker(truth_as_detections(*seq), config->tracker));
  auto dets = detect_people(*seq, *config);
  if (!dets) {
    std::printf("detector + ByteTrack: skipped, the detector is unavailable (%s)\n",
                dets.error().message.c_str());
    return 0;
  }
  print_track_row("detector + ByteTrack", *seq, run_tracker(*dets, config->tracker));
  return 0;
}

// ---- eval count ----

// The reference: ../shared/data/tracking/SOURCES.md, "Line-crossing counts derived from the
// ground truth" (TUD-Campus). Increasing = left to right, or top to bottom.
struct ReferenceCount {
  const char* line_id;
  bool vertical;
  float position;  // x of a vertical line, y of a horizontal one
  int increasing, decreasing;
};
constexpr ReferenceCount kTudCampusCounts[] = {
    {"x=160", true, 160, 2, 1},  {"x=320", true, 320, 4, 1},  {"x=480", true, 480, 3, 0},
    {"y=240", false, 240, 0, 0}, {"y=360", false, 360, 2, 1},
};

// Whole lines whose "in" side is the increasing side; a point on the line is past it, as in
// SOURCES.md's rule (from < line to >= line).
OccupancyConfig reference_lines(int min_frames_on_new_side) {
  OccupancyConfig config;
  config.min_frames_on_new_side = min_frames_on_new_side;
  for (const ReferenceCount& r : kTudCampusCounts) {
    // Walking up the screen, the right-hand side is +x; walking right, it is +y.
    config.lines.push_back({.id = r.line_id,
                            .start = r.vertical ? Point{r.position, 1} : Point{0, r.position},
                            .end = r.vertical ? Point{r.position, 0} : Point{1, r.position},
                            .in_side = LineSide::kRight,
                            .infinite = true});
  }
  return config;
}

struct CountColumn {
  std::string title;
  std::vector<LineCounts> lines;  // kTudCampusCounts order
};

Expected<CountColumn> count_lines(std::string title, const SequenceDetections& dets,
                                  const std::vector<TrackedFrame>& tracked,
                                  int min_frames_on_new_side) {
  auto counter = OccupancyCounter::create(reference_lines(min_frames_on_new_side));
  if (!counter) return counter.error();
  for (size_t i = 0; i < tracked.size(); ++i) {
    counter->on_frame(tracked[i].tracks, dets[i]);
    for (int64_t id : tracked[i].ended_ids) counter->on_track_end(id);
  }
  return CountColumn{std::move(title), counter->line_counts()};
}

bool matches_reference(const CountColumn& column) {
  for (size_t i = 0; i < column.lines.size(); ++i) {
    const OccupancyCounts& c = column.lines[i].counts;
    if (c.entries != kTudCampusCounts[i].increasing || c.exits != kTudCampusCounts[i].decreasing) {
      return false;
    }
  }
  return true;
}

std::string in_out(int64_t in, int64_t out) {
  return std::to_string(in) + "/" + std::to_string(out);
}

void print_count_table(const std::vector<CountColumn>& columns) {
  std::printf("%-6s %9s", "line", "expected");
  for (const CountColumn& c : columns) std::printf(" %22s", c.title.c_str());
  std::printf("\n");
  for (size_t i = 0; i < std::size(kTudCampusCounts); ++i) {
    const ReferenceCount& r = kTudCampusCounts[i];
    std::printf("%-6s %9s", r.line_id, in_out(r.increasing, r.decreasing).c_str());
    for (const CountColumn& c : columns) {
      const OccupancyCounts& got = c.lines[i].counts;
      const bool same = got.entries == r.increasing && got.exits == r.decreasing;
      std::printf(" %22s", (in_out(got.entries, got.exits) + (same ? " " : "*")).c_str());
    }
    std::printf("\n");
  }
  std::printf("cells: increasing/decreasing crossings; * = differs from SOURCES.md\n");
}

// Returns the exit code: ground-truth inputs must reproduce the reference exactly.
int run_eval_count(const GlobalOptions& options, const std::string& dir) {
  // The tracker and counter run with the configured settings, as the server would.
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  auto seq = load_sequence(dir);
  if (!seq) return report(seq.error());
  if (seq->name != "TUD-Campus") {
    return report(make_error(ErrorCode::kUnsupported,
                             "reference counts exist only for TUD-Campus, not " + seq->name));
  }
  const SequenceDetections truth = truth_as_detections(*seq);
  std::vector<Expected<CountColumn>> results = {
      count_lines("gt ids (min 1)", truth, truth_as_tracks(*seq), 1),
      count_lines("gt+ByteTrack (min 1)", truth, run_tracker(truth, config->tracker), 1)};
  const size_t ground_truth_columns = results.size();
  auto dets = detect_people(*seq, *config);
  if (dets) {
    const std::vector<TrackedFrame> tracked = run_tracker(*dets, config->tracker);
    const int min_frames = config->occupancy.min_frames_on_new_side;
    results.push_back(count_lines("det+ByteTrack (min 1)", *dets, tracked, 1));
    results.push_back(count_lines("det+ByteTrack (min " + std::to_string(min_frames) + ")", *dets,
                                  tracked, min_frames));
  }
  std::vector<CountColumn> columns;
  for (auto& r : results) {
    if (!r) return report(r.error());
    columns.push_back(std::move(*r));
  }
  std::printf("== %s: line crossings, %zu frames\n", seq->name.c_str(), seq->images.size());
  print_count_table(columns);
  if (!dets) {
    std::printf("detector columns: skipped, the detector is unavailable (%s)\n",
                dets.error().message.c_str());
  }
  for (size_t i = 0; i < ground_truth_columns; ++i) {
    if (!matches_reference(columns[i])) {
      return report(make_error(ErrorCode::kInternal,
                               "'" + columns[i].title + "' differs from SOURCES.md's counts"));
    }
  }
  return 0;
}

}  // namespace

void add_eval_track_commands(CLI::App& eval, const GlobalOptions& options, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  auto* track = eval.add_subcommand(
      "track", "ByteTrack MOTA/IDF1 on a MOT sequence: ground-truth boxes and our detector");
  track->add_option("dir", *dir, "MOT sequence folder (img1/, gt/gt.txt)")->required();
  track->callback([&options, &exit_code, dir] { exit_code = run_eval_track(options, *dir); });
  auto* count = eval.add_subcommand(
      "count", "Line-crossing counts on TUD-Campus against ../shared/data/tracking/SOURCES.md");
  count->add_option("dir", *dir, "The TUD-Campus folder")->required();
  count->callback([&options, &exit_code, dir] { exit_code = run_eval_count(options, *dir); });
}

}  // namespace fai::cli
