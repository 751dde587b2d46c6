#pragma once
// Frame sources: a single image, a folder of images, a video file, or a network stream
// (rtsp://, http://) that reconnects with exponential backoff when it drops.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/expected.h"
#include "image/frame.h"
#include "image/image_io.h"

namespace fai {

struct SourceOptions {
  std::string camera = "cam0";
  ImageLimits limits;
  int max_reconnects = -1;  // streams only; -1 = retry for ever
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds open_timeout{5000};
};

// Yields frames in order. next() returns nullopt at the end of a finite input and an Error
// when a frame or the source is unusable (a finite source may continue after a bad image).
// Not thread-safe: one consumer.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual Expected<std::optional<Frame>> next() = 0;
  virtual std::optional<int64_t> total_frames() const = 0;  // nullopt for live streams
  virtual std::string describe() const = 0;
};

bool is_stream_url(const std::string& input);

// Picks the source kind from `input`: URL scheme, directory, video or image extension.
Expected<std::unique_ptr<FrameSource>> open_source(const std::string& input,
                                                   const SourceOptions& options);

}  // namespace fai
