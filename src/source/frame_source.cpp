#include "source/frame_source.h"

#include <algorithm>
#include <filesystem>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <opencv2/videoio.hpp>

namespace fai {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool is_image_path(const fs::path& p) {
  static const std::vector<std::string> kExt = {".jpg",  ".jpeg", ".png", ".bmp",
                                                ".webp", ".tif",  ".tiff"};
  return std::find(kExt.begin(), kExt.end(), lower_extension(p)) != kExt.end();
}

class ImageListSource : public FrameSource {
 public:
  ImageListSource(std::vector<std::string> paths, SourceOptions options)
      : paths_(std::move(paths)), options_(std::move(options)) {}

  Expected<std::optional<Frame>> next() override {
    if (index_ >= paths_.size()) return std::optional<Frame>{};
    const std::string& path = paths_[index_];
    Frame frame{
        options_.camera, static_cast<int64_t>(index_++), std::chrono::system_clock::now(), {}};
    auto image = read_image(path, options_.limits);
    if (!image) return image.error();
    frame.image = std::move(*image);
    return std::optional<Frame>{std::move(frame)};
  }
  std::optional<int64_t> total_frames() const override {
    return static_cast<int64_t>(paths_.size());
  }
  std::string describe() const override {
    return paths_.size() == 1 ? paths_[0] : std::to_string(paths_.size()) + " images";
  }

 private:
  std::vector<std::string> paths_;
  SourceOptions options_;
  size_t index_ = 0;
};

cv::VideoCapture open_capture(const std::string& input, const SourceOptions& options) {
  const int timeout_ms = static_cast<int>(options.open_timeout.count());
  return cv::VideoCapture(
      input, cv::CAP_FFMPEG,
      {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms, cv::CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms});
}

class VideoFileSource : public FrameSource {
 public:
  VideoFileSource(std::string path, cv::VideoCapture capture, SourceOptions options)
      : path_(std::move(path)), capture_(std::move(capture)), options_(std::move(options)) {}

  Expected<std::optional<Frame>> next() override {
    cv::Mat image;
    if (!capture_.read(image) || image.empty()) return std::optional<Frame>{};
    return std::optional<Frame>{
        Frame{options_.camera, seq_++, std::chrono::system_clock::now(), std::move(image)}};
  }
  std::optional<int64_t> total_frames() const override {
    const double n = capture_.get(cv::CAP_PROP_FRAME_COUNT);
    return n > 0 ? std::optional<int64_t>(static_cast<int64_t>(n)) : std::nullopt;
  }
  std::string describe() const override { return path_; }

 private:
  std::string path_;
  cv::VideoCapture capture_;
  SourceOptions options_;
  int64_t seq_ = 0;
};

// A live stream: a failed read closes the capture and reopens it with exponential backoff.
class StreamSource : public FrameSource {
 public:
  StreamSource(std::string url, SourceOptions options)
      : url_(std::move(url)), options_(std::move(options)) {}

  Expected<std::optional<Frame>> next() override {
    cv::Mat image;
    while (!capture_.isOpened() || !capture_.read(image) || image.empty()) {
      if (auto st = reconnect(); !st) return st.error();
    }
    failures_ = 0;
    return std::optional<Frame>{
        Frame{options_.camera, seq_++, std::chrono::system_clock::now(), std::move(image)}};
  }
  std::optional<int64_t> total_frames() const override { return std::nullopt; }
  std::string describe() const override { return url_; }

 private:
  Status reconnect() {
    if (options_.max_reconnects >= 0 && failures_ > options_.max_reconnects) {
      return make_error(ErrorCode::kUnavailable, "stream " + url_ + " unavailable after " +
                                                     std::to_string(failures_) + " attempts");
    }
    if (failures_ > 0) {
      const auto backoff = std::min(options_.max_backoff,
                                    options_.initial_backoff * (1 << std::min(failures_ - 1, 16)));
      spdlog::warn("stream {}: reconnecting in {} ms (attempt {})", url_, backoff.count(),
                   failures_);
      std::this_thread::sleep_for(backoff);
    }
    ++failures_;
    capture_.release();
    capture_ = open_capture(url_, options_);
    return {};
  }

  std::string url_;
  SourceOptions options_;
  cv::VideoCapture capture_;
  int failures_ = 0;
  int64_t seq_ = 0;
};

Expected<std::vector<std::string>> list_images(const fs::path& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && is_image_path(entry.path())) paths.push_back(entry.path());
  }
  if (ec)
    return make_error(ErrorCode::kNotFound, "cannot list " + dir.string() + ": " + ec.message());
  if (paths.empty()) return make_error(ErrorCode::kNotFound, "no images in folder " + dir.string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

bool is_stream_url(const std::string& input) {
  return input.find("://") != std::string::npos;
}

Expected<std::unique_ptr<FrameSource>> open_source(const std::string& input,
                                                   const SourceOptions& options) {
  if (is_stream_url(input)) {
    static const std::vector<std::string> kSchemes = {"rtsp://", "rtsps://", "http://", "https://",
                                                      "rtmp://", "udp://",   "tcp://"};
    const bool known = std::any_of(kSchemes.begin(), kSchemes.end(),
                                   [&](const std::string& s) { return input.rfind(s, 0) == 0; });
    if (!known) return make_error(ErrorCode::kInvalidArgument, "unsupported stream URL: " + input);
    return std::unique_ptr<FrameSource>(std::make_unique<StreamSource>(input, options));
  }
  const fs::path path(input);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    auto images = list_images(path);
    if (!images) return images.error();
    return std::unique_ptr<FrameSource>(std::make_unique<ImageListSource>(*images, options));
  }
  if (!fs::exists(path, ec)) return make_error(ErrorCode::kNotFound, "no such file: " + input);
  if (is_image_path(path)) {
    return std::unique_ptr<FrameSource>(
        std::make_unique<ImageListSource>(std::vector<std::string>{input}, options));
  }
  cv::VideoCapture capture = open_capture(input, options);
  if (!capture.isOpened()) {
    return make_error(ErrorCode::kInvalidArgument, "not a readable image or video: " + input);
  }
  return std::unique_ptr<FrameSource>(
      std::make_unique<VideoFileSource>(input, std::move(capture), options));
}

}  // namespace fai
