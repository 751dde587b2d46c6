#pragma once
// Parsing POST /api/process: a JSON body {"frame": "<base64 JPEG/PNG>", "camera_id"?,
// "timestamp"?}, a raw image/jpeg|png body, or multipart/form-data with a "frame" file.
// Raw and multipart bodies take camera_id and timestamp from the query string or form fields.

#include <httplib.h>

#include "core/expected.h"
#include "image/image_io.h"
#include "pipeline/pipeline.h"

namespace fai::api {

// Decodes the frame (rejecting bad base64, non-images, truncated and oversized images) and
// fills camera and time (now, when the request names none). Every failure is a 4xx error.
Expected<FrameJob> parse_frame_request(const httplib::Request& req, const ImageLimits& limits);

}  // namespace fai::api
