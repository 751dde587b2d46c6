#pragma once
// The dashboard is a single-page app: a GET of one of its routes (/cameras, /vehicles, ...)
// typed into the address bar or reloaded must answer index.html, which then routes itself.

#include <string>

#include <httplib.h>

namespace fai::api {

// GET paths outside /api/ whose last segment has no file extension answer
// `static_dir`/index.html (no-cache, so a new build is picked up). Files that exist are served
// by the mount point before this handler runs; a missing asset (/x.js) stays a 404.
void add_spa_fallback(httplib::Server& http, const std::string& static_dir);

}  // namespace fai::api
