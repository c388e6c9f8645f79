// Shared by the tests that compare reports read from projections with the
// old folds of the log (trust_statement_itest.cpp, stats_report_itest.cpp):
// writing a history, bringing one projection up to the head, the header
// line only the new reports have, and the text helpers of the old folds
// (adapters/reports/reports.cc at 7b7b183).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/reports/report_model.h"
#include "adapters/reports/reports.h"
#include "engine/domain/civil_time.h"
#include "engine/log_store.h"
#include "engine/writer.h"
#include "events/hash.h"
#include "events/money.h"
#include "projections/projector.h"
#include "tests/projections/balances_history.h"

namespace folio::reports::testing {

// Runs commands [from, to) of `h` through a writer; the last durable seq.
inline std::uint64_t Append(LogStore* store, const folio::testing::CommandList& h, std::size_t from,
                            std::size_t to) {
  auto w = Writer::Start(store);
  REQUIRE(w.ok());
  return folio::testing::RunCommands(**w, h, from, to);
}

// Brings projection P alone up to the head.
template <typename P>
void CatchUp(LogStore* store) {
  std::vector<std::unique_ptr<projections::Projection>> ps;
  ps.push_back(std::make_unique<P>());
  projections::ProjectorOptions po;
  po.background = false;
  auto p = projections::Projector::Start(store, std::move(ps), po);
  REQUIRE(p.ok());
  REQUIRE((*p)->CatchUp().ok());
}

// A report names the hash of the event it was made at, next to its seq (the
// folds it is compared with predate that line): checked, then removed.
inline void StripAsOfHash(const LogStore& store, std::uint64_t as_of, Report* r) {
  auto e = store.ReadEvent(as_of);
  REQUIRE(e.ok());
  REQUIRE(e->has_value());
  auto at = std::find_if(r->header.begin(), r->header.end(),
                         [](const auto& kv) { return kv.first == "report_as_of_hash"; });
  REQUIRE(at != r->header.end());
  REQUIRE(at != r->header.begin());
  CHECK((at - 1)->first == "report_as_of_seq");
  CHECK(at->second == ToHex((*e)->hash()));
  r->header.erase(at);
}

// BuildReport(q) against the old fold's report: the same bytes in JSON, CSV
// and HTML once the hash line is checked and set aside.
template <typename Fold>
void CheckSameAsFold(const ReportRequest& q, const LogStore& store, Fold fold) {
  auto got = BuildReport(q, store);
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  const std::uint64_t as_of = q.as_of_seq;
  StripAsOfHash(store, as_of, &*got);
  auto want = fold(q, store, as_of);
  REQUIRE(want.ok());
  CHECK(RenderJson(*got) == RenderJson(*want));
  CHECK(RenderCsv(*got) == RenderCsv(*want));
  CHECK(RenderHtml(*got) == RenderHtml(*want));
}

// --- the old folds' text helpers ----------------------------------------------

inline std::string_view FoldSv(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : s->string_view();
}
inline Money FoldMoney(const fb::Money* m) { return m == nullptr ? Money() : Money::FromFb(*m); }
inline std::string FoldAmount(const Money& m) {
  return m.asset() == Asset::Unknown ? std::string("0") : m.ToString();
}
inline std::string FoldSigned(bool negative, const Money& m) {
  return (negative && !m.is_zero() ? "-" : "") + FoldAmount(m);
}
inline std::string FoldPeriod(std::int64_t start, std::int64_t end) {
  if (start == 0 && end == 0) return "all history";
  return domain::ShanghaiDateTimeNs(start) + " to " + domain::ShanghaiDateTimeNs(end) +
         " (Asia/Shanghai, end exclusive)";
}

}  // namespace folio::reports::testing
