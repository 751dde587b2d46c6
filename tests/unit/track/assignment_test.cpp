#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>

#include "track/assignment.h"

namespace fai {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

CostMatrix matrix(int rows, int cols, const std::vector<double>& values) {
  CostMatrix m(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) m.at(r, c) = values[r * cols + c];
  }
  return m;
}

bool allowed(double cost, double max_cost) {
  return std::isfinite(cost) && cost <= max_cost;
}

// The objective as (matches, cost) so that max_cost = inf compares cardinality first.
struct Score {
  int matches = 0;
  double cost = 0;
};

Score score(const CostMatrix& m, const std::vector<std::pair<int, int>>& matches, double max_cost) {
  Score s{static_cast<int>(matches.size()), 0};
  for (const auto& [r, c] : matches) s.cost += m.at(r, c);
  if (std::isfinite(max_cost)) s.cost += max_cost * (m.rows() - s.matches);
  return s;
}

bool better(const Score& a, const Score& b, double max_cost) {
  if (!std::isfinite(max_cost) && a.matches != b.matches) return a.matches > b.matches;
  return a.cost < b.cost - 1e-9;
}

// Every partial matching, by recursion over rows.
Score brute_force(const CostMatrix& m, double max_cost) {
  Score best{0, std::isfinite(max_cost) ? max_cost * m.rows() : 0.0};
  std::vector<std::pair<int, int>> current;
  std::vector<char> used(m.cols(), 0);
  std::function<void(int)> visit = [&](int row) {
    if (row == m.rows()) {
      const Score s = score(m, current, max_cost);
      if (better(s, best, max_cost)) best = s;
      return;
    }
    visit(row + 1);
    for (int c = 0; c < m.cols(); ++c) {
      if (used[c] || !allowed(m.at(row, c), max_cost)) continue;
      used[c] = 1;
      current.emplace_back(row, c);
      visit(row + 1);
      current.pop_back();
      used[c] = 0;
    }
  };
  visit(0);
  return best;
}

void expect_consistent(const CostMatrix& m, const Assignment& a, double max_cost) {
  std::set<int> rows, cols;
  for (const auto& [r, c] : a.matches) {
    EXPECT_TRUE(allowed(m.at(r, c), max_cost)) << r << "," << c;
    EXPECT_TRUE(rows.insert(r).second);
    EXPECT_TRUE(cols.insert(c).second);
  }
  for (int r : a.unmatched_rows) EXPECT_TRUE(rows.insert(r).second);
  for (int c : a.unmatched_cols) EXPECT_TRUE(cols.insert(c).second);
  EXPECT_EQ(static_cast<int>(rows.size()), m.rows());
  EXPECT_EQ(static_cast<int>(cols.size()), m.cols());
}

struct Case {
  const char* name;
  int rows, cols;
  std::vector<double> costs;
  double max_cost;
  std::vector<std::pair<int, int>> expected;  // the unique optimum
};

const std::vector<Case> kCases = {
    {"square", 3, 3, {4, 1, 3, 2, 0, 5, 3, 2, 2}, 10, {{0, 1}, {1, 0}, {2, 2}}},
    {"greedy_is_wrong", 2, 2, {1, 2, 2, 100}, 1000, {{0, 1}, {1, 0}}},
    {"wide", 2, 4, {9, 9, 1, 9, 9, 9, 9, 2}, 5, {{0, 2}, {1, 3}}},
    {"tall", 4, 2, {0.9, 0.2, 0.1, 0.8, 0.5, 0.5, 0.6, 0.6}, 0.7, {{0, 1}, {1, 0}}},
    {"all_above_limit", 2, 2, {0.9, 0.95, 0.85, 0.99}, 0.8, {}},
    // ByteTrack's lapjv objective: one good match beats two poor ones.
    {"one_good_beats_two_poor", 2, 2, {0.1, 0.7, 0.7, kInf}, 0.8, {{0, 0}}},
    {"unbounded_maximises_matches", 2, 2, {0.1, 0.7, 0.7, kInf}, kInf, {{0, 1}, {1, 0}}},
    {"forbidden_pairs",
     3,
     3,
     {kInf, 1, kInf, kInf, kInf, 1, 1, kInf, kInf},
     5,
     {{0, 1}, {1, 2}, {2, 0}}},
    {"negative_costs", 2, 3, {-3, -1, 0, -2, -5, 0}, 0, {{0, 0}, {1, 1}}},
    {"no_rows", 0, 3, {}, 1, {}},
    {"no_cols", 2, 0, {}, 1, {}},
};

TEST(Assignment, TableAgainstBruteForceAndExpected) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const CostMatrix m = matrix(c.rows, c.cols, c.costs);
    const Assignment a = solve_assignment(m, c.max_cost);
    expect_consistent(m, a, c.max_cost);
    EXPECT_EQ(a.matches, c.expected);
    const Score got = score(m, a.matches, c.max_cost);
    const Score best = brute_force(m, c.max_cost);
    EXPECT_EQ(got.matches, best.matches);
    EXPECT_NEAR(got.cost, best.cost, 1e-9);
  }
}

TEST(Assignment, RandomMatricesMatchBruteForce) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 300; ++trial) {
    const int rows = static_cast<int>(rng() % 6), cols = static_cast<int>(rng() % 6);
    CostMatrix m(rows, cols);
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) m.at(r, c) = uniform(rng) < 0.15 ? kInf : uniform(rng);
    }
    for (double max_cost : {0.3, 0.8, kInf}) {
      SCOPED_TRACE(testing::Message() << "trial " << trial << " max_cost " << max_cost);
      const Assignment a = solve_assignment(m, max_cost);
      expect_consistent(m, a, max_cost);
      const Score got = score(m, a.matches, max_cost);
      const Score best = brute_force(m, max_cost);
      EXPECT_EQ(got.matches, best.matches);
      EXPECT_NEAR(got.cost, best.cost, 1e-9);
    }
  }
}

}  // namespace
}  // namespace fai
