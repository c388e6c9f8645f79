// Statement parsers: gateway bills and bank statements, read as a stream of
// lines with bounded memory (one line, or one XML entry, at a time).
//
// Every parser rejects malformed input with a stable code (below,
// docs/reconciliation.md) and a message that starts with "line N: ", N the
// 1-based physical line of the file; none crashes or reads past its input on
// hostile bytes. Amounts are exact (Amount: every digit the file gave, in any
// ISO 4217 currency), never floats; a sign in the file becomes `is_debit`.
// A currency the ledger does not hold, an amount with digits below the minor
// unit, a pending entry or a statement whose balances do not add up are not
// errors: the line or the check is delivered and reconciliation reports it. Times in gateway bills
// are Asia/Shanghai wall time (fixed UTC+8, engine/domain/civil_time.h) converted to UTC ns.
//
// Thread-compatible: a parse uses only its own stream and sink.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include <vector>

#include "adapters/statements/amount.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::statements {

// Stable error codes of the parsers (documented in docs/reconciliation.md).
inline constexpr std::string_view kStatementMalformed = "statement_malformed";
inline constexpr std::string_view kStatementEncoding = "statement_encoding";
inline constexpr std::string_view kStatementMissingColumn = "statement_missing_column";
inline constexpr std::string_view kStatementAmountInvalid = "statement_amount_invalid";
inline constexpr std::string_view kStatementTruncated = "statement_truncated";
inline constexpr std::string_view kStatementSummaryFile = "statement_summary_file";
inline constexpr std::string_view kStatementTooLarge = "statement_too_large";

// New sources go last: the fuzz targets are numbered by this order.
enum class Source { kAlipay, kWechatPay, kCamt053, kMt940, kCsv, kUnionPay };

// "alipay", "wechatpay", "camt053", "mt940", "csv", "unionpay".
std::string_view SourceName(Source s);
std::optional<Source> SourceFromName(std::string_view name);

// One movement on the statement.
struct Line {
  std::uint32_t line_no = 0;  // 1-based physical line (camt.053: the <Ntry> start)
  std::string reference;      // gateway transaction / refund id; bank reference
  std::string order_ref;      // merchant order (or refund request) number; end-to-end id
  std::string original_ref;   // refunds: the gateway id of the refunded payment
  Amount amount;              // gross amount, unsigned, exact
  Amount fee;                 // gateway fee, unsigned; on a refund the fee given back
  bool is_debit = false;      // money out of the account (refund, disbursement)
  bool is_refund = false;     // a gateway refund row
  std::string status;         // as printed ("SUCCESS", "REFUND", "BOOK", ...); may be empty
  std::string description;
  std::int64_t booked_at_ns = 0;  // UTC
  // Appended for real-world files (issue 18):
  bool booked = true;        // camt.053 Sts PDNG/INFO: reported, never reconciled
  bool is_reversal = false;  // camt.053 RvslInd, MT940 RC/RD
  std::string statement_id;  // which statement of the file (camt.053 Stmt/Id, MT940 :20:/:28C:)
  std::vector<std::string> other_refs;  // more references to match on (EREF, KREF, InstrId, ...)
};

// The check of one statement of a file against itself: opening balance plus
// the entries equals the closing balance (camt.053, MT940), the gateway's
// totals lines equal the sums of its lines (WeChat Pay, Alipay).
struct StatementCheck {
  std::string statement_id;
  std::uint32_t line_no = 0;  // where the statement (or the totals line) starts
  bool consistent = true;
  std::string note;  // what was compared, exactly ("opening ... + ... = ..., closing says ...")
};

// What the statement says about itself. Fields the format lacks stay empty.
struct Header {
  std::string account;
  Asset asset = Asset::Unknown;      // the ledger's asset of `currency`, or Unknown
  std::int64_t period_start_ns = 0;  // [start, end); 0/0 when the file has none
  std::int64_t period_end_ns = 0;
  bool has_balances = false;      // camt.053, MT940, CSV with balance comments
  Amount opening;                 // of the first statement of the file
  Amount closing;                 // of the last statement of the file
  bool closing_is_debit = false;  // an overdrawn closing balance
  std::uint32_t lines = 0;        // movements delivered to the sink
  // Appended for real-world files (issue 18):
  std::string currency;                // ISO 4217 code of the first statement ("SEK")
  bool opening_is_debit = false;       // an overdrawn opening balance
  std::uint32_t statements = 0;        // statements in the file (camt.053 Stmt, MT940 :20:)
  std::vector<StatementCheck> checks;  // one per statement or totals line
};

// Largest number of statements one file may hold (each keeps a check).
inline constexpr std::uint32_t kStatementsPerFileMax = 100'000;

struct ParseOptions {
  // Asset when the file does not name one (Alipay is always CNY). Default: CNY.
  Asset default_asset = Asset::CNY;
  // A physical line (or XML text run) longer than this is statement_too_large.
  // Default: 64 KiB.
  std::size_t line_bytes_max = 64 * 1024;
  // File name, to refuse Alipay summary files (汇总); UnionPay: the settle
  // date of "INN<yymmdd>01ACOMN". Default: empty.
  std::string file_name;
  // UnionPay: a time (UTC ns) in the file's settle date, when its name does
  // not give it. Its times are MMDDhhmmss: each gets the year that puts it
  // nearest this day. Default: 0 (from file_name; neither is
  // statement_malformed).
  std::int64_t settle_date_ns = 0;
};

// Called once per movement, in file order. A non-OK status stops the parse
// and is returned as is.
using LineSink = std::function<Status(const Line&)>;

// Parses `in` as `source`. On success the header (with the line count); on
// failure the first error. Lines already delivered stay delivered: callers
// that need all-or-nothing collect first.
Result<Header> ParseStatement(Source source, std::istream& in, const LineSink& sink,
                              const ParseOptions& opts = {});

// Opens `path` (binary) and parses it; io_error when it cannot be read.
Result<Header> ParseStatementFile(Source source, const std::string& path, const LineSink& sink,
                                  ParseOptions opts = {});

// The parsers, one per format (alipay.cc, wechatpay.cc, camt053.cc, mt940.cc, csv.cc,
// unionpay.cc).
Result<Header> ParseAlipay(std::istream& in, const LineSink& sink, const ParseOptions& opts);
Result<Header> ParseWechatPay(std::istream& in, const LineSink& sink, const ParseOptions& opts);
Result<Header> ParseCamt053(std::istream& in, const LineSink& sink, const ParseOptions& opts);
Result<Header> ParseMt940(std::istream& in, const LineSink& sink, const ParseOptions& opts);
Result<Header> ParseCsv(std::istream& in, const LineSink& sink, const ParseOptions& opts);
Result<Header> ParseUnionPay(std::istream& in, const LineSink& sink, const ParseOptions& opts);

}  // namespace folio::statements
