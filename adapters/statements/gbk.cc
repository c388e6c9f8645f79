#include "adapters/statements/gbk.h"

#include <cassert>
#include <cerrno>

namespace folio::statements {

GbkDecoder::GbkDecoder() : cd_(iconv_open("UTF-8", "GB18030")) {
  // glibc always ships GB18030; a missing converter is a broken install.
  assert(cd_ != reinterpret_cast<iconv_t>(-1));
}

GbkDecoder::~GbkDecoder() {
  if (cd_ != reinterpret_cast<iconv_t>(-1)) iconv_close(cd_);
}

bool GbkDecoder::Decode(std::string_view gbk, std::string* utf8) {
  utf8->clear();
  if (cd_ == reinterpret_cast<iconv_t>(-1)) return false;
  iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset shift state
  // A GBK character (2 bytes, 4 for GB18030 extensions) is at most 4 UTF-8 bytes.
  utf8->resize(gbk.size() * 2 + 8);
  char* in = const_cast<char*>(gbk.data());
  std::size_t in_left = gbk.size();
  char* out = utf8->data();
  std::size_t out_left = utf8->size();
  while (in_left > 0) {
    const std::size_t r = iconv(cd_, &in, &in_left, &out, &out_left);
    if (r == static_cast<std::size_t>(-1)) {
      if (errno == E2BIG) {
        const std::size_t used = utf8->size() - out_left;
        utf8->resize(utf8->size() * 2);
        out = utf8->data() + used;
        out_left = utf8->size() - used;
        continue;
      }
      return false;  // EILSEQ or EINVAL (a sequence cut at the end)
    }
  }
  utf8->resize(utf8->size() - out_left);
  return true;
}

}  // namespace folio::statements
