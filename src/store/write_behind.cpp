#include "store/write_behind.h"

#include <algorithm>

namespace fai {
namespace {

using SteadyClock = std::chrono::steady_clock;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

Expected<std::unique_ptr<WriteBehindQueue>> WriteBehindQueue::start(Store& store,
                                                                    WriteBehindOptions options) {
  std::unique_ptr<CrossingSpool> spool;
  std::vector<CrossingRow> replay;
  if (!options.spool_path.empty()) {
    auto opened = CrossingSpool::open(options.spool_path, options.spool_compact_bytes);
    if (!opened.ok()) return opened.error();
    spool = std::move(opened->spool);
    replay = std::move(opened->pending);
  }
  std::unique_ptr<WriteBehindQueue> queue(
      new WriteBehindQueue(store, std::move(options), std::move(spool)));
  // Already on disk and accepted once: they bypass the capacity check.
  for (auto& row : replay) queue->push(std::move(row), /*reserved=*/false);
  queue->stats_.replayed_rows = static_cast<int64_t>(replay.size());
  queue->writer_ = std::thread([q = queue.get()] { q->run_writer(); });
  return queue;
}

WriteBehindQueue::WriteBehindQueue(Store& store, WriteBehindOptions options,
                                   std::unique_ptr<CrossingSpool> spool)
    : store_(store), options_(std::move(options)), spool_(std::move(spool)) {
  FAI_CHECK(options_.capacity_rows > 0 && options_.batch_rows > 0);
}

WriteBehindQueue::~WriteBehindQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    drain_deadline_ = SteadyClock::now() + options_.shutdown_drain;
  }
  writer_wake_.notify_all();
  writer_.join();
}

bool WriteBehindQueue::try_enqueue(CrossingRow row) {
  if (row.event_key.empty()) row.event_key = crossing_event_key(row);
  std::lock_guard order(crossing_order_mutex_);
  if (!reserve_slot()) return false;
  if (spool_) {
    if (Status st = spool_->append(row); !st.ok()) {
      std::lock_guard lock(mutex_);
      --reserved_slots_;
      ++stats_.rejected_rows;
      stats_.last_error = st.error().message;
      return false;
    }
  }
  push(std::move(row), /*reserved=*/true);
  return true;
}

bool WriteBehindQueue::try_enqueue(OccupancySnapshot row) {
  if (!reserve_slot()) return false;
  push(std::move(row), /*reserved=*/true);
  return true;
}

bool WriteBehindQueue::try_enqueue(MetricRow row) {
  if (!reserve_slot()) return false;
  push(std::move(row), /*reserved=*/true);
  return true;
}

bool WriteBehindQueue::reserve_slot() {
  std::lock_guard lock(mutex_);
  // The batch in flight still counts: it is what bounds memory while the database is down.
  if (accepted_total_ - committed_total_ + reserved_slots_ >= options_.capacity_rows) {
    ++stats_.rejected_rows;
    return false;
  }
  ++reserved_slots_;
  return true;
}

void WriteBehindQueue::push(Row row, bool reserved) {
  {
    std::lock_guard lock(mutex_);
    if (reserved) --reserved_slots_;
    queue_.push_back({std::move(row), SteadyClock::now()});
    ++accepted_total_;
  }
  writer_wake_.notify_one();
}

Status WriteBehindQueue::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t target = accepted_total_;
  flush_target_ = std::max(flush_target_, target);
  writer_wake_.notify_one();
  if (committed_cv_.wait_for(lock, timeout, [&] { return committed_total_ >= target; })) return {};
  return make_error(ErrorCode::kUnavailable, "store flush timed out: " + stats_.last_error);
}

WriteBehindStats WriteBehindQueue::stats() const {
  std::lock_guard lock(mutex_);
  WriteBehindStats out = stats_;
  out.queued_rows = static_cast<int64_t>(accepted_total_ - committed_total_);
  if (spool_) {
    out.spool_rows = static_cast<int64_t>(spool_->pending_rows());
    out.spool_bytes = static_cast<int64_t>(spool_->file_bytes());
  }
  return out;
}

void WriteBehindQueue::run_writer() {
  for (auto batch = next_batch(); !batch.empty(); batch = next_batch()) commit(batch);
}

bool WriteBehindQueue::drain_expired() const {
  return stopping_ && SteadyClock::now() >= drain_deadline_;
}

// Waits for a full batch, the oldest row's latency budget, a flush or shutdown; empty = exit.
std::deque<WriteBehindQueue::Item> WriteBehindQueue::next_batch() {
  std::unique_lock lock(mutex_);
  writer_wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty() || drain_expired()) return {};
  const auto urgent = [&] {
    return stopping_ || flush_target_ > committed_total_ || queue_.size() >= options_.batch_rows;
  };
  writer_wake_.wait_until(lock, queue_.front().enqueued_at + options_.max_latency, urgent);
  const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), options_.batch_rows));
  std::deque<Item> batch(std::make_move_iterator(queue_.begin()),
                         std::make_move_iterator(queue_.begin() + n));
  queue_.erase(queue_.begin(), queue_.begin() + n);
  return batch;
}

// Sleeps for the backoff, but retries at once when shutdown begins and never sleeps past the
// shutdown budget.
void WriteBehindQueue::wait_before_retry(std::unique_lock<std::mutex>& lock,
                                         std::chrono::milliseconds backoff) {
  const bool was_stopping = stopping_;
  const auto retry_at = SteadyClock::now() + backoff;
  writer_wake_.wait_until(lock, stopping_ ? std::min(retry_at, drain_deadline_) : retry_at,
                          [&] { return stopping_ != was_stopping; });
}

void WriteBehindQueue::commit(const std::deque<Item>& batch) {
  WriteBatch rows;
  for (const auto& item : batch) {
    std::visit(Overloaded{[&](const CrossingRow& r) { rows.crossings.push_back(r); },
                          [&](const OccupancySnapshot& r) { rows.snapshots.push_back(r); },
                          [&](const MetricRow& r) { rows.metrics.push_back(r); }},
               item.row);
  }
  auto backoff = options_.initial_backoff;
  for (Status st = store_.write(rows); !st.ok(); st = store_.write(rows)) {
    std::unique_lock lock(mutex_);
    ++stats_.failed_commits;
    stats_.last_error = st.error().message;
    // Past the shutdown budget the rows are abandoned; crossings stay in the spool.
    if (drain_expired()) return;
    wait_before_retry(lock, backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  Status spooled = spool_ ? spool_->mark_committed(rows.crossings.size()) : Status{};
  {
    std::lock_guard lock(mutex_);
    committed_total_ += batch.size();
    ++stats_.committed_batches;
    stats_.committed_rows += static_cast<int64_t>(batch.size());
    stats_.last_error = spooled.ok() ? "" : spooled.error().message;
  }
  committed_cv_.notify_all();
}

}  // namespace fai
