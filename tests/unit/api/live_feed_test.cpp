// Outcomes into live events: which ones go out, and with the contract's fields.

#include "api/live_feed.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace fai::api {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

FrameOutcome outcome(int64_t frame_id, int64_t entries) {
  FrameOutcome o;
  o.frame_id = frame_id;
  o.camera_id = "door";
  o.timestamp = SystemTime(milliseconds(1764000000250));
  o.counts = {entries, entries, 0};
  o.people_count = 2;
  o.vehicle_count = 1;
  o.times.total_ms = 41.234;
  return o;
}

struct Collected {
  std::vector<std::pair<std::string, json>> events;
  size_t count(const std::string& type) const {
    return std::count_if(events.begin(), events.end(),
                         [&](const auto& e) { return e.first == type; });
  }
};

Collected drain(Subscriber& s) {
  Collected c;
  const auto batch = s.wait(milliseconds(0));
  for (const LiveEvent& e : *batch) {
    c.events.emplace_back(e.type, json::parse(e.data));
  }
  return c;
}

TEST(LiveFeed, AFrameEventCarriesTheContractsFields) {
  EventHub hub;
  auto s = hub.subscribe();
  LiveFeed feed(hub);
  feed.on_outcome(outcome(11, 3));
  const Collected c = drain(*s);
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].first, "frame");
  EXPECT_EQ(c.events[0].second, (json{{"camera_id", "door"},
                                      {"frame_id", 11},
                                      {"timestamp", "2025-11-24T16:00:00.250Z"},
                                      {"occupancy", 3},
                                      {"entries", 3},
                                      {"exits", 0},
                                      {"people_count", 2},
                                      {"vehicle_count", 1},
                                      {"processing_ms", 41.23}}));
}

TEST(LiveFeed, UnchangedFramesAreThrottledChangedOnesAlwaysGoOut) {
  EventHub hub;
  auto s = hub.subscribe();
  LiveFeed feed(hub, std::chrono::hours(1));
  feed.on_outcome(outcome(1, 0));
  feed.on_outcome(outcome(2, 0));  // same counts, within the interval: held back
  feed.on_outcome(outcome(3, 1));  // the counts changed
  const Collected c = drain(*s);
  ASSERT_EQ(c.count("frame"), 2u);
  EXPECT_EQ(c.events[0].second["frame_id"], 1);
  EXPECT_EQ(c.events[1].second["frame_id"], 3);
}

TEST(LiveFeed, CrossingsAlertsAndDecidedFacesGoOutOnce) {
  EventHub hub;
  auto s = hub.subscribe();
  LiveFeed feed(hub);
  FrameOutcome o = outcome(5, 1);
  o.crossings.push_back({42, {"main", CrossingDirection::kIn, coco::kPerson}});
  o.faces_recognized.push_back({42, "E7", "Ada", 0.91f, "local", true});
  o.faces_recognized.push_back({43, "E8", "Bob", 0.80f, "cache", false});  // decided earlier
  o.alerts.push_back({"blacklisted_plate", 9, "plate AB123CD is blacklisted", "AB123CD"});
  feed.on_outcome(o);
  const Collected c = drain(*s);
  ASSERT_EQ(c.count("crossing"), 1u);
  ASSERT_EQ(c.count("face"), 1u);
  ASSERT_EQ(c.count("alert"), 1u);
  for (const auto& [type, data] : c.events) {
    if (type == "crossing") {
      EXPECT_EQ(data, (json{{"camera_id", "door"},
                            {"line_id", "main"},
                            {"track_id", 42},
                            {"direction", "in"},
                            {"class", "person"},
                            {"timestamp", "2025-11-24T16:00:00.250Z"}}));
    } else if (type == "face") {
      EXPECT_EQ(data["employee_id"], "E7");
      EXPECT_EQ(data["name"], "Ada");
      EXPECT_EQ(data["confidence"], 0.91);
      EXPECT_EQ(data["source"], "local");
    } else if (type == "alert") {
      EXPECT_EQ(data["kind"], "blacklisted_plate");
      EXPECT_EQ(data["subject"], "AB123CD");
      EXPECT_EQ(data["track_id"], 9);
    }
  }
}

TEST(LiveFeed, AVehicleGoesOutWhenItsPlateOrStatusChanges) {
  EventHub hub;
  auto s = hub.subscribe();
  LiveFeed feed(hub);
  auto frame = [&](const std::string& plate, const std::string& status) {
    FrameOutcome o = outcome(1, 0);
    Track t;
    t.id = 9;
    t.class_id = coco::kTruck;
    o.tracks.push_back(t);
    o.vehicles_detected.push_back({9, "truck", plate, 0.9f, status});
    feed.on_outcome(o);
  };
  frame("", "unread");
  frame("", "unread");  // nothing new
  frame("AB123CD", "blacklisted");
  frame("AB123CD", "blacklisted");
  const Collected c = drain(*s);
  ASSERT_EQ(c.count("vehicle"), 2u);
  std::vector<json> vehicles;
  for (const auto& [type, data] : c.events) {
    if (type == "vehicle") vehicles.push_back(data);
  }
  EXPECT_EQ(vehicles[1]["plate"], "AB123CD");
  EXPECT_EQ(vehicles[1]["status"], "blacklisted");
  EXPECT_EQ(vehicles[1]["type"], "truck");
  feed.on_outcome(outcome(2, 0));  // the track is gone: its memory too
  frame("AB123CD", "blacklisted");
  EXPECT_EQ(drain(*s).count("vehicle"), 1u);
}

}  // namespace
}  // namespace fai::api
