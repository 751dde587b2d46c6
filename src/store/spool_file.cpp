#include "store/spool_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fai::spool_file {

Error io_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kUnavailable,
                    "spool: " + what + " " + path + ": " + std::strerror(errno));
}

Status write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write", path);
    done += static_cast<size_t>(n);
  }
  return {};
}

Status replace_file(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("create", tmp);
  Status st = write_all(fd, content, tmp);
  if (st.ok() && ::fdatasync(fd) != 0) st = io_error("sync", tmp);
  ::close(fd);
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) st = io_error("rename", tmp);
  if (!st.ok()) return st;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);  // makes the rename itself durable
    ::close(dir_fd);
  }
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

Expected<int> open_for_append(const std::string& path,
                              const std::function<bool(const std::string& line)>& keep,
                              std::vector<uint64_t>& kept_line_bytes) {
  const std::string content = read_file(path);
  std::string clean;
  for (size_t start = 0, end; (end = content.find('\n', start)) != std::string::npos;
       start = end + 1) {
    const std::string line = content.substr(start, end - start);
    if (!keep(line)) continue;
    clean += line + "\n";
    kept_line_bytes.push_back(line.size() + 1);
  }
  if (clean != content) {
    if (Status st = replace_file(path, clean); !st.ok()) return st.error();
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("open", path);
  return fd;
}

Status append_line(int fd, const std::string& line, uint64_t file_bytes, const std::string& path) {
  if (Status st = write_all(fd, line, path); !st.ok()) {
    if (::ftruncate(fd, static_cast<off_t>(file_bytes)) != 0) return io_error("truncate", path);
    return st;
  }
  if (::fdatasync(fd) != 0) return io_error("sync", path);
  return {};
}

}  // namespace fai::spool_file
