// The vehicle lists and the visit ledger on this binary's backend (SQLite or PostgreSQL).

#include "store/vehicle_store.h"

#include <algorithm>

#include "store_fixture.h"

namespace fai::test {
namespace {

class VehicleStoreTest : public StoreFixture {
 protected:
  std::unique_ptr<VehicleStore> open_vehicles() {
    if (!open()) return nullptr;  // applies the migrations
    auto vehicles = VehicleStore::open(config());
    if (!vehicles) {
      ADD_FAILURE() << vehicles.error().message;
      return nullptr;
    }
    return std::move(*vehicles);
  }
};

VehicleEntry entry(const std::string& plate, PlateList list) {
  VehicleEntry e;
  e.plate_number = plate;
  e.list = list;
  e.vehicle_type = "truck";
  e.owner = "Acme Logistics";
  e.note = "night deliveries";
  return e;
}

VehicleVisit visit(const std::string& key, long long entry_ms) {
  VehicleVisit v;
  v.visit_key = key;
  v.camera_id = "gate";
  v.track_id = 7;
  v.vehicle_type = "car";
  v.entry_time = at_ms(entry_ms);
  v.status = "unread";
  return v;
}

TEST_P(VehicleStoreTest, ListEntriesRoundTrip) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  VehicleEntry e = entry("KA01AB1234", PlateList::kBlacklist);
  e.valid_from = at_ms(0);
  e.valid_until = at_ms(86400000);
  const uint64_t generation = store->generation();
  auto added = store->add(e);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_GT(store->generation(), generation);
  auto got = store->get("KA01AB1234");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, *added);
  EXPECT_EQ(got->list, PlateList::kBlacklist);
  EXPECT_EQ(got->valid_until, at_ms(86400000));
  EXPECT_EQ(count("vehicles"), 1);
  EXPECT_EQ(db_->scalar("SELECT whitelist FROM vehicles"), "0");  // the seed's column follows
}

TEST_P(VehicleStoreTest, DuplicatePlateIsAConflictAndUnknownPlateNotFound) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add(entry("MH12DE1433", PlateList::kWhitelist)));
  auto again = store->add(entry("MH12DE1433", PlateList::kBlacklist));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store->get("NOPE1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->update(entry("NOPE1", PlateList::kWhitelist)).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store->remove("NOPE1").error().code, ErrorCode::kNotFound);
}

TEST_P(VehicleStoreTest, UpdateReplacesFieldsAndClearsTheWindow) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  VehicleEntry e = entry("DL3CAB9876", PlateList::kWhitelist);
  e.valid_until = at_ms(1000);
  auto added = store->add(e);
  ASSERT_TRUE(added);
  e.list = PlateList::kBlacklist;
  e.owner = "";
  e.valid_until.reset();
  auto updated = store->update(e);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->created_at, added->created_at);
  auto got = store->get("DL3CAB9876");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->list, PlateList::kBlacklist);
  EXPECT_EQ(got->owner, "");
  EXPECT_FALSE(got->valid_until);
  ASSERT_TRUE(store->remove("DL3CAB9876"));
  EXPECT_EQ(count("vehicles"), 0);
}

TEST_P(VehicleStoreTest, ListFiltersByListAndTextAndPages) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  for (const char* p : {"AA11", "BB22", "CC33", "DD44"}) {
    ASSERT_TRUE(store->add(entry(p, p[0] < 'C' ? PlateList::kWhitelist : PlateList::kBlacklist)));
  }
  VehicleEntry owned = entry("EE55", PlateList::kWhitelist);
  owned.owner = "Maria Rossi";
  ASSERT_TRUE(store->add(owned));
  auto black = store->list({PlateList::kBlacklist, "", 100, 0});
  ASSERT_TRUE(black);
  EXPECT_EQ(black->total, 2);
  ASSERT_EQ(black->rows.size(), 2u);
  EXPECT_EQ(black->rows[0].plate_number, "CC33");
  auto by_owner = store->list({std::nullopt, "rossi", 100, 0});
  ASSERT_TRUE(by_owner);
  ASSERT_EQ(by_owner->rows.size(), 1u);
  EXPECT_EQ(by_owner->rows[0].plate_number, "EE55");
  auto page = store->list({std::nullopt, "", 2, 2});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->rows[0].plate_number, "CC33");
  auto all = store->all_entries();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 5u);
}

