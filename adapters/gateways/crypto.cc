#include "adapters/gateways/crypto.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "adapters/gateways/gateway_codes.h"

namespace folio::gateways::crypto {
namespace {

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::size_t kIntMax = INT32_MAX;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

[[noreturn]] void OpensslFailed(const char* what) {
  // Only out-of-memory makes these calls fail with valid inputs.
  std::fprintf(stderr, "folio: OpenSSL failed: %s\n", what);
  std::abort();
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

Bio MemBio(std::string_view data) {
  if (data.size() > kIntMax) return nullptr;
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

Status ConfigError(std::string message) {
  return Status::Error(codes::kGatewayConfigInvalid, std::move(message));
}

Result<Pkey> CheckRsa(Pkey key, std::string_view what) {
  if (!key) return ConfigError(std::string(what) + " does not parse");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return ConfigError(std::string(what) + " is not an RSA key");
  }
  if (EVP_PKEY_get_bits(key.get()) < 2048) {
    return ConfigError(std::string(what) + " is shorter than 2048 bits");
  }
  return key;
}

}  // namespace

void PkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16 |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8 |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kB64[v >> 18 & 63];
    out += kB64[v >> 12 & 63];
    out += kB64[v >> 6 & 63];
    out += kB64[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kB64[v >> 18 & 63];
    out += kB64[v >> 12 & 63];
    out += rest == 2 ? kB64[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::size_t pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      if (k >= 4 - pad) {
        v <<= 6;
        continue;
      }
      const int d = B64Value(text[i + k]);
      if (d < 0) return std::nullopt;  // also '=' in the middle
      v = v << 6 | static_cast<std::uint32_t>(d);
    }
    out += static_cast<char>(v >> 16 & 0xff);
    if (pad < 2) out += static_cast<char>(v >> 8 & 0xff);
    if (pad < 1) out += static_cast<char>(v & 0xff);
    // Non-canonical: bits after the last symbol must be zero.
    if (pad == 2 && (v & 0xffff) != 0) return std::nullopt;
    if (pad == 1 && (v & 0xff) != 0) return std::nullopt;
  }
  return out;
}

std::string HexLower(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string Sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &n, EVP_sha256(), nullptr) != 1) {
    OpensslFailed("EVP_Digest");
  }
  return std::string(reinterpret_cast<const char*>(md.data()), n);
}

std::string Sha1(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &n, EVP_sha1(), nullptr) != 1) {
    OpensslFailed("EVP_Digest");
  }
  return std::string(reinterpret_cast<const char*>(md.data()), n);
}

std::string HmacSha256(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (key.size() > kIntMax || HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                   Bytes(message), message.size(), md.data(), &n) == nullptr) {
    OpensslFailed("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(md.data()), n);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<Pkey> LoadRsaPublicKey(std::string_view text) {
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    Bio bio = MemBio(text);
    X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (cert == nullptr) return ConfigError("the certificate does not parse");
    Pkey key(X509_get_pubkey(cert));
    X509_free(cert);
    return CheckRsa(std::move(key), "the certificate's key");
  }
  if (text.find("-----BEGIN") != std::string_view::npos) {
    Bio bio = MemBio(text);
    return CheckRsa(Pkey(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr),
                    "the public key");
  }
  std::string compact;  // bare base64, possibly wrapped over lines
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') compact += c;
  }
  const std::optional<std::string> der = Base64Decode(compact);
  if (!der || der->size() > kIntMax) {
    return ConfigError("the public key is neither PEM nor base64 DER");
  }
  const unsigned char* p = Bytes(*der);
  return CheckRsa(Pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size()))), "the public key");
}

Result<Pkey> LoadRsaPrivateKey(std::string_view pem) {
  Bio bio = MemBio(pem);
  return CheckRsa(
      Pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr),
      "the private key");
}

bool VerifySha256Rsa(EVP_PKEY* key, std::string_view message, std::string_view signature) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                          message.size()) == 1;
}

std::string SignSha256Rsa(EVP_PKEY* key, std::string_view message) {
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t n = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &n, Bytes(message), message.size()) != 1) {
    OpensslFailed("EVP_DigestSign (size)");
  }
  std::string sig(n, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n, Bytes(message),
                     message.size()) != 1) {
    OpensslFailed("EVP_DigestSign");
  }
  sig.resize(n);
  return sig;
}

RsaKeyPair GenerateRsa2048() {
  Pkey key(EVP_RSA_gen(2048));
  if (!key) OpensslFailed("EVP_RSA_gen");
  Bio priv(BIO_new(BIO_s_mem())), pub(BIO_new(BIO_s_mem()));
  if (!priv || !pub ||
      PEM_write_bio_PKCS8PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) {
    OpensslFailed("PEM_write");
  }
  return RsaKeyPair{BioContents(priv.get()), BioContents(pub.get())};
}

std::string AesGcmEncrypt(std::string_view key, std::string_view nonce, std::string_view aad,
                          std::string_view plaintext) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  std::string out(plaintext.size() + kGcmTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || key.size() != 32 || nonce.empty() || plaintext.size() > kIntMax ||
      aad.size() > kIntMax || nonce.size() > kIntMax ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &n, Bytes(plaintext), static_cast<int>(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagBytes),
                          o + plaintext.size()) != 1) {
    OpensslFailed("AES-256-GCM encrypt");
  }
  return out;
}

std::optional<std::string> AesGcmDecrypt(std::string_view key, std::string_view nonce,
                                         std::string_view aad, std::string_view sealed) {
  if (key.size() != 32 || nonce.empty() || sealed.size() < kGcmTagBytes ||
      sealed.size() > kIntMax || aad.size() > kIntMax || nonce.size() > 256) {
    return std::nullopt;
  }
  const std::string_view body = sealed.substr(0, sealed.size() - kGcmTagBytes);
  std::string tag(sealed.substr(body.size()));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(body.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int n = 0, last = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), o, &n, Bytes(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagBytes),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), o + n, &last) != 1) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(n + last));
  return out;
}

std::string RandomAlnum(std::size_t length) {
  static constexpr std::string_view kAlnum =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> buf{};
  while (out.size() < length) {
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) OpensslFailed("RAND_bytes");
    for (unsigned char b : buf) {
      if (b >= 248) continue;  // 248 = 62 * 4: keep the distribution uniform
      out += kAlnum[b % 62];
      if (out.size() == length) break;
    }
  }
  return out;
}

}  // namespace folio::gateways::crypto
