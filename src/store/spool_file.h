#pragma once
// The file operations the store's spools share (the crossing spool, the visit spool): whole
// writes, atomic replacement, whole reads. Errors are kUnavailable naming the file and errno.

#include <string>

#include "core/expected.h"

namespace fai::spool_file {

Error io_error(const std::string& what, const std::string& path);
// Writes all of `data` to `fd` (retrying short writes and EINTR).
Status write_all(int fd, const std::string& data, const std::string& path);
// Replaces `path` with `content` so that a crash leaves either the old or the new file.
Status replace_file(const std::string& path, const std::string& content);
// The whole file; "" when it does not exist.
std::string read_file(const std::string& path);

}  // namespace fai::spool_file
