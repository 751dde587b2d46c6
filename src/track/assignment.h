#pragma once
// Linear assignment (rows to columns, at most one each) with a cost limit, as ByteTrack uses
// lap.lapjv(extend_cost=True, cost_limit=...): minimise the sum of matched costs plus
// max_cost for every row left unmatched. Written here because Debian has no lap library.

#include <cstddef>
#include <utility>
#include <vector>

namespace fai {

// Row-major costs; +infinity (or NaN) marks a pair that must never be matched.
class CostMatrix {
 public:
  CostMatrix(int rows, int cols, double fill = 0.0);
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  double& at(int row, int col) { return values_[static_cast<std::size_t>(row) * cols_ + col]; }
  double at(int row, int col) const { return values_[static_cast<std::size_t>(row) * cols_ + col]; }

 private:
  int rows_;
  int cols_;
  std::vector<double> values_;
};

struct Assignment {
  std::vector<std::pair<int, int>> matches;  // (row, col), ascending row
  std::vector<int> unmatched_rows;           // ascending
  std::vector<int> unmatched_cols;           // ascending
};

// Optimal assignment: minimises sum(matched costs) + max_cost * (unmatched rows), so a pair is
// matched only if its cost is at most max_cost (a pair at exactly max_cost gains nothing and may
// stay unmatched). max_cost = +infinity: as many matches as possible, then the least total cost.
// Requires max_cost not NaN. O(rows^2 * (rows + cols)); shortest augmenting
// paths with potentials (the Hungarian method in Jonker-Volgenant's form), deterministic.
Assignment solve_assignment(const CostMatrix& cost, double max_cost);

}  // namespace fai