// The same visit written again (a retry, a replay after a restart) updates its one row; the
// entry time, once written, stays.
TEST_P(VehicleStoreTest, VisitWritesAreIdempotentByVisitKey) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  VehicleVisit v = visit("gate/7/in/1764000000000", 0);
  ASSERT_TRUE(store->record_visit(v));
  ASSERT_TRUE(store->record_visit(v));
  v.plate_number = "KA01AB1234";
  v.status = "whitelisted";
  v.matched_plate = "KA01AB1234";
  v.ocr_confidence = 0.93f;
  v.entry_time = at_ms(5000);  // a later write cannot move the entry
  ASSERT_TRUE(store->record_visit(v));
  v.exit_time = at_ms(60000);
  ASSERT_TRUE(store->record_visit(v));
  ASSERT_TRUE(store->record_visit(v));
  EXPECT_EQ(count("vehicle_logs"), 1);
  auto page = store->visits({});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->rows.size(), 1u);
  const VehicleVisit& got = page->rows[0];
  EXPECT_EQ(got.plate_number, "KA01AB1234");
  EXPECT_EQ(got.status, "whitelisted");
  EXPECT_EQ(got.matched_plate, "KA01AB1234");
  EXPECT_EQ(got.entry_time, at_ms(0));
  EXPECT_EQ(got.exit_time, at_ms(60000));
  EXPECT_NEAR(got.ocr_confidence, 0.93f, 1e-6);
  EXPECT_GT(got.id, 0);
}

TEST_P(VehicleStoreTest, VisitsFilterByPlateStatusCameraAndTime) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  for (int i = 0; i < 6; ++i) {
    VehicleVisit v = visit("k" + std::to_string(i), i * 1000);
    v.camera_id = i % 2 ? "gate" : "yard";
    v.plate_number = i < 3 ? "AB123" : "";
    v.status = i < 3 ? "unknown" : "unread";
    ASSERT_TRUE(store->record_visit(v));
  }
  VehicleVisit exit_only;  // an exit whose entry was never seen: filtered on its exit time
  exit_only.visit_key = "exit";
  exit_only.camera_id = "gate";
  exit_only.plate_number = "ZZ999";
  exit_only.status = "blacklisted";
  exit_only.matched_plate = "ZZ999";
  exit_only.exit_time = at_ms(10000);
  ASSERT_TRUE(store->record_visit(exit_only));

  auto by_plate = store->visits({"AB123", "", "", std::nullopt, std::nullopt, 100, 0});
  ASSERT_TRUE(by_plate);
  EXPECT_EQ(by_plate->total, 3);
  auto unread_gate = store->visits({"", "unread", "gate", std::nullopt, std::nullopt, 100, 0});
  ASSERT_TRUE(unread_gate);
  EXPECT_EQ(unread_gate->total, 2);  // k3, k5
  auto window = store->visits({"", "", "", at_ms(2000), at_ms(11000), 100, 0});
  ASSERT_TRUE(window);
  EXPECT_EQ(window->total, 5);  // k2..k5 and the exit at 10 s
  ASSERT_EQ(window->rows.size(), 5u);
  EXPECT_EQ(window->rows.back().visit_key, "exit");
  EXPECT_FALSE(window->rows.back().entry_time);
  auto paged = store->visits({"", "", "", std::nullopt, std::nullopt, 2, 1});
  ASSERT_TRUE(paged);
  EXPECT_EQ(paged->total, 7);
  ASSERT_EQ(paged->rows.size(), 2u);
  EXPECT_EQ(paged->rows[0].visit_key, "k1");
}

TEST_P(VehicleStoreTest, OpenVisitsAreThoseWithAPlateAndNoExitNewestFirst) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  VehicleVisit a = visit("a", 0), b = visit("b", 1000), c = visit("c", 2000), d = visit("d", 3000);
  a.plate_number = "AAA111";
  b.plate_number = "BBB222";
  c.plate_number = "CCC333";
  c.exit_time = at_ms(2500);  // closed
  // d is unread
  for (const auto& v : {a, b, c, d}) ASSERT_TRUE(store->record_visit(v));
  auto open = store->open_visits("gate", at_ms(0), 10);
  ASSERT_TRUE(open) << open.error().message;
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].visit_key, "b");
  EXPECT_EQ((*open)[1].visit_key, "a");
  auto other = store->open_visits("yard", at_ms(0), 10);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty());
}

// Start-up recovery's columns (migration 5): the last sighting and the closing reason round-trip,
// and a later write that carries neither keeps the row's.
TEST_P(VehicleStoreTest, LastSeenAndClosedReasonRoundTripAndSurviveLaterWrites) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  VehicleVisit v = visit("yard/7/seen/1764000000000", 0);
  v.camera_id = "yard";
  v.last_seen = at_ms(42000);
  ASSERT_TRUE(store->record_visit(v));
  v.last_seen.reset();  // e.g. a write from an older spool line
  ASSERT_TRUE(store->record_visit(v));
  auto open = store->all_open_visits();
  ASSERT_TRUE(open) << open.error().message;
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].last_seen, at_ms(42000));
  EXPECT_EQ((*open)[0].closed_reason, "");

  v = (*open)[0];
  v.exit_time = v.last_seen;
  v.closed_reason = "restart";
  ASSERT_TRUE(store->record_visit(v));
  v.closed_reason.clear();
  ASSERT_TRUE(store->record_visit(v));
  auto page = store->visits({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].closed_reason, "restart");
  EXPECT_EQ(page->rows[0].exit_time, at_ms(42000));
  EXPECT_EQ(page->rows[0].last_seen, at_ms(42000));
  EXPECT_EQ(count("vehicle_logs"), 1);
}

