#pragma once
// Internal to src/config: readers and validators of the sections that live in their own files.

#include <string>
#include <vector>

#include "config/config.h"
#include "config/map_reader.h"

namespace fai::config_detail {

void read_recognition(MapReader&& r, RecognitionConfig& c);
void read_aws(MapReader&& r, AwsConfig& c);
void read_attendance(MapReader&& r, AttendanceConfig& c);
void validate_identity(const RecognitionConfig& rec, const AwsConfig& aws,
                       const AttendanceConfig& att, std::vector<std::string>& problems);

void read_anpr(MapReader&& r, AnprConfig& c);
void validate_anpr(const AnprConfig& c, std::vector<std::string>& problems);

}  // namespace fai::config_detail
