#include "adapters/gateways/wechat_cert.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <climits>
#include <ctime>
#include <memory>

#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/gateway_codes.h"

namespace folio::gateways {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

Status Invalid(std::string message) {
  return Status::Error(codes::kGatewayResponseInvalid, std::move(message));
}
Status ConfigInvalid(std::string message) {
  return Status::Error(codes::kGatewayConfigInvalid, std::move(message));
}

Bio MemBio(std::string_view data) {
  if (data.size() > INT_MAX) return nullptr;
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Seconds since the epoch of an ASN.1 UTCTime/GeneralizedTime.
bool AsnTimeToUnix(const ASN1_TIME* t, std::int64_t* out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  *out = static_cast<std::int64_t>(timegm(&tm));
  return true;
}

std::string NormalizedSerial(std::string_view hex) {
  std::string out;
  for (char c : hex) {
    const char up = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
    if (out.empty() && up == '0') continue;
    out += up;
  }
  return out;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return !s.empty();
}

}  // namespace

bool SameCertSerial(std::string_view a, std::string_view b) {
  return IsHex(a) && IsHex(b) && NormalizedSerial(a) == NormalizedSerial(b);
}

Result<X509Facts> ReadX509(std::string_view pem) {
  Bio bio = MemBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return Invalid("the platform certificate is not an X.509 PEM certificate");
  X509Facts facts;
  Bn serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  char* hex = serial ? BN_bn2hex(serial.get()) : nullptr;
  if (hex == nullptr) return Invalid("the platform certificate's serial does not read");
  facts.serial_hex = NormalizedSerial(hex);
  OPENSSL_free(hex);
  if (!AsnTimeToUnix(X509_get0_notBefore(cert.get()), &facts.not_before_s) ||
      !AsnTimeToUnix(X509_get0_notAfter(cert.get()), &facts.not_after_s)) {
    return Invalid("the platform certificate's validity does not read");
  }
  ASSIGN_OR_RETURN(facts.public_key, crypto::LoadRsaPublicKey(pem));
  return facts;
}

Result<std::string> MakeSelfSignedCert(const SelfSignedSpec& spec) {
  ASSIGN_OR_RETURN(crypto::Pkey key, crypto::LoadRsaPrivateKey(spec.private_key_pem));
  if (!IsHex(spec.serial_hex) || spec.serial_hex.size() > 40 ||
      NormalizedSerial(spec.serial_hex).empty()) {
    return ConfigInvalid("the certificate serial must be 1 to 40 hex digits, not zero");
  }
  if (spec.not_after_s <= spec.not_before_s) {
    return ConfigInvalid("the certificate must end after it starts");
  }
  X509Ptr cert(X509_new());
  BIGNUM* raw_serial = nullptr;
  const std::string serial = NormalizedSerial(spec.serial_hex);
  if (!cert || BN_hex2bn(&raw_serial, serial.c_str()) == 0) {
    return ConfigInvalid("the certificate serial does not convert");
  }
  Bn bn_serial(raw_serial);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(spec.common_name.c_str());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      BN_to_ASN1_INTEGER(bn_serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before_s)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after_s)) ==
          nullptr ||
      X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return ConfigInvalid("OpenSSL could not build the certificate");
  }
  Bio out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1) {
    return ConfigInvalid("OpenSSL could not write the certificate");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace folio::gateways
