#include "events/hash.h"

#include <openssl/evp.h>

#include <cassert>
#include <cstdlib>
#include <initializer_list>
#include <memory>

namespace folio {
namespace {

// OpenSSL 3 fetches the algorithm on every EVP_sha256() use unless it is
// fetched once; the context is reused per thread to avoid an allocation per hash.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

EVP_MD_CTX* ThreadCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

// SHA-256 of the parts, in order.
Hash32 Digest(std::initializer_list<std::span<const std::uint8_t>> parts) {
  EVP_MD_CTX* ctx = ThreadCtx();
  Hash32 out{};
  unsigned int len = 0;
  // These calls fail only on allocation failure inside OpenSSL; the chain is
  // meaningless without them, so fail loudly.
  int rc = EVP_DigestInit_ex(ctx, Sha256Md(), nullptr);
  for (std::span<const std::uint8_t> p : parts) {
    if (rc == 1 && !p.empty()) rc = EVP_DigestUpdate(ctx, p.data(), p.size());
  }
  if (rc == 1) rc = EVP_DigestFinal_ex(ctx, out.data(), &len);
  if (rc != 1 || len != out.size()) std::abort();
  return out;
}

}  // namespace

Hash32 Sha256(std::span<const std::uint8_t> data) { return Digest({data}); }

Hash32 Sha256(std::string_view bytes) {
  return Sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                              bytes.size()));
}

Hash32 Sha256Chain(const Hash32& prefix, std::span<const std::uint8_t> data) {
  return Digest({prefix, data});
}

Hash32 Sha256ChainZeroed(const Hash32& prefix, std::span<const std::uint8_t> data,
                         std::size_t zeroed_at) {
  static constexpr Hash32 kZeros{};
  if (zeroed_at + kZeros.size() > data.size()) std::abort();
  return Digest({prefix, data.first(zeroed_at), kZeros, data.subspan(zeroed_at + kZeros.size())});
}

void AppendHex(std::string* out, std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t at = out->size();
  out->resize(at + bytes.size() * 2);
  char* p = out->data() + at;
  for (std::uint8_t b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0xf];
  }
}

std::string ToHex(std::span<const std::uint8_t> bytes) {
  std::string out;
  AppendHex(&out, bytes);
  return out;
}

}  // namespace folio
