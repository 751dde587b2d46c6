#include "analytics/anpr/text_recognizer.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace fai {

std::string TextRead::text() const {
  std::string out;
  for (const auto& g : glyphs) out += g;
  return out;
}

Expected<TextRead> ctc_greedy_decode(const Tensor& probs,
                                     const std::vector<std::string>& vocabulary,
                                     const std::vector<bool>& allowed) {
  const size_t classes = vocabulary.size() + 1;
  if (probs.shape.size() != 3 || probs.shape[2] != static_cast<int64_t>(classes) ||
      !probs.consistent()) {
    return make_error(ErrorCode::kCorrupt, "recogniser output is not [1,T," +
                                               std::to_string(classes) + "] for this vocabulary");
  }
  TextRead read;
  size_t previous = 0;
  int64_t first_step = 0;
  const auto steps = probs.shape[1];
  auto close_glyph = [&](int64_t end) {
    read.centres.push_back(static_cast<float>(first_step + end) / 2.0f / static_cast<float>(steps));
  };
  for (int64_t t = 0; t < steps; ++t) {
    const float* step = probs.data.data() + t * static_cast<int64_t>(classes);
    size_t best = 0;
    for (size_t c = 1; c < classes; ++c) {
      if ((allowed.empty() || allowed[c]) && step[c] > step[best]) best = c;
    }
    if (best != previous && previous != 0) close_glyph(t);
    if (best != 0 && best != previous) {
      read.glyphs.push_back(vocabulary[best - 1]);
      read.confidences.push_back(step[best]);
      first_step = t;
    }
    previous = best;
  }
  if (previous != 0) close_glyph(steps);
  return read;
}

cv::Mat rectify_text_box(const cv::Mat& bgr, const TextBox& box) {
  const auto c = box.corners();
  const float width = std::max(static_cast<float>(cv::norm(c[1] - c[0])), 1.0f);
  const float height = std::max(static_cast<float>(cv::norm(c[3] - c[0])), 1.0f);
  const cv::Point2f target[4] = {{0, 0}, {width, 0}, {width, height}, {0, height}};
  const cv::Mat transform = cv::getPerspectiveTransform(c.data(), target);
  cv::Mat out;
  cv::warpPerspective(
      bgr, out, transform,
      cv::Size(static_cast<int>(std::lround(width)), static_cast<int>(std::lround(height))),
      cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

namespace {

// Classes (blank = 0 included) a decode may pick: those of `labels` that are one of `glyphs`.
std::vector<bool> glyph_mask(const std::vector<std::string>& labels, const std::string& glyphs) {
  std::vector<bool> mask(labels.size() + 1, false);
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& g = labels[i];
    mask[i + 1] = g.size() == 1 && glyphs.find(g[0]) != std::string::npos;
  }
  return mask;
}

}  // namespace

Expected<std::unique_ptr<TextRecognizer>> TextRecognizer::open(const ModelInfo& model,
                                                               Backend backend, int threads,
                                                               const std::string& allowed_glyphs,
                                                               const std::string& punctuation) {
  if (model.labels.empty() || model.input_width() <= 0 || model.input_height() <= 0) {
    return make_error(ErrorCode::kCorrupt,
                      model.name + ": recogniser needs a static input and a labels_file");
  }
  std::vector<bool> allowed, punctuated;
  if (!allowed_glyphs.empty()) allowed = glyph_mask(model.labels, allowed_glyphs);
  if (!punctuation.empty() && !allowed_glyphs.empty()) {
    punctuated = glyph_mask(model.labels, allowed_glyphs + punctuation);
  }
  auto session = open_session(model, backend, threads);
  if (!session) return session.error();
  return std::unique_ptr<TextRecognizer>(
      new TextRecognizer(std::move(*session), model, std::move(allowed), std::move(punctuated)));
}

// PP-OCR's own preprocessing: the manifest's (x - mean) / std, and zeros to the right (PP-OCR
// pads after normalising, so the padding is mid-grey, not black).
int TextRecognizer::resized_width(const cv::Mat& line) const {
  const double aspect = static_cast<double>(line.cols) / std::max(line.rows, 1);
  return std::clamp(static_cast<int>(std::ceil(height_ * aspect)), 1, width_);
}

Tensor TextRecognizer::input_tensor(const cv::Mat& line) const {
  const int resized_w = resized_width(line);
  cv::Mat resized;
  cv::resize(line, resized, cv::Size(resized_w, height_), 0, 0, cv::INTER_LINEAR);
  Tensor t;
  t.shape = {1, 3, height_, width_};
  t.data.assign(static_cast<size_t>(t.numel()), 0.0f);
  const size_t plane = static_cast<size_t>(width_) * height_;
  for (int y = 0; y < height_; ++y) {
    const auto* row = resized.ptr<uint8_t>(y);
    for (int x = 0; x < resized_w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int src = normalization_.rgb ? 2 - c : c;
        t.data[c * plane + static_cast<size_t>(y) * width_ + x] =
            (row[x * 3 + src] - normalization_.mean[c]) / normalization_.std[c];
      }
    }
  }
  return t;
}

Expected<TextRead> TextRecognizer::recognize(const cv::Mat& line) {
  if (line.empty() || line.type() != CV_8UC3) {
    return make_error(ErrorCode::kInvalidArgument, "recogniser needs a non-empty BGR crop");
  }
  auto outputs = session_->run(input_tensor(line));
  if (!outputs) return outputs.error();
  auto read = ctc_greedy_decode(outputs->front(), vocabulary_, allowed_);
  if (!read) return read;
  // Decoding steps span the model's whole input; the line fills only its left part.
  const float scale = static_cast<float>(width_) / static_cast<float>(resized_width(line));
  for (float& centre : read->centres) centre = std::min(centre * scale, 1.0f);
  if (punctuated_.empty()) return read;
  auto with_punctuation = ctc_greedy_decode(outputs->front(), vocabulary_, punctuated_);
  if (!with_punctuation) return with_punctuation.error();
  read->punctuated = with_punctuation->text();
  return read;
}

}  // namespace fai
