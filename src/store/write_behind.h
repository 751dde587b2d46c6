#pragma once
// Takes database writes off the request path: rows go into a bounded queue and one writer
// thread commits them in batches.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>

#include "core/expected.h"
#include "store/spool.h"
#include "store/store.h"

namespace fai {

struct WriteBehindOptions {
  size_t capacity_rows = 10000;  // try_enqueue fails beyond this many uncommitted rows
  size_t batch_rows = 256;       // rows per transaction at most
  std::chrono::milliseconds max_latency{100};  // a row waits at most this long for its batch
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds shutdown_drain{10000};  // destructor: retry this long, then give up
  std::string spool_path;  // crossing spool, one queue per file; empty = no crash durability
  uint64_t spool_compact_bytes = 1 << 20;
};

// For /api/diagnostic.
struct WriteBehindStats {
  int64_t queued_rows = 0;  // accepted, not yet committed (includes the batch in flight)
  int64_t committed_rows = 0;
  int64_t committed_batches = 0;
  int64_t failed_commits = 0;  // each one is retried after a backoff
  int64_t rejected_rows = 0;   // try_enqueue returned false
  int64_t replayed_rows = 0;   // crossings found in the spool at start-up
  int64_t spool_rows = 0;
  int64_t spool_bytes = 0;
  std::string last_error;  // of the latest failed commit; empty once a commit succeeds
};

// try_enqueue never blocks on the database: it returns false when the queue is full (the API
// answers 503). A crossing is appended to the spool and fdatasync'ed before try_enqueue returns
// true, so it survives kill -9 and is replayed by the next start(). Snapshots and metrics live
// only in memory until committed: a graceful shutdown flushes them, a crash loses them. Failed
// commits are retried with exponential backoff, never dropped while running. Thread-safe; the
// store must outlive the queue.
class WriteBehindQueue {
 public:
  // Replays the spool (if any), then starts the writer thread.
  static Expected<std::unique_ptr<WriteBehindQueue>> start(Store& store,
                                                           WriteBehindOptions options);
  // Commits what is queued, retrying for at most options.shutdown_drain.
  ~WriteBehindQueue();
  WriteBehindQueue(const WriteBehindQueue&) = delete;
  WriteBehindQueue& operator=(const WriteBehindQueue&) = delete;

  bool try_enqueue(CrossingRow row);
  bool try_enqueue(OccupancySnapshot row);
  bool try_enqueue(MetricRow row);

  // Waits until every row accepted before the call is committed; kUnavailable on timeout.
  Status flush(std::chrono::milliseconds timeout);

  WriteBehindStats stats() const;

 private:
  using Row = std::variant<CrossingRow, OccupancySnapshot, MetricRow>;
  struct Item {
    Row row;
    std::chrono::steady_clock::time_point enqueued_at;
  };

  WriteBehindQueue(Store& store, WriteBehindOptions options, std::unique_ptr<CrossingSpool> spool);
  bool reserve_slot();
  void push(Row row, bool reserved);
  void run_writer();
  std::deque<Item> next_batch();
  void commit(const std::deque<Item>& batch);
  void wait_before_retry(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds backoff);
  bool drain_expired() const;

  Store& store_;
  const WriteBehindOptions options_;
  std::unique_ptr<CrossingSpool> spool_;

  std::mutex crossing_order_mutex_;  // spool order == queue order, so commits free a prefix
  mutable std::mutex mutex_;         // guards everything below
  std::condition_variable writer_wake_;
  std::condition_variable committed_cv_;
  std::deque<Item> queue_;
  size_t reserved_slots_ = 0;  // crossings being spooled, counted against capacity
  uint64_t accepted_total_ = 0;
  uint64_t committed_total_ = 0;
  uint64_t flush_target_ = 0;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;
  WriteBehindStats stats_;
  std::thread writer_;
};

}  // namespace fai
