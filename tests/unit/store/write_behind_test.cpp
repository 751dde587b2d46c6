// WriteBehindQueue against the backend this binary targets: batching, draining, outages,
// back-pressure and crash recovery through the crossing spool.

#include "store/write_behind.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "store_fixture.h"

namespace fai::test {
namespace {

using namespace std::chrono_literals;
using Dir = CrossingDirection;

class WriteBehindTest : public StoreFixture {
 protected:
  WriteBehindOptions options() const {
    WriteBehindOptions o;
    o.batch_rows = 10;
    o.max_latency = 20ms;
    o.initial_backoff = 20ms;
    o.max_backoff = 100ms;
    o.shutdown_drain = 5s;
    o.spool_path = dir_ + "/crossings.spool";
    return o;
  }

  std::unique_ptr<WriteBehindQueue> start(Store& store, const WriteBehindOptions& o) {
    auto queue = WriteBehindQueue::start(store, o);
    if (!queue.ok()) {
      ADD_FAILURE() << queue.error().message;
      return nullptr;
    }
    return std::move(*queue);
  }

  // Runs `child` in a forked process that must end in crash(); the parent checks it did.
  void run_crashing_child(const std::function<void()>& child) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      child();
      ::_exit(3);  // child() returned: its destructors already flushed, the test is void
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  }

  // kill -9 of the current process: no destructor runs, nothing is flushed.
  static void crash() { ::kill(::getpid(), SIGKILL); }

  // Polls until `done` holds or two seconds pass.
  static bool eventually(const std::function<bool()>& done) {
    for (auto until = std::chrono::steady_clock::now() + 2s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(5ms)) {
      if (done()) return true;
    }
    return done();
  }
};

TEST_P(WriteBehindTest, CommitsInBatchesOfAtMostBatchRows) {
  auto store = open();
  ASSERT_TRUE(store);
  auto queue = start(*store, options());
  ASSERT_TRUE(queue);
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(queue->try_enqueue(metric("cam", i, 1, i)));
  ASSERT_TRUE(queue->flush(5s).ok());
  const auto stats = queue->stats();
  EXPECT_EQ(stats.committed_rows, 25);
  EXPECT_GE(stats.committed_batches, 3);
  EXPECT_EQ(stats.queued_rows, 0);
  EXPECT_EQ(count("system_metrics"), 25);
}

TEST_P(WriteBehindTest, ALoneRowIsCommittedAfterMaxLatencyWithoutFlush) {
  auto store = open();
  ASSERT_TRUE(store);
  auto queue = start(*store, options());
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->try_enqueue(OccupancySnapshot{"cam", 1, 1, 0, at_ms(0)}));
  EXPECT_TRUE(eventually([&] { return queue->stats().committed_rows == 1; }));
  EXPECT_EQ(count("occupancy_logs"), 1);
}

TEST_P(WriteBehindTest, DestructorDrainsEveryRowKind) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto o = options();
    o.max_latency = 1h;  // only shutdown makes the writer commit
    auto queue = start(*store, o);
    ASSERT_TRUE(queue);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(queue->try_enqueue(crossing("cam", i, Dir::kIn, i)));
      ASSERT_TRUE(queue->try_enqueue(OccupancySnapshot{"cam", i, i, 0, at_ms(i)}));
      ASSERT_TRUE(queue->try_enqueue(metric("cam", i, 1, i)));
    }
  }
  EXPECT_EQ(count("line_crossings"), 5);
  EXPECT_EQ(count("occupancy_logs"), 5);
  EXPECT_EQ(count("system_metrics"), 5);
  EXPECT_EQ(std::filesystem::file_size(options().spool_path), 0u);
}

TEST_P(WriteBehindTest, RowsWaitWhileTheDatabaseIsDownAndCommitWhenItReturns) {
  auto store = open();
  ASSERT_TRUE(store);
  auto queue = start(*store, options());
  ASSERT_TRUE(queue);
  db_->make_unavailable();
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(queue->try_enqueue(crossing("cam", i, Dir::kIn, i)));
    ASSERT_TRUE(queue->try_enqueue(metric("cam", i, 1, i)));
  }
  EXPECT_TRUE(eventually([&] { return queue->stats().failed_commits >= 2; }));
  Status early = queue->flush(50ms);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(queue->stats().queued_rows, 30);
  EXPECT_FALSE(queue->stats().last_error.empty());

  db_->make_available();
  Status late = queue->flush(10s);
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_EQ(count("line_crossings"), 15);
  EXPECT_EQ(count("system_metrics"), 15);
  EXPECT_EQ(queue->stats().spool_rows, 0);
  EXPECT_TRUE(queue->stats().last_error.empty());
}

