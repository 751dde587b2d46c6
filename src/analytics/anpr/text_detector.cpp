#include "analytics/anpr/text_detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/geometry.h"
#include "image/preprocess.h"

namespace fai {
namespace {

constexpr float kMinPlateAspect = 1.5f;
constexpr float kMaxPlateAspect = 12.0f;
constexpr float kMinPlateTextPx = 6.0f;
constexpr float kMinLineHeightRatio = 0.7f;  // fragments of one line have similar heights
constexpr float kMaxLineCentreShift = 0.33f;

// Mean probability inside the contour: DB's "slow" box score, robust for slanted lines.
float region_score(const cv::Mat& prob_map, const std::vector<cv::Point>& contour) {
  const cv::Rect bounds = cv::boundingRect(contour) & cv::Rect(0, 0, prob_map.cols, prob_map.rows);
  if (bounds.empty()) return 0;
  cv::Mat mask = cv::Mat::zeros(bounds.size(), CV_8U);
  std::vector<std::vector<cv::Point>> shifted(1);
  for (const cv::Point& p : contour) shifted[0].push_back(p - bounds.tl());
  cv::fillPoly(mask, shifted, cv::Scalar(1));
  return static_cast<float>(cv::mean(prob_map(bounds), mask)[0]);
}

cv::RotatedRect unclip(const cv::RotatedRect& rect, float ratio) {
  const float w = rect.size.width, h = rect.size.height;
  const float distance = w * h * ratio / (2 * (w + h));
  return {rect.center, cv::Size2f(w + 2 * distance, h + 2 * distance), rect.angle};
}

TextBox to_image(const TextBox& box, const Letterbox& lb, const cv::Point& origin) {
  TextBox out = box;
  out.rect.center.x = (box.rect.center.x - lb.pad_x) / lb.scale + static_cast<float>(origin.x);
  out.rect.center.y = (box.rect.center.y - lb.pad_y) / lb.scale + static_cast<float>(origin.y);
  out.rect.size.width = box.rect.size.width / lb.scale;
  out.rect.size.height = box.rect.size.height / lb.scale;
  return out;
}

bool same_line(const Box& a, const Box& b, float max_gap_heights) {
  const float h = std::max(a.height(), b.height());
  const float gap = std::max(b.x1 - a.x2, a.x1 - b.x2);
  return std::min(a.height(), b.height()) >= kMinLineHeightRatio * h &&
         std::abs(a.center_y() - b.center_y()) <= kMaxLineCentreShift * h &&
         gap <= max_gap_heights * h;
}

TextBox merged(const TextBox& a, const TextBox& b) {
  const Box ba = a.bounds(), bb = b.bounds();
  const Box u{std::min(ba.x1, bb.x1), std::min(ba.y1, bb.y1), std::max(ba.x2, bb.x2),
              std::max(ba.y2, bb.y2)};
  const float wa = a.long_side(), wb = b.long_side();
  return {cv::RotatedRect({u.center_x(), u.center_y()}, {u.width(), u.height()}, 0),
          (a.score * wa + b.score * wb) / std::max(wa + wb, 1.0f)};
}

}  // namespace

Box TextBox::bounds() const {
  const cv::Rect2f r = rect.boundingRect2f();
  return {r.x, r.y, r.x + r.width, r.y + r.height};
}

std::array<cv::Point2f, 4> TextBox::corners() const {
  std::array<cv::Point2f, 4> p;
  rect.points(p.data());
  // Sort by x+y for top-left/bottom-right and by y-x for top-right/bottom-left; correct for text
  // lines tilted less than 45 degrees, which plates are.
  auto sum = [](const cv::Point2f& a) { return a.x + a.y; };
  auto diff = [](const cv::Point2f& a) { return a.y - a.x; };
  std::array<cv::Point2f, 4> out;
  out[0] = *std::min_element(p.begin(), p.end(), [&](auto& a, auto& b) { return sum(a) < sum(b); });
  out[2] = *std::max_element(p.begin(), p.end(), [&](auto& a, auto& b) { return sum(a) < sum(b); });
  out[1] =
      *std::min_element(p.begin(), p.end(), [&](auto& a, auto& b) { return diff(a) < diff(b); });
  out[3] =
      *std::max_element(p.begin(), p.end(), [&](auto& a, auto& b) { return diff(a) < diff(b); });
  return out;
}

std::vector<TextBox> db_boxes(const cv::Mat& prob_map, const DbParams& params) {
  FAI_CHECK(prob_map.type() == CV_32F);
  cv::Mat text_mask = prob_map > params.binary_threshold;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(text_mask, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  std::vector<TextBox> boxes;
  for (const auto& contour : contours) {
    const cv::RotatedRect rect = cv::minAreaRect(contour);
    if (std::min(rect.size.width, rect.size.height) < params.min_side_px) continue;
    const float score = region_score(prob_map, contour);
    if (score < params.min_box_score) continue;
    boxes.push_back({unclip(rect, params.unclip_ratio), score});
  }
  std::sort(boxes.begin(), boxes.end(),
            [](const auto& a, const auto& b) { return a.score > b.score; });
  return boxes;
}

std::vector<TextBox> merge_line_fragments(std::vector<TextBox> boxes, float max_gap_heights) {
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < boxes.size() && !changed; ++i) {
      for (size_t j = i + 1; j < boxes.size() && !changed; ++j) {
        if (!same_line(boxes[i].bounds(), boxes[j].bounds(), max_gap_heights)) continue;
        boxes[i] = merged(boxes[i], boxes[j]);
        boxes.erase(boxes.begin() + static_cast<std::ptrdiff_t>(j));
        changed = true;
      }
    }
  }
  return boxes;
}