// The expiry sweep and a gate exit can write one visit in either order: the exit wins both ways.
TEST_P(VehicleStoreTest, AnExitWinsOverAnExpiryInEitherOrder) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  for (const bool exit_first : {true, false}) {
    VehicleVisit v = visit(exit_first ? "gate/1/in/0" : "gate/2/in/0", 0);
    v.plate_number = "AAA111";
    ASSERT_TRUE(store->record_visit(v));
    VehicleVisit left = v, expired = v;
    left.exit_time = at_ms(5000);
    expired.closed_reason = "expired";  // read while open: no exit
    for (const VehicleVisit& w :
         exit_first ? std::vector{left, expired} : std::vector{expired, left}) {
      ASSERT_TRUE(store->record_visit(w));
    }
    VisitQuery query;
    query.plate = "AAA111";
    auto page = store->visits(query);
    ASSERT_TRUE(page) << page.error().message;
    auto row = std::find_if(page->rows.begin(), page->rows.end(),
                            [&](const VehicleVisit& r) { return r.visit_key == v.visit_key; });
    ASSERT_NE(row, page->rows.end());
    EXPECT_EQ(row->exit_time, at_ms(5000)) << "exit first: " << exit_first;
    EXPECT_EQ(row->closed_reason, "") << "exit first: " << exit_first;
  }
  // An expiry with no exit to meet still closes the visit.
  VehicleVisit stale = visit("gate/3/in/0", 0);
  ASSERT_TRUE(store->record_visit(stale));
  stale.closed_reason = "expired";
  ASSERT_TRUE(store->record_visit(stale));
  auto open = store->open_visits_entered_before(at_ms(1000));
  ASSERT_TRUE(open) << open.error().message;
  EXPECT_TRUE(open->empty());
}

// A visit closed at start-up without an exit is not open: it is never paired with an exit and
// never closed twice. Entries older than the pairing window are not offered for pairing.
TEST_P(VehicleStoreTest, ClosedVisitsAndOldEntriesAreNotOpen) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  VehicleVisit old_entry = visit("gate/1/in/0", 0), expired = visit("gate/2/in/1000", 1000),
               recent = visit("gate/3/in/90000000", 90000000), unread = visit("yard/4/seen/5", 5);
  old_entry.plate_number = "AAA111";
  expired.plate_number = "BBB222";
  expired.closed_reason = "expired";
  recent.plate_number = "CCC333";
  unread.camera_id = "yard";
  for (const auto& v : {old_entry, expired, recent, unread}) ASSERT_TRUE(store->record_visit(v));

  auto pairable = store->open_visits("gate", at_ms(3600000), 10);
  ASSERT_TRUE(pairable) << pairable.error().message;
  ASSERT_EQ(pairable->size(), 1u);
  EXPECT_EQ((*pairable)[0].visit_key, "gate/3/in/90000000");
  auto all = store->open_visits("gate", at_ms(0), 10);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);  // not the expired one

  auto open = store->all_open_visits();  // every camera, read or not, oldest first
  ASSERT_TRUE(open) << open.error().message;
  ASSERT_EQ(open->size(), 3u);
  EXPECT_EQ((*open)[0].visit_key, "gate/1/in/0");
  EXPECT_EQ((*open)[1].visit_key, "yard/4/seen/5");
  EXPECT_EQ((*open)[2].visit_key, "gate/3/in/90000000");
}

// The running analyzer's sweep of expired gate entries: the open visits of every camera, read
// or not, that entered before the cut-off (not at it), oldest first; closed visits (by an exit
// or a reason) and younger ones are not among them.
TEST_P(VehicleStoreTest, OpenVisitsEnteredBeforeACutOffAreTheOpenOlderOnes) {
  auto store = open_vehicles();
  ASSERT_TRUE(store);
  VehicleVisit old_entry = visit("gate/1/in/0", 0), expired = visit("gate/2/in/1000", 1000),
               left = visit("gate/3/in/2000", 2000), unread = visit("yard/4/seen/5", 5),
               at_cut_off = visit("gate/5/in/3600000", 3600000),
               recent = visit("gate/6/in/90000000", 90000000);
  old_entry.plate_number = "AAA111";
  expired.closed_reason = "expired";
  left.exit_time = at_ms(2500);
  unread.camera_id = "yard";
  for (const auto& v : {old_entry, expired, left, unread, at_cut_off, recent}) {
    ASSERT_TRUE(store->record_visit(v));
  }
  auto open = store->open_visits_entered_before(at_ms(3600000));
  ASSERT_TRUE(open) << open.error().message;
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].visit_key, "gate/1/in/0");
  EXPECT_EQ((*open)[0].plate_number, "AAA111");
  EXPECT_EQ((*open)[1].visit_key, "yard/4/seen/5");
  auto none = store->open_visits_entered_before(at_ms(0));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

FAI_STORE_SUITE_FOR_THIS_BACKEND(VehicleStoreTest);

}  // namespace
}  // namespace fai::test
