#include "api/spa_fallback.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "api/errors.h"

namespace fai::api {

void add_spa_fallback(httplib::Server& http, const std::string& static_dir) {
  const std::string index = (std::filesystem::path(static_dir) / "index.html").string();
  http.Get(R"(/(?!api(?:/|$))(?:[^.]*/)?[^./]*)",
           [index](const httplib::Request&, httplib::Response& res) {
             std::ifstream in(index, std::ios::binary);
             if (!in) {
               return send_error(res, make_error(ErrorCode::kNotFound, "no dashboard build"));
             }
             res.set_header("Cache-Control", "no-cache");
             res.set_content(std::string(std::istreambuf_iterator<char>(in), {}),
                             "text/html; charset=utf-8");
           });
}

}  // namespace fai::api
