#include "adapters/gateways/cert_chain.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "adapters/gateways/gateway_codes.h"

namespace folio::gateways {
namespace {

using Cert = std::unique_ptr<X509, X509Deleter>;

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

struct CertStackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }  // the certs stay owned elsewhere
};

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

[[noreturn]] void OpensslFailed(const char* what) {
  std::fprintf(stderr, "folio: OpenSSL failed: %s\n", what);
  std::abort();
}

Cert ReadCert(std::string_view pem) {
  if (pem.size() > INT_MAX) return nullptr;
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// The subject's commonName as UTF-8; empty when there is none.
std::string CommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int at = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
  if (at < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

// The third '@'-separated field of `cn` ("041@Z12@<org>@00000002").
std::string_view CnOrg(std::string_view cn) {
  for (int i = 0; i < 2; ++i) {
    const std::size_t at = cn.find('@');
    if (at == std::string_view::npos) return {};
    cn.remove_prefix(at + 1);
  }
  return cn.substr(0, cn.find('@'));
}

Status KeyUnknown(std::string message) {
  return Status::Error(codes::kSignatureKeyUnknown, std::move(message));
}

}  // namespace

void X509Deleter::operator()(X509* cert) const { X509_free(cert); }
void X509StoreDeleter::operator()(X509_STORE* store) const { X509_STORE_free(store); }

Result<CertChainVerifier> CertChainVerifier::Create(std::string_view root_pem,
                                                    std::string_view middle_pem,
                                                    std::string expected_org) {
  Cert root = ReadCert(root_pem);
  if (!root)
    return Status::Error(codes::kGatewayConfigInvalid, "the root certificate does not parse");
  Cert middle = ReadCert(middle_pem);
  if (!middle) {
    return Status::Error(codes::kGatewayConfigInvalid, "the middle certificate does not parse");
  }
  CertChainVerifier v;
  v.store_.reset(X509_STORE_new());
  if (!v.store_ || X509_STORE_add_cert(v.store_.get(), root.get()) != 1) {
    return Status::Error(codes::kGatewayConfigInvalid, "the root certificate is not usable");
  }
  v.middle_ = std::move(middle);
  v.expected_org_ = std::move(expected_org);
  return Result<CertChainVerifier>(std::move(v));
}

Result<crypto::Pkey> CertChainVerifier::VerifyLeaf(std::string_view leaf_pem,
                                                   std::int64_t now_s) const {
  Cert leaf = ReadCert(leaf_pem);
  if (!leaf) return Status::Error(codes::kSignatureInvalid, "signPubKeyCert does not parse");
  crypto::Pkey key(X509_get_pubkey(leaf.get()));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA ||
      EVP_PKEY_get_bits(key.get()) < 2048) {
    return Status::Error(codes::kSignatureInvalid, "signPubKeyCert's key is not RSA >= 2048");
  }
  std::unique_ptr<STACK_OF(X509), CertStackDeleter> untrusted(sk_X509_new_null());
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  if (!untrusted || !ctx || sk_X509_push(untrusted.get(), middle_.get()) <= 0 ||
      X509_STORE_CTX_init(ctx.get(), store_.get(), leaf.get(), untrusted.get()) != 1) {
    OpensslFailed("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(now_s));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const std::string why = X509_verify_cert_error_string(err);
    if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
      return Status::Error(codes::kSignatureExpired, "signPubKeyCert: " + why);
    }
    return KeyUnknown("signPubKeyCert does not chain to the configured root: " + why);
  }
  if (X509_check_ca(leaf.get()) != 0) {
    return KeyUnknown("signPubKeyCert is a CA certificate, not a signing certificate");
  }
  if (!expected_org_.empty() && CnOrg(CommonName(leaf.get())) != expected_org_) {
    return KeyUnknown("signPubKeyCert's CN does not name " + expected_org_);
  }
  return key;
}

std::string CertSerialDecimal(std::string_view cert_pem) {
  Cert cert = ReadCert(cert_pem);
  if (!cert) return {};
  std::unique_ptr<BIGNUM, BnDeleter> bn(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  char* dec = bn ? BN_bn2dec(bn.get()) : nullptr;
  if (dec == nullptr) return {};
  std::string out(dec);
  OPENSSL_free(dec);
  return out;
}

// ---- Test chains. ----

namespace {

crypto::Pkey NewKey() {
  crypto::Pkey key(EVP_RSA_gen(2048));
  if (!key) OpensslFailed("EVP_RSA_gen");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) OpensslFailed("X509_add_ext");
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  std::string cn;
  bool ca = false;
  std::int64_t not_before_s = 0, not_after_s = 0;
};

// Signed by issuer_key; issuer == nullptr means self-signed.
Cert Issue(EVP_PKEY* subject_key, const CertSpec& spec, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  std::uint64_t serial = 0;
  if (!cert || RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) {
    OpensslFailed("X509_new");
  }
  serial = (serial >> 1) | 1;  // positive, non-zero
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(spec.cn.c_str());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before_s)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after_s)) ==
          nullptr ||
      X509_set_pubkey(cert.get(), subject_key) != 1 ||
      X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("CN"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("Folio Sandbox"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name) != 1) {
    OpensslFailed("X509 fields");
  }
  X509* signer = issuer ? issuer : cert.get();
  AddExtension(cert.get(), signer, NID_basic_constraints,
               spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExtension(
      cert.get(), signer, NID_key_usage,
      spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) OpensslFailed("X509_sign");
  return cert;
}

std::string CertPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) OpensslFailed("PEM_write_bio_X509");
  return BioText(bio.get());
}

std::string KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    OpensslFailed("PEM_write_bio_PKCS8PrivateKey");
  }
  return BioText(bio.get());
}

}  // namespace

TestCertChain GenerateTestCertChain(const TestCertChainOptions& options) {
  constexpr std::int64_t kDayS = 86'400;
  const std::int64_t ca_from = options.not_before_s - kDayS;
  const std::int64_t ca_until = options.not_after_s + 365 * kDayS;
  crypto::Pkey root_key = NewKey(), middle_key = NewKey();
  crypto::Pkey leaf_key;
  if (options.signing_key_pem.empty()) {
    leaf_key = NewKey();
  } else {
    Result<crypto::Pkey> k = crypto::LoadRsaPrivateKey(options.signing_key_pem);
    if (!k.ok()) OpensslFailed("the signing key does not parse");
    leaf_key = std::move(k).value();
  }
  Cert root = Issue(root_key.get(), {"Folio Sandbox Root CA", true, ca_from, ca_until}, nullptr,
                    root_key.get());
  Cert middle = Issue(middle_key.get(), {"Folio Sandbox Middle CA", true, ca_from, ca_until},
                      root.get(), root_key.get());
  Cert leaf =
      Issue(leaf_key.get(), {options.signing_cn, false, options.not_before_s, options.not_after_s},
            middle.get(), middle_key.get());
  TestCertChain out;
  out.root_pem = CertPem(root.get());
  out.middle_pem = CertPem(middle.get());
  out.signing_cert_pem = CertPem(leaf.get());
  out.signing_key_pem = KeyPem(leaf_key.get());
  out.signing_cert_id = CertSerialDecimal(out.signing_cert_pem);
  out.root_key_pem = KeyPem(root_key.get());
  return out;
}

}  // namespace folio::gateways
