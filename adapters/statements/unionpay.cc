// UnionPay's merchant reconciliation file, the detail file INN<yymmdd>01ACOMN:
// fixed-width records, the layout and its source in unionpay_inn.h.
//
// Checks, per record, in this order (the first failing one decides):
//   statement_encoding        a NUL byte
//   statement_truncated       shorter than the fields Folio reads (322 bytes)
//   statement_malformed       longer than a record (607 bytes); a field boundary
//                             that is not a space; a 交易代码 other than S22/S30;
//                             a 交易传输时间 that is not a real MMDDhhmmss; an
//                             empty or non-ASCII queryId, orderId or merId; a
//                             refund without origQryId; no settle date known
//   statement_amount_invalid  交易金额 not 12 digits; 商户手续费 not C/D + 12
//                             digits, or D on a refund / C on a payment
// A file cut at a line boundary cannot be told from a shorter one (the
// format has no totals line): the recon run reports the missing lines.
#include <algorithm>
#include <array>

#include "adapters/statements/text.h"
#include "adapters/statements/unionpay_inn.h"
#include "engine/domain/civil_time.h"

namespace folio::statements {
namespace {

namespace up = unionpay;

// Field i of `rec` as written (padding included); the part a short line has.
std::string_view Raw(std::string_view rec, std::size_t i) {
  const std::size_t at = up::InnOffset(i);
  if (at >= rec.size()) return {};
  return rec.substr(at, std::min(up::kInnFields[i].width, rec.size() - at));
}

std::string FieldName(std::size_t i) {
  return std::to_string(i + 1) + " " + std::string(up::kInnFields[i].name);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Num(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

Status CheckShape(std::string_view rec, std::uint32_t no) {
  if (rec.find('\0') != std::string_view::npos) {
    return LineError(kStatementEncoding, no, "a NUL byte: binary, not a UnionPay file");
  }
  if (rec.size() > up::kInnRecordBytes) {
    return LineError(
        kStatementMalformed, no,
        std::to_string(rec.size()) + " bytes: a record is " + std::to_string(up::kInnRecordBytes));
  }
  if (rec.size() < up::kInnBytesMin) {
    return LineError(kStatementTruncated, no,
                     std::to_string(rec.size()) + " bytes: the record stops before field " +
                         FieldName(up::kMerId) + " ends (byte " + std::to_string(up::kInnBytesMin) +
                         ")");
  }
  for (std::size_t i = 1; i < up::kInnFields.size(); ++i) {
    const std::size_t gap = up::InnOffset(i) - 1;
    if (gap < rec.size() && rec[gap] != ' ') {
      return LineError(kStatementMalformed, no,
                       "byte " + std::to_string(gap + 1) + " is not the space before field " +
                           FieldName(i) + ": a field does not have its width");
    }
  }
  return OkStatus();
}

// A text field Folio keeps: printable ASCII without blanks inside.
Result<std::string> Id(std::string_view rec, std::size_t i, bool required, std::uint32_t no) {
  const std::string_view v = Trim(Raw(rec, i));
  for (char c : v) {
    if (c <= ' ' || c > '~') {
      return LineError(kStatementMalformed, no, "field " + FieldName(i) + " is not plain ASCII");
    }
  }
  if (required && v.empty()) return LineError(kStatementMalformed, no, FieldName(i) + " is empty");
  return std::string(v);
}

Result<u128> Fen(std::string_view text, std::size_t i, std::uint32_t no) {
  if (text.size() != 12 || !AllDigits(text)) {
    return LineError(kStatementAmountInvalid, no,
                     "field " + FieldName(i) + " '" + std::string(text) + "' is not 12 digits");
  }
  return *U128FromString(text);
}

// MMDDhhmmss in Asia/Shanghai, in the year that puts it nearest the settle date.
Result<std::int64_t> TransmittedAt(std::string_view t, std::int64_t settle_ns, std::uint32_t no) {
  if (t.size() != 10 || !AllDigits(t)) {
    return LineError(kStatementMalformed, no,
                     "交易传输时间 '" + std::string(t) + "' is not MMDDhhmmss");
  }
  const int month = Num(t, 0, 2), day = Num(t, 2, 2), h = Num(t, 4, 2), m = Num(t, 6, 2),
            s = Num(t, 8, 2);
  if (h > 23 || m > 59 || s > 59) {
    return LineError(kStatementMalformed, no, "交易传输时间 '" + std::string(t) + "': bad time");
  }
  const std::int32_t year = domain::ShanghaiDate(settle_ns).year;
  std::optional<std::int64_t> best;
  for (std::int32_t y : {year - 1, year, year + 1}) {
    auto midnight = ShanghaiMidnight(y, month, day, no);
    if (!midnight.ok()) continue;  // 0229 of a common year, or no such date at all
    const std::int64_t at =
        *midnight + ((static_cast<std::int64_t>(h) * 60 + m) * 60 + s) * 1'000'000'000LL;
    auto distance = [settle_ns](std::int64_t x) {
      return x > settle_ns ? x - settle_ns : settle_ns - x;
    };
    if (!best || distance(at) < distance(*best)) best = at;
  }
  if (!best) {
    return LineError(kStatementMalformed, no,
                     "交易传输时间 '" + std::string(t) + "': no such date");
  }
  return *best;
}

// "INN<yymmdd>..." (the name UnionPay gives the file) -> its settle date.
std::optional<std::int64_t> SettleDateFromName(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name.size() < 9 || name.substr(0, 3) != "INN" || !AllDigits(name.substr(3, 6))) {
    return std::nullopt;
  }
  auto d = ShanghaiMidnight(2000 + Num(name, 3, 2), Num(name, 5, 2), Num(name, 7, 2), 0);
  if (!d.ok()) return std::nullopt;
  return *d;
}

Result<Line> ReadRecord(std::string_view rec, std::int64_t settle_ns, std::uint32_t no) {
  Line l;
  l.line_no = no;
  const std::string_view code = Trim(Raw(rec, up::kTxnCode));
  if (code == up::kTxnCodeRefund) {
    l.is_refund = true;
    l.is_debit = true;
  } else if (code != up::kTxnCodePayment) {
    return LineError(kStatementMalformed, no,
                     "交易代码 '" + std::string(code) + "' is neither S22 (消费) nor S30 (退货)");
  }
  l.status = std::string(code);
  ASSIGN_OR_RETURN(l.booked_at_ns, TransmittedAt(Raw(rec, up::kTransmittedAt), settle_ns, no));
  ASSIGN_OR_RETURN(u128 amount, Fen(Raw(rec, up::kAmount), up::kAmount, no));
  l.amount = Money(Asset::CNY, amount);
  const std::string_view fee = Raw(rec, up::kMerchantFee);
  if (fee.size() != 13 || (fee[0] != 'C' && fee[0] != 'D')) {
    return LineError(kStatementAmountInvalid, no,
                     "商户手续费 '" + std::string(fee) + "' is not C or D and 12 digits");
  }
  ASSIGN_OR_RETURN(u128 fee_fen, Fen(fee.substr(1), up::kMerchantFee, no));
  // D: the merchant pays (a payment's fee); C: it is given back (a refund's).
  if (fee_fen != 0 && (fee[0] == 'D') == l.is_refund) {
    return LineError(kStatementAmountInvalid, no,
                     std::string("商户手续费 ") +
                         (l.is_refund ? "debited on a refund" : "credited on a payment"));
  }
  l.fee = Money(Asset::CNY, fee_fen);
  ASSIGN_OR_RETURN(l.reference, Id(rec, up::kQueryId, true, no));
  ASSIGN_OR_RETURN(l.order_ref, Id(rec, up::kOrderId, true, no));
  ASSIGN_OR_RETURN(l.original_ref, Id(rec, up::kOrigQueryId, l.is_refund, no));
  if (!l.is_refund) l.original_ref.clear();
  return l;
}

}  // namespace

Result<Header> ParseUnionPay(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  Header h;
  h.asset = Asset::CNY;
  h.currency = "CNY";
  h.statements = 1;
  std::optional<std::int64_t> settle_ns = SettleDateFromName(opts.file_name);
  if (!settle_ns && opts.settle_date_ns != 0) settle_ns = opts.settle_date_ns;
  LineReader reader(in, opts.line_bytes_max);
  std::string rec;
  Status err;
  while (reader.Next(&rec, &err)) {
    const std::uint32_t no = reader.line_no();
    if (Trim(rec).empty()) continue;
    RETURN_IF_ERROR(CheckShape(rec, no));
    if (!settle_ns) {
      return LineError(kStatementMalformed, no,
                       "the settle date is unknown: the file is not named INN<yymmdd>01ACOMN "
                       "and none was given");
    }
    ASSIGN_OR_RETURN(Line l, ReadRecord(rec, *settle_ns, no));
    ASSIGN_OR_RETURN(std::string mer_id, Id(rec, up::kMerId, true, no));
    if (h.account.empty()) h.account = std::move(mer_id);
    ++h.lines;
    RETURN_IF_ERROR(sink(l));
  }
  if (!err.ok()) return err;
  return h;
}

}  // namespace folio::statements
