// UnionPay online payments (ACP 5.1.0) calls: the request bytes Folio sends
// and the checks on what UnionPay answers. No I/O.
//
// Endpoints (paths under the configured base, e.g. https://gateway.95516.com):
//   QR order (申码, merchant-presented QR)  POST /gateway/api/backTransReq.do
//       txnType 01, txnSubType 07, bizType 000000, channelType 08
//   refund (退货)                          POST /gateway/api/backTransReq.do
//       txnType 04, txnSubType 00, bizType 000000, channelType 08, origQryId
//   status query (交易状态查询)             POST /gateway/api/queryTrans.do
//       txnType 00, txnSubType 00, bizType 000000, orderId + the original txnTime
//   file transfer (文件传输, the merchant   POST /gateway/api/fileTransRequest.do
//   reconciliation file of a settle date)      txnType 76, txnSubType 01, bizType 000000,
//                                              fileType 00, settleDate MMDD; no orderId
//       (ACP serves it from its file host, filedownload.95516.com in production;
//       Folio sends it to the same base as the other calls)
// Common fields: version 5.1.0, encoding UTF-8, signMethod 01, certId (our
// signing certificate's serial, decimal), accessType 0, merId, orderId,
// txnTime (yyyyMMddHHmmss Asia/Shanghai); money calls add txnAmt (fen),
// currencyCode 156, backUrl.
//
// Signature (signMethod 01), requests and responses alike:
//   message   = every field except `signature`, non-empty values, sorted by
//               name, "k=v&..." raw (unionpay.h: UnionPaySignedDigestHex)
//   signature = base64(SHA256withRSA(lower-case hex SHA-256(message)))
// A response is signed by UnionPay's key, carried in the response as
// `signPubKeyCert` (PEM), which is part of the signed message.
//
// Every Parse* checks, in this order (the first failing one decides):
//   1. gateway_unavailable       HTTP 5xx
//   2. gateway_response_invalid  another status than 200, a body over
//                                kMaxResponseBytes, a media type other than
//                                application/x-www-form-urlencoded, text/plain
//                                or text/html, a form that does not parse
//   3. signature_invalid         signMethod not 01, signature not base64,
//                                signPubKeyCert missing or not a certificate
//      signature_expired         a certificate of its chain is not valid at now_s
//      signature_key_unknown     it does not chain to the configured root and
//                                middle certificates, or its CN is not UnionPay's
//      signature_invalid         the signature does not verify with it
//      (an answer without `signature` is only ever read as an error: never
//      respCode 00, never "order not found")
//   4. gateway_response_invalid  respCode missing or not 2 letters or digits,
//                                merId not ours, orderId not the one asked about
//   5. by respCode:
//        00          the call's own fields (missing or bad -> gateway_response_invalid;
//                    txnAmt at most 12 digits, origRespCode 2 letters or digits;
//                    file transfer: settleDate echoed, fileContent as below)
//        03, 04, 05  gateway_unavailable: in process or unknown, ask again
//        34          query, refund query: kNotFound (signed); other calls gateway_refused
//        12          refund: kProcessing (signed; already submitted, query it)
//        any other   gateway_refused "respCode <c>: <respMsg>" (file transfer:
//                    98, no file for that date yet, is one of these)
//
// The file transfer's fileContent (ACP SDK deCodeFileContent: "解base64，解
// DEFLATE压缩"; its inflater is java.util.zip.Inflater, a zlib stream):
//   fileContent = base64(zlib(archive)), archive = the ZIP named by fileName
//   ("<merId>_<yyyymmdd>.zip") holding the day's files; Folio keeps the one
//   named INN<yymmdd>01ACOMN (adapters/statements/unionpay_inn.h), whose
//   MMDD must be settleDate's. A fileContent that is already a ZIP after
//   base64 (PK\3\4) is read as one. Each failure -> gateway_response_invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/gateways/cert_chain.h"
#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/gateway_api.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::gateways {

inline constexpr std::string_view kUnionPayBackTransPath = "/gateway/api/backTransReq.do";
inline constexpr std::string_view kUnionPayQueryPath = "/gateway/api/queryTrans.do";
inline constexpr std::string_view kUnionPayFileTransPath = "/gateway/api/fileTransRequest.do";

// The largest INN file, and archive, the file transfer answer may unpack to
// (a zip bomb stops here). Default sizes hold about 100,000 transactions.
inline constexpr std::uint64_t kUnionPayFileBytesMax = 64ULL << 20;

// The transaction detail file of a file transfer answer.
struct UnionPayFile {
  std::string archive_name;  // fileName: "<merId>_<yyyymmdd>.zip"
  std::string name;          // "INN<yymmdd>01ACOMN"
  std::string bytes;         // the file as UnionPay wrote it (GBK, fixed width)
};

