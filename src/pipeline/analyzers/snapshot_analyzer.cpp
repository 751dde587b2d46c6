#include "pipeline/analyzers/snapshot_analyzer.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

// BGR colours that stay readable on bright and dark scenes.
const cv::Scalar kPersonColour(80, 200, 60);
const cv::Scalar kVehicleColour(0, 170, 255);
const cv::Scalar kOtherColour(200, 200, 200);
const cv::Scalar kLineColour(255, 80, 255);
const cv::Scalar kInColour(60, 230, 60);

cv::Scalar colour_for(int class_id) {
  if (class_id == coco::kPerson) return kPersonColour;
  if (coco::is_vehicle(class_id)) return kVehicleColour;
  return kOtherColour;
}

std::string label_text(const Track& t, const FrameOutcome& out) {
  std::string text = "#" + std::to_string(t.id);
  for (const FaceRecognition& f : out.faces_recognized) {
    if (f.track_id == t.id && !f.name.empty()) return text + " " + f.name;
  }
  for (const VehicleReading& v : out.vehicles_detected) {
    if (v.track_id == t.id && !v.plate.empty()) return text + " " + v.plate;
  }
  return text;
}

void draw_text(cv::Mat& image, const std::string& text, cv::Point at, const cv::Scalar& colour,
               double scale) {
  int baseline = 0;
  const int thickness = std::max(1, static_cast<int>(std::lround(scale * 2)));
  const cv::Size size =
      cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  at.x = std::clamp(at.x, 0, std::max(0, image.cols - size.width));
  at.y = std::clamp(at.y, size.height + 2, std::max(size.height + 2, image.rows - baseline));
  cv::rectangle(image, {at.x, at.y - size.height - 2}, {at.x + size.width, at.y + baseline},
                cv::Scalar(0, 0, 0), cv::FILLED);
  cv::putText(image, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv::LINE_AA);
}

// Text and strokes scale with the frame, so a 4K snapshot is as readable as a 640 px one.
double scale_for(const cv::Mat& image) {
  return std::max(0.4, std::min(image.cols, image.rows) / 900.0);
}

}  // namespace

Status SnapshotAnalyzer::on_frame(const AnalyzerFrame& frame, FrameOutcome& out) {
  Latest latest;
  latest.image = frame.image;
  for (const Track& t : out.tracks) {
    latest.labels.push_back({t.box, t.class_id, label_text(t, out), t.det_index >= 0});
  }
  std::lock_guard lock(mutex_);
  latest_[frame.camera_id] = std::move(latest);
  return {};
}

bool SnapshotAnalyzer::has_snapshot(const std::string& camera_id) const {
  std::lock_guard lock(mutex_);
  return latest_.count(camera_id) > 0;
}

void draw_counting_lines(cv::Mat& image, const std::vector<CountingLine>& lines) {
  const double scale = scale_for(image);
  const int thickness = std::max(2, static_cast<int>(std::lround(3 * scale)));
  for (const CountingLine& l : lines) {
    cv::Point2f a(l.start.x, l.start.y), b(l.end.x, l.end.y);
    // On screen (y down), the right of the direction a->b is (-dy, dx).
    const cv::Point2f d = b - a;
    const float length = std::max(1.0f, std::hypot(d.x, d.y));
    if (l.infinite) {  // drawn across the whole frame, as it counts
      const float reach = static_cast<float>(image.cols + image.rows) / length;
      cv::Point pa = a - d * reach, pb = b + d * reach;
      if (cv::clipLine(cv::Rect(0, 0, image.cols, image.rows), pa, pb)) {
        a = pa;
        b = pb;
      }
    }
    cv::line(image, a, b, kLineColour, thickness, cv::LINE_AA);
    cv::Point2f normal(-d.y / length, d.x / length);
    if (l.in_side == LineSide::kLeft) normal = -normal;
    const cv::Point2f mid = (a + b) * 0.5f;
    const float arrow = static_cast<float>(40 * scale);
    cv::arrowedLine(image, mid - normal * arrow, mid + normal * arrow, kInColour, thickness,
                    cv::LINE_AA, 0, 0.35);
    draw_text(image, l.id + " (in)", mid + normal * (arrow + 6), kInColour, 0.6 * scale);
  }
}

Expected<std::vector<unsigned char>> SnapshotAnalyzer::jpeg(const std::string& camera_id,
                                                            const std::vector<CountingLine>& lines,
                                                            int quality) const {
  Latest latest;
  {
    std::lock_guard lock(mutex_);
    const auto it = latest_.find(camera_id);
    if (it == latest_.end()) {
      return make_error(ErrorCode::kNotFound, "camera '" + camera_id + "' has no frame yet");
    }
    latest = it->second;
  }
  cv::Mat canvas = latest.image.clone();
  const double scale = scale_for(canvas);
  const int thickness = std::max(1, static_cast<int>(std::lround(2 * scale)));
  for (const Label& l : latest.labels) {
    const cv::Scalar colour = colour_for(l.class_id);
    cv::rectangle(canvas, cv::Point2f(l.box.x1, l.box.y1), cv::Point2f(l.box.x2, l.box.y2), colour,
                  l.visible ? thickness : 1, cv::LINE_AA);
    draw_text(canvas, l.text, cv::Point(static_cast<int>(l.box.x1), static_cast<int>(l.box.y1) - 4),
              colour, 0.55 * scale);
  }
  draw_counting_lines(canvas, lines);
  std::vector<unsigned char> bytes;
  if (!cv::imencode(".jpg", canvas, bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) {
    return make_error(ErrorCode::kInternal, "JPEG encoding failed");
  }
  return bytes;
}

}  // namespace fai
