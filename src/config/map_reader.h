#pragma once
// Internal to src/config: the YAML mapping reader every section reader uses.

#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace fai::config_detail {

// Reads the keys of one YAML mapping into struct fields and remembers which keys it was asked
// for: a misspelt key would silently keep its default, so finish() reports the keys nobody read.
// A present value of the wrong type becomes a problem, not a throw.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string where, std::vector<std::string>& problems,
            const char* unknown = "unknown key")
      : node_(node), where_(std::move(where)), problems_(problems), unknown_(unknown) {}

  template <class T>
  MapReader& field(const char* key, T& out) {
    const YAML::Node value = child(key);
    if (!value) return *this;
    try {
      out = value.as<T>();
    } catch (const YAML::Exception&) {
      problems_.push_back(where_ + "." + key + ": wrong type");
    }
    return *this;
  }

  YAML::Node child(const char* key) {
    read_.insert(key);
    return node_.IsMap() ? node_[key] : YAML::Node();
  }

  void finish() const {
    if (!node_.IsMap()) {
      if (!node_.IsNull()) problems_.push_back(where_ + ": must be a mapping");
      return;
    }
    for (const auto& kv : node_) {
      const auto key = kv.first.as<std::string>();
      if (!read_.count(key)) problems_.push_back(prefix() + key + ": " + unknown_);
    }
  }

  const std::string& where() const { return where_; }
  std::vector<std::string>& problems() const { return problems_; }

 private:
  std::string prefix() const { return where_.empty() ? "" : where_ + "."; }

  YAML::Node node_;
  std::string where_;
  std::vector<std::string>& problems_;
  const char* unknown_;
  std::set<std::string> read_;
};

}  // namespace fai::config_detail
