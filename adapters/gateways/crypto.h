// The cryptography the gateway schemes need, on OpenSSL 3 EVP APIs only:
// strict base64 and hex, SHA-256, HMAC-SHA256, SHA256withRSA (PKCS#1 v1.5)
// sign/verify, AES-256-GCM, RSA-2048 key generation and random strings.
// Every function is thread-safe (no shared state) and never throws.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's own forward declaration

namespace folio::gateways::crypto {

// Standard alphabet with '=' padding (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);
// Strict: length a multiple of 4, padding only at the end, no whitespace, no
// URL-safe alphabet, zero bits after the last symbol. nullopt otherwise.
std::optional<std::string> Base64Decode(std::string_view text);

std::string HexLower(std::string_view bytes);
// Even length, [0-9a-fA-F] only; nullopt otherwise.
std::optional<std::string> HexDecode(std::string_view text);

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
// Raw 20-byte digest: only where a gateway names it (WeChat Pay's bill hash_value).
std::string Sha1(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view message);
// Constant-time equality (CRYPTO_memcmp); false when the sizes differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// An RSA public key from "-----BEGIN PUBLIC KEY-----" PEM, from a
// "-----BEGIN CERTIFICATE-----" PEM (its subject key), or from bare base64 DER
// SubjectPublicKeyInfo (the form Alipay's console shows). RSA of at least 2048
// bits only. Errors: gateway_config_invalid.
Result<Pkey> LoadRsaPublicKey(std::string_view pem_or_base64);
// An RSA private key from PEM (PKCS#8 or PKCS#1). Errors: gateway_config_invalid.
Result<Pkey> LoadRsaPrivateKey(std::string_view pem);

// SHA256withRSA, PKCS#1 v1.5 padding. `signature` is the raw bytes.
bool VerifySha256Rsa(EVP_PKEY* key, std::string_view message, std::string_view signature);
// REQUIRES: `key` is an RSA private key. Aborts if OpenSSL fails (out of memory).
std::string SignSha256Rsa(EVP_PKEY* key, std::string_view message);

// A fresh RSA-2048 key pair: {private PKCS#8 PEM, public SubjectPublicKeyInfo PEM}.
struct RsaKeyPair {
  std::string private_pem;
  std::string public_pem;
};
RsaKeyPair GenerateRsa2048();

inline constexpr std::size_t kGcmTagBytes = 16;
// AES-256-GCM. `key` must be 32 bytes; the output of Encrypt is
// ciphertext || 16-byte tag, the input of Decrypt the same. Decrypt returns
// nullopt when the tag does not verify (or the sizes are wrong).
std::string AesGcmEncrypt(std::string_view key, std::string_view nonce, std::string_view aad,
                          std::string_view plaintext);
std::optional<std::string> AesGcmDecrypt(std::string_view key, std::string_view nonce,
                                         std::string_view aad, std::string_view sealed);

// `length` characters of [0-9A-Za-z] from the OpenSSL CSPRNG.
std::string RandomAlnum(std::size_t length);

}  // namespace folio::gateways::crypto
