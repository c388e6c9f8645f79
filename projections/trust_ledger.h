// Trust ledgers (projection "trust"): every movement of client money, per
// client and matter, line by line with running balances; per-matter and
// per-client totals; the trust general ledger (bank:trust across clients);
// and the negative-balance check. Format and semantics: docs/trust-and-stats.md.
//
// Lines come from TrustDepositRecorded (kind "deposit", also for payments to
// trust), TrustDepositCleared ("clearance"), TrustDisbursementRecorded
// ("disbursement"), TrustFeeTransferred ("fee_transfer") and
// TrustRefundedToClient ("refund_to_client"). Running balances are per
// (client, matter, asset).
//
// Clearing is recorded both ways: the clearance gets its own line (amount =
// cleared amount; running_balance unchanged, running_cleared_balance up), and
// the deposit line's cleared_seq is set. A deposit line is `cleared` as of
// sequence N when cleared_seq != 0 and cleared_seq <= N, so as-of answers stay
// exact. Deposits recorded with cleared = true have cleared_seq = their seq.
//
// State keys (key parts: projections/row_codec.h; seq big-endian):
//   "l/" client matter seq           -> line
//   "d/" deposit_id                  -> key of the deposit's line
//   "m/" client matter asset(u8)     -> matter totals
//   "c/" client asset(u8)            -> client totals (sum over matters)
//   "n/" client matter asset(u8)     -> matter totals, only while a balance is negative
//   "g/" seq                         -> general-ledger line (moves of bank:trust)
//   "t/" asset(u8)                   -> running bank:trust balance (signed)
//
// Hostile logs (outflows beyond the balance, clearances of unknown deposits,
// missing fields, Asset::Unknown) are recorded as they come: balances go
// negative and NegativeMatters reports them; nothing aborts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projection.h"
#include "projections/reader.h"
#include "projections/row_codec.h"

namespace folio::projections {

enum class TrustLineKind : std::uint8_t {
  kDeposit = 1,
  kClearance = 2,
  kDisbursement = 3,
  kFeeTransfer = 4,
  kRefundToClient = 5,
};
// "deposit", "clearance", "disbursement", "fee_transfer", "refund_to_client".
std::string_view TrustLineKindName(TrustLineKind kind);

struct TrustLine {
  std::uint64_t seq = 0;
  std::int64_t occurred_at_ns = 0;
  std::string client_id;
  std::string matter_id;
  TrustLineKind kind = TrustLineKind::kDeposit;
  std::string txn_id;        // deposit / disbursement / transfer / refund id
  std::string reference;     // deposit and disbursement reference; invoice of a fee transfer
  std::string counterparty;  // payer of a deposit, payee of a disbursement, client of a refund
  std::string purpose;       // disbursement purpose; empty otherwise
  fb::Method method = fb::Method::Unknown;  // deposits only
  Asset asset = Asset::Unknown;
  u128 amount_minor = 0;
  SignedMinor running_balance;          // matter balance in `asset` after this line
  SignedMinor running_cleared_balance;  // cleared funds in `asset` after this line
  bool cleared = false;                 // deposits: cleared as of the query; every other kind: true
  std::uint64_t cleared_seq = 0;        // deposits: seq of the clearing (0 = not yet)

