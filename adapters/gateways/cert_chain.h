// X.509 certificate chains for UnionPay ACP 5.1.0: the check of the
// `signPubKeyCert` a response carries, and (for the sandbox and tests only)
// the generation of a root CA, a middle CA and a signing certificate shaped
// like UnionPay's.
//
// ACP's rule (its SDK, CertUtil.verifyValidityPublicKeyCert): the signing
// certificate must chain to UnionPay's root through its middle certificate,
// be valid now, and its subject CN, split at '@', must name the organisation
// in the third field ("041@Z12@中国银联股份有限公司@00000002" in production;
// the test environment uses "00040000:SIGN").
// Thread-safe: CertChainVerifier is immutable after Create.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/gateways/crypto.h"
#include "events/status.h"

typedef struct x509_st X509;              // NOLINT: OpenSSL's own forward declarations
typedef struct x509_store_st X509_STORE;  // NOLINT

namespace folio::gateways {

// UnionPay's production organisation name in the signing certificate's CN.
inline constexpr std::string_view kUnionPayCertOrg = "中国银联股份有限公司";

struct X509Deleter {
  void operator()(X509* cert) const;
};
struct X509StoreDeleter {
  void operator()(X509_STORE* store) const;
};

class CertChainVerifier {
 public:
  // `root_pem` is the one trust anchor, `middle_pem` the intermediate offered
  // to every chain. `expected_org`: the third '@'-field of the leaf's CN;
  // Default (empty): not checked. Errors: gateway_config_invalid.
  static Result<CertChainVerifier> Create(std::string_view root_pem, std::string_view middle_pem,
                                          std::string expected_org);

  // The leaf's RSA public key when `leaf_pem` (one PEM certificate) chains to
  // the root at time `now_s` (Unix seconds). Errors, in this order:
  //   signature_invalid      the PEM does not parse, or its key is not RSA >= 2048
  //   signature_expired      a certificate of the chain is expired or not yet valid
  //   signature_key_unknown  it does not chain to the configured root (another
  //                          CA, self-signed, a bad CA signature), it is
  //                          itself a CA certificate, or the CN does not
  //                          name expected_org
  Result<crypto::Pkey> VerifyLeaf(std::string_view leaf_pem, std::int64_t now_s) const;

 private:
  CertChainVerifier() = default;

  std::unique_ptr<X509_STORE, X509StoreDeleter> store_;
  std::unique_ptr<X509, X509Deleter> middle_;
  std::string expected_org_;
};

// The decimal serial number of a PEM certificate (ACP's certId); empty when
// it does not parse.
std::string CertSerialDecimal(std::string_view cert_pem);

// ---- Sandbox and test use only: never a production trust decision. ----

struct TestCertChain {
  std::string root_pem, middle_pem;
  std::string signing_cert_pem, signing_key_pem;  // the leaf and its PKCS#8 key
  std::string signing_cert_id;                    // the leaf's serial, decimal
  std::string root_key_pem;                       // tests only: signing as a self-signed "leaf"
};

struct TestCertChainOptions {
  // The leaf's subject CN.
  std::string signing_cn = "041@Z12@中国银联股份有限公司@00000002";
  // The leaf's validity window, Unix seconds. The CAs are valid from
  // not_before_s - 1 day to not_after_s + 1 year.
  std::int64_t not_before_s = 0;
  std::int64_t not_after_s = 4102444800;  // 2100-01-01
  // The leaf's key (PEM). Default (empty): a fresh RSA-2048 key.
  std::string signing_key_pem;
};

// RSA-2048 root CA (self-signed), middle CA signed by the root, and the
// signing certificate signed by the middle CA, all SHA-256. Takes a second
// or so (key generation). Aborts if OpenSSL fails (out of memory) or
// options.signing_key_pem does not parse.
TestCertChain GenerateTestCertChain(const TestCertChainOptions& options = {});

}  // namespace folio::gateways
