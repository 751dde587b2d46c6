#pragma once
// Employees, face enrolment and attendance: CRUD /api/employees, POST/DELETE
// /api/employees/{id}/faces, GET /api/attendance (filters, paging, CSV).

#include <httplib.h>

#include "api/employee_service.h"

namespace fai::api {

// Routes answer 503 when `employees` is null.
void add_employee_routes(httplib::Server& http, EmployeeService* employees);

}  // namespace fai::api
