#pragma once
// Errors as values: expected failures (config, file, model, network, bad input) travel as
// Expected<T> / Status and are never thrown across module boundaries.

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace fai {

// Stable, machine-readable error kinds; the HTTP layer maps each to one status code.
enum class ErrorCode {
  kInvalidArgument,  // bad input from a caller (CLI argument, request body, image bytes)
  kNotFound,         // a file, model or id that does not exist
  kUnavailable,      // a stream, database or remote service that cannot be reached now
  kCorrupt,          // data that exists but fails a check (hash, model graph, truncated file)
  kUnsupported,      // a valid request for something this build cannot do
  kTooLarge,         // an input over a configured size limit (body, image dimensions)
  kOverloaded,       // a bounded queue is full: try again shortly
  kConflict,         // the request clashes with what exists (a duplicate id or plate)
  kInternal,         // a third-party library failed in a way we did not expect
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) {
  return {code, std::move(message)};
}

// Always-on invariant check for programming errors: aborts with file:line.
#define FAI_CHECK(cond)                                                             \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::cerr << __FILE__ << ":" << __LINE__ << ": check failed: " #cond << "\n"; \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Expected(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    FAI_CHECK(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    FAI_CHECK(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    FAI_CHECK(ok());
    return std::get<T>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    FAI_CHECK(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    FAI_CHECK(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace fai