  // Money in (deposit) or out (disbursement, fee transfer, refund); clearances move nothing.
  bool is_inflow() const { return kind == TrustLineKind::kDeposit; }
  bool is_outflow() const { return kind > TrustLineKind::kClearance; }
  // Shanghai civil date, "YYYY-MM-DD".
  std::string date() const;
};

// Totals of a matter, or of a client over its matters, in one asset.
struct TrustTotals {
  std::string client_id;
  std::string matter_id;  // empty for client totals
  Asset asset = Asset::Unknown;
  u128 deposits_minor = 0;
  u128 cleared_minor = 0;  // deposit amounts cleared (incl. cleared on receipt)
  u128 disbursements_minor = 0;
  u128 fee_transfers_minor = 0;
  u128 refunds_to_client_minor = 0;
  SignedMinor balance;          // deposits - outflows
  SignedMinor cleared_balance;  // cleared - outflows
  std::uint64_t line_count = 0;
  std::uint64_t last_seq = 0;
  friend bool operator==(const TrustTotals&, const TrustTotals&) = default;
};

struct TrustGlLine {
  std::uint64_t seq = 0;
  std::int64_t occurred_at_ns = 0;
  std::string client_id;
  std::string matter_id;
  TrustLineKind kind = TrustLineKind::kDeposit;
  std::string txn_id;
  Asset asset = Asset::Unknown;
  u128 amount_minor = 0;
  SignedMinor bank_trust_balance;  // bank:trust in `asset` after this line (debit balance)
};

class TrustLedgerProjection final : public Projection {
 public:
  std::string_view name() const override { return "trust"; }
  std::uint32_t version() const override { return 1; }
  void Apply(const EventRecord& event, ProjectionStore& store) override;
};

// Lines of one matter in sequence order; with as_of_seq only lines with
// seq <= as_of_seq, and deposits cleared after it show as not cleared.
std::vector<TrustLine> MatterLedger(ProjectionReader& reader, std::string_view client,
                                    std::string_view matter,
                                    std::optional<std::uint64_t> as_of_seq = std::nullopt);
// Lines of every matter of a client: by matter id, then sequence.
std::vector<TrustLine> ClientLedger(ProjectionReader& reader, std::string_view client,
                                    std::optional<std::uint64_t> as_of_seq = std::nullopt);
// Per-asset totals of one matter / of a client. With as_of_seq they are
// recomputed from the lines (cost: the client's lines), else read directly.
std::vector<TrustTotals> MatterTotals(ProjectionReader& reader, std::string_view client,
                                      std::string_view matter,
                                      std::optional<std::uint64_t> as_of_seq = std::nullopt);
std::vector<TrustTotals> ClientTotals(ProjectionReader& reader, std::string_view client,
                                      std::optional<std::uint64_t> as_of_seq = std::nullopt);
// Every (client, matter, asset) whose balance or cleared balance is negative.
// With as_of_seq recomputed from all lines (cost: the whole trust ledger).
std::vector<TrustTotals> NegativeMatters(ProjectionReader& reader,
                                         std::optional<std::uint64_t> as_of_seq = std::nullopt);
// The trust general ledger: every movement of bank:trust, in sequence order,
// from_seq <= seq <= as_of_seq, at most `limit_lines` lines.
std::vector<TrustGlLine> TrustGeneralLedger(ProjectionReader& reader, std::uint64_t from_seq = 0,
                                            std::optional<std::uint64_t> as_of_seq = std::nullopt,
                                            std::size_t limit_lines = 100000);

// The line of one movement (a general-ledger line names its client, matter
// and seq); nullopt when there is none or it does not decode.
std::optional<TrustLine> TrustLineAt(ProjectionReader& reader, std::string_view client,
                                     std::string_view matter, std::uint64_t seq);

// JSON answers (fixed key order, amounts as decimal strings, see docs/trust-and-stats.md).
std::string TrustLedgerJson(std::string_view client, std::string_view matter,
                            const std::vector<TrustLine>& lines,
                            const std::vector<TrustTotals>& totals,
                            std::optional<std::uint64_t> as_of_seq);
std::string TrustTotalsJson(const std::vector<TrustTotals>& totals);
std::string TrustGeneralLedgerJson(const std::vector<TrustGlLine>& lines);

// Row codecs, exposed for tests. Decoders return nullopt on any malformed row.
std::string EncodeTrustLine(const TrustLine& line);  // client and matter live in the key
std::optional<TrustLine> DecodeTrustLine(std::string_view row);
std::string EncodeTrustTotals(const TrustTotals& totals);
std::optional<TrustTotals> DecodeTrustTotals(std::string_view row);

}  // namespace folio::projections
