// GBK (read as GB18030, its superset) to UTF-8 through glibc's iconv.
#pragma once

#include <iconv.h>

#include <string>
#include <string_view>

namespace folio::statements {

// One converter; not thread-safe (iconv_t carries shift state).
class GbkDecoder {
 public:
  GbkDecoder();
  ~GbkDecoder();
  GbkDecoder(const GbkDecoder&) = delete;
  GbkDecoder& operator=(const GbkDecoder&) = delete;
  // Converts one line; false on an invalid or incomplete GBK sequence.
  bool Decode(std::string_view gbk, std::string* utf8);

 private:
  iconv_t cd_;
};

}  // namespace folio::statements
