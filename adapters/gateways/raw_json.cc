#include "adapters/gateways/raw_json.h"

namespace folio::gateways {
namespace {

constexpr int kRawDepthMax = 64;

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsScalarByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '+' || c == '.';
}

class RawScanner {
 public:
  explicit RawScanner(std::string_view s) : s_(s) {}

  // Where the next token starts (whitespace skipped).
  std::size_t pos() {
    SkipWhitespace();
    return i_;
  }
  // Just past the last byte read (whitespace after it not skipped).
  std::size_t end() const { return i_; }
  bool AtEnd() { return pos() == s_.size(); }

  bool Consume(char c) {
    if (pos() < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  // A string; returns its bytes between the quotes, escapes left as written.
  std::optional<std::string_view> String() {
    if (!Consume('"')) return std::nullopt;
    const std::size_t start = i_;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '"') return s_.substr(start, i_++ - start);
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (c != '\\') {
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) return std::nullopt;
      const char e = s_[i_ + 1];
      if (e == 'u') {
        if (s_.size() - i_ < 6) return std::nullopt;
        for (std::size_t k = 2; k < 6; ++k) {
          if (!IsHexDigit(s_[i_ + k])) return std::nullopt;
        }
        i_ += 6;
      } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
        i_ += 2;
      } else {
        return std::nullopt;
      }
    }
    return std::nullopt;  // unterminated
  }

  bool Value(int depth) {
    if (depth > kRawDepthMax || pos() >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '"') return String().has_value();
    if (c == '{') return Container('}', depth, true);
    if (c == '[') return Container(']', depth, false);
    const std::size_t start = i_;
    while (i_ < s_.size() && IsScalarByte(s_[i_])) ++i_;
    return i_ > start;  // a number or literal; the strict parser checked its spelling
  }

 private:
  bool Container(char close, int depth, bool object) {
    ++i_;
    if (Consume(close)) return true;
    do {
      if (object && (!String() || !Consume(':'))) return false;
      if (!Value(depth + 1)) return false;
    } while (Consume(','));
    return Consume(close);
  }

  void SkipWhitespace() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<std::string_view> RawJsonMember(std::string_view json, std::string_view key) {
  RawScanner sc(json);
  if (!sc.Consume('{')) return std::nullopt;
  std::optional<std::string_view> found;
  if (!sc.Consume('}')) {
    do {
      const std::optional<std::string_view> name = sc.String();
      if (!name || !sc.Consume(':')) return std::nullopt;
      const std::size_t start = sc.pos();
      if (!sc.Value(1)) return std::nullopt;
      if (*name == key) {
        if (found) return std::nullopt;
        found = json.substr(start, sc.end() - start);
      }
    } while (sc.Consume(','));
    if (!sc.Consume('}')) return std::nullopt;
  }
  if (!sc.AtEnd()) return std::nullopt;
  return found;
}

}  // namespace folio::gateways