TEST_P(WriteBehindTest, FullQueueRejectsWithoutBlockingAndAcceptsAgainAfterCommit) {
  auto store = open();
  ASSERT_TRUE(store);
  auto o = options();
  o.capacity_rows = 5;
  auto queue = start(*store, o);
  ASSERT_TRUE(queue);
  db_->make_unavailable();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue->try_enqueue(metric("cam", i, 1, i)));
  const auto before = std::chrono::steady_clock::now();
  EXPECT_FALSE(queue->try_enqueue(metric("cam", 5, 1, 5)));
  EXPECT_FALSE(queue->try_enqueue(crossing("cam", 5, Dir::kIn, 5)));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 50ms);
  EXPECT_EQ(queue->stats().rejected_rows, 2);
  EXPECT_EQ(queue->stats().spool_rows, 0);  // a rejected crossing is not spooled

  db_->make_available();
  ASSERT_TRUE(queue->flush(10s).ok());
  EXPECT_TRUE(queue->try_enqueue(metric("cam", 6, 1, 6)));
  ASSERT_TRUE(queue->flush(10s).ok());
  EXPECT_EQ(count("system_metrics"), 6);
}

TEST_P(WriteBehindTest, ConcurrentProducersLoseNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  auto queue = start(*store, options());
  ASSERT_TRUE(queue);
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(queue->try_enqueue(crossing("cam" + std::to_string(p), i, Dir::kIn, i)));
        EXPECT_TRUE(queue->try_enqueue(metric("cam", p * 100 + i, 1, i)));
      }
    });
  }
  for (auto& t : producers) t.join();
  ASSERT_TRUE(queue->flush(10s).ok());
  EXPECT_EQ(count("line_crossings"), 100);
  EXPECT_EQ(count("system_metrics"), 100);
  EXPECT_EQ(queue->stats().spool_rows, 0);
}

TEST_P(WriteBehindTest, SpooledCrossingsSurviveKillAndArriveOnceAfterRestart) {
  auto store = open();
  ASSERT_TRUE(store);
  store.reset();  // the child opens its own connection
  run_crashing_child([&] {
    auto child_store = open_store(config());
    auto o = options();
    o.max_latency = 1h;
    o.batch_rows = 1000;
    auto queue = WriteBehindQueue::start(**child_store, o);
    for (int i = 0; i < 20; ++i) {
      if (!(*queue)->try_enqueue(crossing("cam", i, Dir::kIn, i))) ::_exit(4);
    }
    crash();
  });
  EXPECT_EQ(count("line_crossings"), 0);

  store = open();
  ASSERT_TRUE(store);
  auto queue = start(*store, options());
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->stats().replayed_rows, 20);
  ASSERT_TRUE(queue->flush(10s).ok());
  EXPECT_EQ(count("line_crossings"), 20);
  EXPECT_EQ(queue->stats().spool_rows, 0);
}

TEST_P(WriteBehindTest, ReplayOfAlreadyCommittedCrossingsDoesNotDuplicateThem) {
  const std::string spool = options().spool_path;
  run_crashing_child([&] {
    auto child_store = open_store(config());
    auto o = options();
    o.max_latency = 1h;
    o.batch_rows = 1000;
    auto queue = WriteBehindQueue::start(**child_store, o);
    for (int i = 0; i < 12; ++i) (*queue)->try_enqueue(crossing("cam", i, Dir::kOut, i));
    // The spool as it was just before the commit: a crash between commit and truncation.
    std::filesystem::copy_file(spool, spool + ".before-commit");
    if (!(*queue)->flush(10s).ok()) ::_exit(4);
    crash();
  });
  EXPECT_EQ(count("line_crossings"), 12);
  std::filesystem::rename(spool + ".before-commit", spool);

  auto store = open();
  ASSERT_TRUE(store);
  auto queue = start(*store, options());
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->stats().replayed_rows, 12);
  ASSERT_TRUE(queue->flush(10s).ok());
  EXPECT_EQ(count("line_crossings"), 12);
}

FAI_STORE_SUITE_FOR_THIS_BACKEND(WriteBehindTest);

}  // namespace
}  // namespace fai::test
