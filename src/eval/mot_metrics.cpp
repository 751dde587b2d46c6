#include "eval/mot_metrics.h"

#include <charconv>
#include <limits>
#include <sstream>
#include <system_error>

#include "core/geometry.h"
#include "track/assignment.h"

namespace fai {

namespace {

double ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;
}

// Splits one comma-separated line into numbers; false if a field is not a number.
bool parse_fields(const std::string& line, std::vector<double>& fields) {
  fields.clear();
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, ',')) {
    const auto first = field.find_first_not_of(" \t");
    const auto last = field.find_last_not_of(" \t\r");
    if (first == std::string::npos) return false;
    double value = 0;
    const char* end = field.data() + last + 1;
    const auto [stop, error] = std::from_chars(field.data() + first, end, value);
    if (error != std::errc() || stop != end) return false;
    fields.push_back(value);
  }
  return true;
}

using Overlaps = std::vector<std::vector<double>>;  // [truth][predicted] IoU

Overlaps overlaps(const std::vector<MotObject>& truth, const std::vector<MotObject>& predicted) {
  Overlaps out(truth.size(), std::vector<double>(predicted.size(), 0.0));
  for (size_t r = 0; r < truth.size(); ++r) {
    for (size_t c = 0; c < predicted.size(); ++c) out[r][c] = iou(truth[r].box, predicted[c].box);
  }
  return out;
}

// CLEAR-MOT continuity: last frame's pairs that still overlap enough stay together.
void keep_last_pairs(const std::map<int64_t, int64_t>& last_match,
                     const std::vector<MotObject>& truth, const std::vector<MotObject>& predicted,
                     const Overlaps& overlap, double iou_threshold, std::vector<int>& col_of_row) {
  // Two truth ids may have last matched the same predicted id at different times.
  std::vector<char> col_taken(predicted.size(), 0);
  for (size_t r = 0; r < truth.size(); ++r) {
    auto last = last_match.find(truth[r].id);
    if (last == last_match.end()) continue;
    for (size_t c = 0; c < predicted.size(); ++c) {
      if (!col_taken[c] && predicted[c].id == last->second && overlap[r][c] >= iou_threshold) {
        col_of_row[r] = static_cast<int>(c);
        col_taken[c] = 1;
        break;
      }
    }
  }
}

// The unpaired rest: as many matches as possible, then the least total 1 - IoU.
void match_the_rest(const Overlaps& overlap, double iou_threshold, std::vector<int>& col_of_row) {
  const size_t cols = overlap.empty() ? 0 : overlap[0].size();
  std::vector<char> col_taken(cols, 0);
  for (int c : col_of_row) {
    if (c >= 0) col_taken[c] = 1;
  }
  std::vector<int> free_rows, free_cols;
  for (size_t r = 0; r < col_of_row.size(); ++r) {
    if (col_of_row[r] < 0) free_rows.push_back(static_cast<int>(r));
  }
  for (size_t c = 0; c < cols; ++c) {
    if (!col_taken[c]) free_cols.push_back(static_cast<int>(c));
  }
  CostMatrix cost(static_cast<int>(free_rows.size()), static_cast<int>(free_cols.size()),
                  std::numeric_limits<double>::infinity());
  for (int i = 0; i < cost.rows(); ++i) {
    for (int j = 0; j < cost.cols(); ++j) {
      const double o = overlap[free_rows[i]][free_cols[j]];
      if (o >= iou_threshold) cost.at(i, j) = 1.0 - o;
    }
  }
  for (const auto& [i, j] :
       solve_assignment(cost, std::numeric_limits<double>::infinity()).matches) {
    col_of_row[free_rows[i]] = free_cols[j];
  }
}

}  // namespace

Expected<MotFrames> parse_mot_boxes(const std::string& text) {
  MotFrames frames;
  std::stringstream in(text);
  std::string line;
  std::vector<double> f;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!parse_fields(line, f) || f.size() < 6) {
      return make_error(ErrorCode::kCorrupt,
                        "line " + std::to_string(line_no) +
                            ": expected frame,id,left,top,width,height[,conf,...]");
    }
    if (f.size() >= 7 && f[6] == 0) continue;
    const Box box{static_cast<float>(f[2]), static_cast<float>(f[3]),
                  static_cast<float>(f[2] + f[4]), static_cast<float>(f[3] + f[5])};
    frames[static_cast<int64_t>(f[0])].push_back({static_cast<int64_t>(f[1]), box});
  }
  return frames;
}

double MotMetrics::mota() const {
  return 1.0 - ratio(static_cast<double>(false_negatives + false_positives + id_switches),
                     static_cast<double>(ground_truth));
}
double MotMetrics::mean_match_iou() const {
  return ratio(matched_iou_sum, static_cast<double>(matches));
}
double MotMetrics::idf1() const {
  return ratio(2.0 * id_true_positives, static_cast<double>(ground_truth + predictions));
}
double MotMetrics::precision() const {
  return ratio(static_cast<double>(matches), static_cast<double>(predictions));
}
double MotMetrics::recall() const {
  return ratio(static_cast<double>(matches), static_cast<double>(ground_truth));
}

void MotAccumulator::add_frame(const std::vector<MotObject>& truth,
                               const std::vector<MotObject>& predicted) {
  const Overlaps overlap = overlaps(truth, predicted);
  for (size_t r = 0; r < truth.size(); ++r) {
    for (size_t c = 0; c < predicted.size(); ++c) {
      if (overlap[r][c] >= iou_threshold_) ++frames_overlapping_[{truth[r].id, predicted[c].id}];
    }
  }
  std::vector<int> col_of_row(truth.size(), -1);
  keep_last_pairs(last_match_, truth, predicted, overlap, iou_threshold_, col_of_row);
  match_the_rest(overlap, iou_threshold_, col_of_row);
  clear_.ground_truth += static_cast<int64_t>(truth.size());
  clear_.predictions += static_cast<int64_t>(predicted.size());
  for (size_t r = 0; r < truth.size(); ++r) {
    const int c = col_of_row[r];
    if (c < 0) {
      ++clear_.false_negatives;
      continue;
    }
    ++clear_.matches;
    clear_.matched_iou_sum += overlap[r][c];
    auto [last, first_match] = last_match_.try_emplace(truth[r].id, predicted[c].id);
    if (!first_match && last->second != predicted[c].id) ++clear_.id_switches;
    last->second = predicted[c].id;
  }
  clear_.false_positives = clear_.predictions - clear_.matches;
}

MotMetrics MotAccumulator::summary() const {
  // IDF1: each ground-truth id gets at most one predicted id for the whole sequence, chosen to
  // maximise the boxes they share.
  std::map<int64_t, int> row_of_truth, col_of_predicted;
  for (const auto& [pair, frames] : frames_overlapping_) {
    row_of_truth.try_emplace(pair.first, static_cast<int>(row_of_truth.size()));
    col_of_predicted.try_emplace(pair.second, static_cast<int>(col_of_predicted.size()));
  }
  CostMatrix cost(static_cast<int>(row_of_truth.size()), static_cast<int>(col_of_predicted.size()),
                  std::numeric_limits<double>::infinity());
  for (const auto& [pair, frames] : frames_overlapping_) {
    cost.at(row_of_truth[pair.first], col_of_predicted[pair.second]) = -static_cast<double>(frames);
  }
  MotMetrics out = clear_;
  for (const auto& [r, c] : solve_assignment(cost, 0.0).matches) {
    out.id_true_positives += static_cast<int64_t>(-cost.at(r, c));
  }
  return out;
}

}  // namespace fai
