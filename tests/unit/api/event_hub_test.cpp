// The live-event fan-out: bounded queues that drop the oldest, a subscriber cap, close().

#include "api/event_hub.h"

#include <gtest/gtest.h>

#include <thread>

namespace fai::api {
namespace {

using std::chrono::milliseconds;

LiveEvent event(int i) {
  return {"frame", "{\"i\":" + std::to_string(i) + "}"};
}

std::vector<std::string> data_of(const std::vector<LiveEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.data);
  return out;
}

TEST(EventHub, FormatsServerSentEvents) {
  EXPECT_EQ(format_sse({"crossing", "{\"a\":1}"}), "event: crossing\ndata: {\"a\":1}\n\n");
}

TEST(EventHub, EverySubscriberGetsEveryEventInOrder) {
  EventHub hub(8, 4);
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  ASSERT_TRUE(a && b);
  for (int i = 0; i < 3; ++i) hub.publish(event(i));
  for (auto* s : {&a, &b}) {
    auto got = (*s)->wait(milliseconds(0));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(data_of(*got), (std::vector<std::string>{"{\"i\":0}", "{\"i\":1}", "{\"i\":2}"}));
  }
  EXPECT_EQ(hub.stats().published, 3);
  EXPECT_EQ(hub.stats().subscribers, 2u);
}

TEST(EventHub, ASlowSubscriberLosesItsOldestEventsOnly) {
  EventHub hub(3, 4);
  auto slow = hub.subscribe();
  auto fast = hub.subscribe();
  for (int i = 0; i < 5; ++i) {
    hub.publish(event(i));
    ASSERT_EQ(fast->wait(milliseconds(0))->size(), 1u);
  }
  auto got = slow->wait(milliseconds(0));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(data_of(*got), (std::vector<std::string>{"{\"i\":2}", "{\"i\":3}", "{\"i\":4}"}));
  EXPECT_EQ(slow->dropped(), 2);
  EXPECT_EQ(fast->dropped(), 0);
  EXPECT_EQ(hub.stats().dropped, 2);
}

TEST(EventHub, RefusesSubscribersOverTheCapUntilOneLeaves) {
  EventHub hub(4, 2);
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  EXPECT_EQ(hub.subscribe(), nullptr);
  a.reset();  // a closed stream releases its subscriber
  EXPECT_NE(hub.subscribe(), nullptr);
  EXPECT_EQ(hub.stats().subscribers, 1u);  // the new one was released again at once
}

TEST(EventHub, WaitTimesOutEmptyAndWakesOnPublish) {
  EventHub hub;
  auto s = hub.subscribe();
  auto none = s->wait(milliseconds(1));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  std::thread publisher([&] { hub.publish(event(7)); });
  auto got = s->wait(milliseconds(10000));
  publisher.join();
  ASSERT_TRUE(got.has_value());
  if (got->empty()) got = s->wait(milliseconds(10000));  // woken before the push landed
  ASSERT_EQ(got->size(), 1u);
}

TEST(EventHub, CloseEndsEveryWaitAndRefusesNewSubscribers) {
  EventHub hub;
  auto s = hub.subscribe();
  std::optional<std::vector<LiveEvent>> result = std::vector<LiveEvent>{};
  std::thread waiter([&] { result = s->wait(milliseconds(60000)); });
  hub.close();
  waiter.join();
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(hub.subscribe(), nullptr);
}

}  // namespace
}  // namespace fai::api
