#pragma once
// Fan-out of live events (Server-Sent Events) to the dashboards that are listening. publish()
// never blocks on a subscriber: each has a bounded queue, and a subscriber that falls behind
// loses its oldest events (counted), so one stalled browser cannot hold up the pipeline.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fai::api {

struct LiveEvent {
  std::string type;  // the SSE event name: frame, crossing, face, vehicle, alert
  std::string data;  // one line of JSON
};

// "event: <type>\ndata: <data>\n\n"
std::string format_sse(const LiveEvent& event);

class EventHub;

// One listener's queue. Thread-safe; the hub holds it weakly and drops it when it is destroyed.
class Subscriber {
 public:
  explicit Subscriber(size_t capacity) : capacity_(capacity) {}

  // Waits up to `timeout` for events and takes them all; an empty vector on time-out. nullopt
  // once the hub is closed (the server is stopping).
  std::optional<std::vector<LiveEvent>> wait(std::chrono::milliseconds timeout);
  int64_t dropped() const;

 private:
  friend class EventHub;
  bool push(const LiveEvent& event);  // false when the oldest event had to go
  void close();

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<LiveEvent> queue_;
  int64_t dropped_ = 0;
  bool closed_ = false;
};

struct EventHubStats {
  size_t subscribers = 0;
  int64_t published = 0;
  int64_t dropped = 0;  // events lost by slow subscribers, summed over all that ever listened
};

class EventHub {
 public:
  explicit EventHub(size_t queue_capacity = 256, size_t max_subscribers = 32)
      : queue_capacity_(queue_capacity), max_subscribers_(max_subscribers) {}

  // nullptr when max_subscribers are already listening or the hub is closed.
  std::shared_ptr<Subscriber> subscribe();
  void publish(const LiveEvent& event);
  // Ends every subscription (their wait() returns nullopt) and refuses new ones.
  void close();
  EventHubStats stats() const;

 private:
  std::vector<std::shared_ptr<Subscriber>> live_subscribers();  // prunes the gone ones

  const size_t queue_capacity_;
  const size_t max_subscribers_;
  mutable std::mutex mutex_;
  std::vector<std::weak_ptr<Subscriber>> subscribers_;
  int64_t published_ = 0;
  int64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace fai::api
