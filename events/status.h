// Status and Result<T>: how every fallible call in Folio reports an error.
//
// An error has a stable machine code (snake_case, listed in events/codes.h and
// docs/errors.md) and a human message. Codes never change once published;
// clients and tests match on them. No exception crosses a module boundary.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace folio {

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  // REQUIRES: `code` points to a string with static storage (a constant of codes.h).
  static Status Error(std::string_view code, std::string message) {
    assert(!code.empty());
    Status s;
    s.code_ = code;
    s.message_ = std::move(message);
    return s;
  }

  bool ok() const { return code_.empty(); }
  std::string_view code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const {
    return ok() ? std::string("ok") : std::string(code_) + ": " + message_;
  }

 private:
  std::string_view code_;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

// Returns a view of `code` with static storage duration, for codes read back
// from disk (Status keeps only a view). Interned strings are never freed; the
// set of codes is small and fixed. Thread-safe.
std::string_view InternCode(std::string_view code);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

#define FOLIO_CONCAT_INNER(a, b) a##b
#define FOLIO_CONCAT(a, b) FOLIO_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::folio::Status folio_status_ = (expr);        \
    if (!folio_status_.ok()) return folio_status_; \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(FOLIO_CONCAT(folio_result_, __LINE__), lhs, expr)

}  // namespace folio
