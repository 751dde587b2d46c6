#include "analytics/anpr/tesseract_recognizer.h"

#include <algorithm>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>
#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

// Tesseract's LSTM reads best with characters some 30-40 px high and a white margin; plate
// lines from the detector are 10-50 px high and cut close to the characters.
constexpr int kLineHeightPx = 64;
constexpr int kMarginPx = 12;

cv::Mat prepared(const cv::Mat& line) {
  cv::Mat gray, scaled, out;
  cv::cvtColor(line, gray, cv::COLOR_BGR2GRAY);
  const double scale = static_cast<double>(kLineHeightPx) / std::max(gray.rows, 1);
  cv::resize(gray, scaled, cv::Size(), scale, scale, cv::INTER_CUBIC);
  cv::copyMakeBorder(scaled, out, kMarginPx, kMarginPx, kMarginPx, kMarginPx, cv::BORDER_REPLICATE);
  return out;
}

}  // namespace

TesseractRecognizer::TesseractRecognizer(std::unique_ptr<tesseract::TessBaseAPI> api)
    : api_(std::move(api)) {}

TesseractRecognizer::~TesseractRecognizer() {
  if (api_) api_->End();
}

Expected<std::unique_ptr<LineRecognizer>> TesseractRecognizer::open(
    const std::string& allowed_glyphs, const std::string& tessdata_dir) {
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  if (api->Init(tessdata_dir.empty() ? nullptr : tessdata_dir.c_str(), "eng",
                tesseract::OEM_LSTM_ONLY) != 0) {
    return make_error(ErrorCode::kNotFound,
                      "tesseract: eng.traineddata not found (Debian package tesseract-ocr-eng)");
  }
  api->SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  if (!allowed_glyphs.empty()) api->SetVariable("tessedit_char_whitelist", allowed_glyphs.c_str());
  // Quiet: no "Estimating resolution" lines on stderr for every crop.
  api->SetVariable("debug_file", "/dev/null");
  api->SetVariable("user_defined_dpi", "300");
  return std::unique_ptr<LineRecognizer>(new TesseractRecognizer(std::move(api)));
}

Expected<TextRead> TesseractRecognizer::recognize(const cv::Mat& line) {
  if (line.empty() || line.type() != CV_8UC3) {
    return make_error(ErrorCode::kInvalidArgument, "recogniser needs a non-empty BGR crop");
  }
  const cv::Mat image = prepared(line);
  api_->SetImage(image.data, image.cols, image.rows, 1, static_cast<int>(image.step));
  if (api_->Recognize(nullptr) != 0) {
    return make_error(ErrorCode::kInternal, "tesseract could not recognise the line");
  }
  TextRead read;
  std::unique_ptr<tesseract::ResultIterator> it(api_->GetIterator());
  if (!it) return read;
  do {
    std::unique_ptr<char[]> symbol(it->GetUTF8Text(tesseract::RIL_SYMBOL));
    if (!symbol || symbol[0] == '\0') continue;
    read.glyphs.emplace_back(symbol.get());
    read.confidences.push_back(
        std::clamp(it->Confidence(tesseract::RIL_SYMBOL) / 100.0f, 0.0f, 1.0f));
  } while (it->Next(tesseract::RIL_SYMBOL));
  return read;
}

}  // namespace fai
