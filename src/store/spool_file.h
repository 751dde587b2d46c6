#pragma once
// The file operations the store's spools share (the crossing spool, the visit spool): whole
// writes, atomic replacement, whole reads. Errors are kUnavailable naming the file and errno.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/expected.h"

namespace fai::spool_file {

Error io_error(const std::string& what, const std::string& path);
// Writes all of `data` to `fd` (retrying short writes and EINTR).
Status write_all(int fd, const std::string& data, const std::string& path);
// Replaces `path` with `content` so that a crash leaves either the old or the new file.
Status replace_file(const std::string& path, const std::string& content);
// The whole file; "" when it does not exist.
std::string read_file(const std::string& path);
// Opens `path` (created when absent) for appending after keeping only its complete lines that
// `keep` accepts: a torn last line (its append never returned) and lines of another version go,
// and the file is rewritten only when something went. `kept_line_bytes` gets each kept line's
// size, its '\n' included, oldest first. Returns the descriptor.
Expected<int> open_for_append(const std::string& path,
                              const std::function<bool(const std::string& line)>& keep,
                              std::vector<uint64_t>& kept_line_bytes);
// Appends `line` (ending in '\n') and syncs it. A failed write is cut back to `file_bytes`, the
// length before it, so that a partial line never glues onto the next append.
Status append_line(int fd, const std::string& line, uint64_t file_bytes, const std::string& path);

}  // namespace fai::spool_file