std::vector<TextBox> rank_plate_candidates(std::vector<TextBox> boxes, const cv::Rect& region) {
  auto plate_like = [&](const TextBox& b) {
    const float aspect = b.long_side() / std::max(b.short_side(), 1.0f);
    const cv::Point2f c = b.rect.center;
    return aspect >= kMinPlateAspect && aspect <= kMaxPlateAspect &&
           b.short_side() >= kMinPlateTextPx && region.contains(cv::Point(c));
  };
  std::erase_if(boxes, [&](const TextBox& b) { return !plate_like(b); });
  auto merit = [](const TextBox& b) { return b.short_side() * b.score; };
  std::sort(boxes.begin(), boxes.end(),
            [&](const auto& a, const auto& b) { return merit(a) > merit(b); });
  return boxes;
}

Expected<std::unique_ptr<TextDetector>> TextDetector::open(const ModelInfo& model, Backend backend,
                                                           int threads, const DbParams& params) {
  if (model.input_width() <= 0 || model.input_height() <= 0) {
    return make_error(ErrorCode::kCorrupt, model.name + ": text detector needs a static input");
  }
  auto session = open_session(model, backend, threads);
  if (!session) return session.error();
  return std::unique_ptr<TextDetector>(new TextDetector(std::move(*session), model, params));
}

Expected<std::vector<TextBox>> TextDetector::detect(const cv::Mat& bgr, const cv::Rect& region) {
  const cv::Rect clipped = region & cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (bgr.type() != CV_8UC3 || clipped.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "text detector needs a BGR image and a region");
  }
  const Letterbox lb = Letterbox::fit(clipped.width, clipped.height, width_, height_);
  auto outputs = session_->run(make_input_tensor(bgr(clipped), lb, normalization_));
  if (!outputs) return outputs.error();
  const Tensor& prob = outputs->front();
  if (prob.numel() != static_cast<int64_t>(width_) * height_ || !prob.consistent()) {
    return make_error(ErrorCode::kCorrupt, "text detector output is not a 1x1xHxW map");
  }
  const cv::Mat prob_map(height_, width_, CV_32F, const_cast<float*>(prob.data.data()));
  std::vector<TextBox> boxes;
  for (const TextBox& b : db_boxes(prob_map, params_))
    boxes.push_back(to_image(b, lb, clipped.tl()));
  return boxes;
}

}  // namespace fai
