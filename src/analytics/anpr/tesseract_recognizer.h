#pragma once
// Debian's Tesseract 5 (LSTM, eng) as a plate line recogniser: single-line page segmentation,
// characters limited to the plate glyphs, a confidence per character.

#include <memory>
#include <string>

#include "analytics/anpr/line_recognizer.h"

namespace tesseract {
class TessBaseAPI;
}

namespace fai {

class TesseractRecognizer final : public LineRecognizer {
 public:
  // `tessdata_dir` empty = Tesseract's own default (Debian: /usr/share/tesseract-ocr/5/tessdata).
  // Missing eng.traineddata -> kNotFound. Not thread-safe (one per worker).
  static Expected<std::unique_ptr<LineRecognizer>> open(const std::string& allowed_glyphs,
                                                        const std::string& tessdata_dir = "");
  ~TesseractRecognizer() override;
  Expected<TextRead> recognize(const cv::Mat& line) override;
  const char* engine() const override { return "tesseract"; }

 private:
  explicit TesseractRecognizer(std::unique_ptr<tesseract::TessBaseAPI> api);
  std::unique_ptr<tesseract::TessBaseAPI> api_;
};

}  // namespace fai
