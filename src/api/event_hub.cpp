#include "api/event_hub.h"

#include <algorithm>

namespace fai::api {

std::string format_sse(const LiveEvent& event) {
  return "event: " + event.type + "\ndata: " + event.data + "\n\n";
}

std::optional<std::vector<LiveEvent>> Subscriber::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
  if (closed_) return std::nullopt;
  std::vector<LiveEvent> out(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

int64_t Subscriber::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

bool Subscriber::push(const LiveEvent& event) {
  bool kept_all = true;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
      queue_.pop_front();
      ++dropped_;
      kept_all = false;
    }
    queue_.push_back(event);
  }
  cv_.notify_one();
  return kept_all;
}

void Subscriber::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::shared_ptr<Subscriber> EventHub::subscribe() {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [](const auto& w) { return w.expired(); });
  if (closed_ || subscribers_.size() >= max_subscribers_) return nullptr;
  auto subscriber = std::make_shared<Subscriber>(queue_capacity_);
  subscribers_.push_back(subscriber);
  return subscriber;
}

std::vector<std::shared_ptr<Subscriber>> EventHub::live_subscribers() {
  std::vector<std::shared_ptr<Subscriber>> out;
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [&](const auto& w) {
    auto s = w.lock();
    if (!s) return true;
    out.push_back(std::move(s));
    return false;
  });
  return out;
}

// Pushes outside the hub's lock, so subscribing never waits on a busy subscriber queue.
void EventHub::publish(const LiveEvent& event) {
  int64_t dropped = 0;
  for (const auto& s : live_subscribers()) dropped += s->push(event) ? 0 : 1;
  std::lock_guard lock(mutex_);
  ++published_;
  dropped_ += dropped;
}

void EventHub::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  for (const auto& s : live_subscribers()) s->close();
}

EventHubStats EventHub::stats() const {
  std::lock_guard lock(mutex_);
  EventHubStats s;
  s.subscribers = static_cast<size_t>(std::count_if(subscribers_.begin(), subscribers_.end(),
                                                    [](const auto& w) { return !w.expired(); }));
  s.published = published_;
  s.dropped = dropped_;
  return s;
}

}  // namespace fai::api
