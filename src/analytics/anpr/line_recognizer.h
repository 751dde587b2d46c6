#pragma once
// One text-line recogniser behind the plate reader: PP-OCRv4 rec (TextRecognizer, the default)
// or Debian's Tesseract (TesseractRecognizer, an optional second engine whose reads join the
// views' vote).

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/expected.h"

namespace fai {

struct TextRead {
  std::vector<std::string> glyphs;  // UTF-8, one per decoded character
  std::vector<float> confidences;   // confidence of each character, 0..1
  // Where each character was read: the centre of its decoding steps as a fraction of the read
  // line's width (0..1). Empty when the engine does not say.
  std::vector<float> centres;
  // The same output decoded with the recogniser's extra punctuation also allowed (empty when it
  // has none): lets a caller tell "14:24:45" from a plate without the ':' competing in the read.
  std::string punctuated;
  std::string text() const;
};

class LineRecognizer {
 public:
  virtual ~LineRecognizer() = default;
  // `line` is an upright BGR crop of one text line.
  virtual Expected<TextRead> recognize(const cv::Mat& line) = 0;
  virtual const char* engine() const = 0;  // "ppocr", "tesseract"
};

}  // namespace fai
