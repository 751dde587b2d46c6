#pragma once
// The vehicle lists and the visit ledger: CRUD /api/vehicles, GET /api/vehicle-logs (filters,
// paging, CSV).

#include <optional>
#include <string>

#include <httplib.h>

#include "core/expected.h"
#include "store/vehicle_store.h"

namespace fai::api {

// Routes answer 503 when `vehicles` is null.
void add_vehicle_routes(httplib::Server& http, VehicleStore* vehicles);

// A plate as users type it ("ka-01 ab 1234") normalised to "KA01AB1234"; kInvalidArgument when
// it holds anything but letters, digits, spaces, dots and dashes, or is not 2..10 characters.
Expected<std::string> parse_plate(const std::string& text);

}  // namespace fai::api
