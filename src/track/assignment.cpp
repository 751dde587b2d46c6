#include "track/assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/expected.h"

namespace fai {

CostMatrix::CostMatrix(int rows, int cols, double fill)
    : rows_(rows), cols_(cols), values_(static_cast<std::size_t>(rows) * cols, fill) {
  FAI_CHECK(rows >= 0 && cols >= 0);
}

namespace {

// The solver sees rows x (cols + rows): column cols + i means "row i stays unmatched" and costs
// `unmatched_cost`; a forbidden pair costs more than that, so an optimum never uses one.
class ExtendedCosts {
 public:
  ExtendedCosts(const CostMatrix& cost, double max_cost) : cost_(cost), max_cost_(max_cost) {
    unmatched_cost_ = std::isinf(max_cost) ? cardinality_first_cost(cost) : max_cost;
    forbidden_cost_ = unmatched_cost_ + std::max(1.0, std::abs(unmatched_cost_));
  }
  int cols() const { return cost_.cols() + cost_.rows(); }
  bool allowed(int row, int col) const {
    const double c = cost_.at(row, col);
    return std::isfinite(c) && c <= max_cost_;
  }
  double at(int row, int col) const {
    if (col >= cost_.cols()) return unmatched_cost_;
    return allowed(row, col) ? cost_.at(row, col) : forbidden_cost_;
  }

 private:
  // Larger than any difference between two sums of allowed costs: one more match always wins.
  static double cardinality_first_cost(const CostMatrix& cost) {
    double sum = 0;
    for (int r = 0; r < cost.rows(); ++r) {
      for (int c = 0; c < cost.cols(); ++c) {
        if (std::isfinite(cost.at(r, c))) sum += std::abs(cost.at(r, c));
      }
    }
    return 1.0 + 2.0 * sum;
  }

  const CostMatrix& cost_;
  double max_cost_;
  double unmatched_cost_ = 0;
  double forbidden_cost_ = 0;
};

// Shortest augmenting paths with row/column potentials; rows <= cols. Returns the row of each
// column (1-based rows, 0 = free), index 0 unused.
std::vector<int> hungarian(const ExtendedCosts& costs, int rows) {
  const int cols = costs.cols();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> row_potential(rows + 1, 0.0), col_potential(cols + 1, 0.0);
  std::vector<int> row_of_col(cols + 1, 0), previous_col(cols + 1, 0);
  for (int row = 1; row <= rows; ++row) {
    row_of_col[0] = row;
    int col = 0;
    std::vector<double> min_slack(cols + 1, inf);
    std::vector<char> visited(cols + 1, 0);
    do {
      visited[col] = 1;
      const int current_row = row_of_col[col];
      double delta = inf;
      int next_col = 0;
      for (int j = 1; j <= cols; ++j) {
        if (visited[j]) continue;
        const double slack =
            costs.at(current_row - 1, j - 1) - row_potential[current_row] - col_potential[j];
        if (slack < min_slack[j]) {
          min_slack[j] = slack;
          previous_col[j] = col;
        }
        if (min_slack[j] < delta) {
          delta = min_slack[j];
          next_col = j;
        }
      }
      for (int j = 0; j <= cols; ++j) {
        if (visited[j]) {
          row_potential[row_of_col[j]] += delta;
          col_potential[j] -= delta;
        } else {
          min_slack[j] -= delta;
        }
      }
      col = next_col;
    } while (row_of_col[col] != 0);
    do {
      const int prev = previous_col[col];
      row_of_col[col] = row_of_col[prev];
      col = prev;
    } while (col != 0);
  }
  return row_of_col;
}

}  // namespace

Assignment solve_assignment(const CostMatrix& cost, double max_cost) {
  FAI_CHECK(!std::isnan(max_cost));
  const ExtendedCosts costs(cost, max_cost);
  const std::vector<int> row_of_col = hungarian(costs, cost.rows());
  std::vector<int> col_of_row(cost.rows(), -1);
  for (int col = 0; col < cost.cols(); ++col) {
    const int row = row_of_col[col + 1] - 1;
    if (row >= 0 && costs.allowed(row, col)) col_of_row[row] = col;
  }
  Assignment out;
  std::vector<char> col_matched(cost.cols(), 0);
  for (int row = 0; row < cost.rows(); ++row) {
    if (col_of_row[row] < 0) {
      out.unmatched_rows.push_back(row);
      continue;
    }
    out.matches.emplace_back(row, col_of_row[row]);
    col_matched[col_of_row[row]] = 1;
  }
  for (int col = 0; col < cost.cols(); ++col) {
    if (!col_matched[col]) out.unmatched_cols.push_back(col);
  }
  return out;
}

}  // namespace fai
