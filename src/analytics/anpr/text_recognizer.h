#pragma once
// PP-OCRv4 text recognition: a text-line crop -> 48 px high input -> per-step character
// probabilities -> greedy CTC decode with a confidence per character.

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "analytics/anpr/line_recognizer.h"
#include "analytics/anpr/text_detector.h"
#include "config/config.h"
#include "core/expected.h"
#include "core/tensor.h"
#include "infer/manifest.h"
#include "infer/session.h"

namespace fai {

// Greedy CTC over a [1,T,C] probability tensor: argmax per step, merge repeats, drop blank (0).
// Class i>0 is vocabulary[i-1]. When `allowed` is non-empty only classes with allowed[i] compete
// (blank always does): a plate reader limits the model to plate characters this way.
// A tensor of the wrong rank or class count -> kCorrupt.
Expected<TextRead> ctc_greedy_decode(const Tensor& probs,
                                     const std::vector<std::string>& vocabulary,
                                     const std::vector<bool>& allowed);

// The crop under a rotated text box, rotated upright and perspective-rectified.
cv::Mat rectify_text_box(const cv::Mat& bgr, const TextBox& box);

// Runs a PP-OCRv4 rec model (static 1x3x48xW input). Not thread-safe (one session per worker).
class TextRecognizer final : public LineRecognizer {
 public:
  // `allowed_glyphs` (e.g. "0123456789ABC...") limits decoding to those characters; empty = all.
  // `punctuation` characters are decoded only into TextRead::punctuated.
  // The vocabulary is the model's labels (its manifest labels_file).
  static Expected<std::unique_ptr<TextRecognizer>> open(const ModelInfo& model, Backend backend,
                                                        int threads,
                                                        const std::string& allowed_glyphs,
                                                        const std::string& punctuation = "");
  // `line` is an upright BGR text-line crop; it is scaled to the model height keeping its aspect
  // and padded on the right (cut at the model width when wider).
  Expected<TextRead> recognize(const cv::Mat& line) override;
  const char* engine() const override { return "ppocr"; }

 private:
  TextRecognizer(std::unique_ptr<InferenceSession> session, const ModelInfo& model,
                 std::vector<bool> allowed, std::vector<bool> punctuated)
      : session_(std::move(session)),
        width_(model.input_width()),
        height_(model.input_height()),
        normalization_(model.normalization),
        vocabulary_(model.labels),
        allowed_(std::move(allowed)),
        punctuated_(std::move(punctuated)) {}
  int resized_width(const cv::Mat& line) const;  // the line's width at the model's height
  Tensor input_tensor(const cv::Mat& line) const;

  std::unique_ptr<InferenceSession> session_;
  int width_, height_;
  Normalization normalization_;
  std::vector<std::string> vocabulary_;
  std::vector<bool> allowed_;
  std::vector<bool> punctuated_;  // allowed_ plus the punctuation; empty = no second decode
};

}  // namespace fai