struct UnionPayApiConfig {
  std::string mer_id;
  // PEM RSA >= 2048 private key of our signing certificate.
  std::string merchant_private_key_pem;
  // That certificate's serial number in decimal (ACP's certId).
  std::string merchant_cert_id;
  // UnionPay's root and middle certificates (PEM): the chain signPubKeyCert
  // must verify against.
  std::string root_cert_pem;
  std::string middle_cert_pem;
  // The organisation in signPubKeyCert's CN (cert_chain.h). Default: UnionPay's
  // production name; empty: not checked (only for a test CA without one).
  std::string expected_cert_org = std::string(kUnionPayCertOrg);
  // Our backend notification URL (backUrl) for QR orders and refunds.
  std::string back_url;
};

// ACP's limits: orderId 8 to 40 letters and digits (no '-' or '_').
inline constexpr std::size_t kUnionPayOrderIdBytesMin = 8;
inline constexpr std::size_t kUnionPayOrderIdBytesMax = 40;

// The keys and the trust store, parsed once. Thread-safe (const methods).
// Builders: bad arguments -> invalid_argument; `now_s` and the original
// transaction's `orig_txn_s` are Unix seconds (0 <= s <= domain::kShanghaiTimeMaxS).
// Parsers: `now_s` is when the answer arrived (the certificate validity check).
class UnionPayApi {
 public:
  // gateway_config_invalid: a key or certificate does not parse, mer_id,
  // merchant_cert_id or back_url empty.
  static Result<UnionPayApi> Create(UnionPayApiConfig config);

  // A dynamic QR code for `order_id` (our payment id) of `amount` (CNY).
  Result<OutboundRequest> ApplyQrCode(std::string_view order_id, const Money& amount,
                                      std::int64_t now_s) const;
  // Refund `amount` of the payment UnionPay named `orig_query_id`;
  // `refund_order_id` is our refund id (resending it never refunds twice).
  Result<OutboundRequest> Refund(std::string_view refund_order_id, std::string_view orig_query_id,
                                 const Money& amount, std::int64_t now_s) const;
  // The status of the transaction `order_id` sent at `orig_txn_s` (a QR order
  // or a refund: ACP names a transaction by orderId and txnTime).
  Result<OutboundRequest> Query(std::string_view order_id, std::int64_t orig_txn_s) const;
  // The merchant reconciliation file of `settle_date` ("MMDD": ACP names no
  // year; UnionPay keeps the recent ones).
  Result<OutboundRequest> FileTransfer(std::string_view settle_date, std::int64_t now_s) const;

  // respCode 00 with qrCode.
  Result<CreatedTrade> ParseApplyQrCode(const InboundResponse& r, std::string_view order_id,
                                        std::int64_t now_s) const;
  // respCode 00: accepted, the result comes by notification or query ->
  // kProcessing with gateway_refund_id = queryId. Signed 12 (duplicate
  // transaction: this refund_order_id was already sent, e.g. a retry after a
  // lost answer or a 03/04/05) -> kProcessing as well: query it.
  Result<RefundAnswer> ParseRefund(const InboundResponse& r, std::string_view refund_order_id,
                                   std::int64_t now_s) const;
  // By origRespCode: 00 -> kPaid (queryId, txnAmt), 03/04/05 -> kPending,
  // another -> kFailed; respCode 34 -> kNotFound.
  Result<TradeQuery> ParseQuery(const InboundResponse& r, std::string_view order_id,
                                std::int64_t now_s) const;
  // The same answer for a refund's orderId: 00 -> kSucceeded (refunded =
  // txnAmt), 03/04/05 -> kProcessing, another -> kFailed, 34 -> kNotFound.
  Result<RefundAnswer> ParseRefundQuery(const InboundResponse& r, std::string_view refund_order_id,
                                        std::int64_t now_s) const;
  // respCode 00 with settleDate == `settle_date` and a fileContent holding
  // INN<yymmdd>01ACOMN of that MMDD: the file (see fileContent above).
  Result<UnionPayFile> ParseFileTransfer(const InboundResponse& r, std::string_view settle_date,
                                         std::int64_t now_s) const;

 private:
  UnionPayApi(UnionPayApiConfig config, crypto::Pkey merchant_key, CertChainVerifier verifier);

  OutboundRequest Build(std::string_view path, FormPairs fields) const;
  struct Answer;
  // `order_id`: the orderId a success must echo; nullopt for a call that
  // names none (the file transfer), whose answer must echo none.
  Result<Answer> Read(const InboundResponse& r, std::optional<std::string_view> order_id,
                      std::int64_t now_s) const;

  UnionPayApiConfig config_;
  crypto::Pkey merchant_key_;
  CertChainVerifier verifier_;
};

}  // namespace folio::gateways
