// A report as data (header, tables, sign-off) and its three renderings.
//
// Every value is already text (amounts as exact decimal strings, times in
// Asia/Shanghai), so the renderings are pure functions of the model: the
// same report gives the same bytes.
//
//   CSV:  UTF-8 with a BOM (Excel then shows Chinese), CRLF line ends,
//         RFC 4180 quoting; the header as "key,value" rows, then each table
//         after a blank line and a "# name" row. Text cells starting with
//         = + @ get a leading ' (no formula injection).
//   JSON: {"report","title","header":{..},"tables":{name:[{column:value}]},"signoff":[..]}
//   HTML: one self-contained page (inline CSS, no scripts, no external
//         resources), printable (A4, tables repeat their heads across pages).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace folio::reports {

struct Table {
  std::string name;   // machine name: "exceptions"
  std::string title;  // shown in HTML: "Exceptions"
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::string note;  // shown under the table (HTML) / as a "#" row (CSV)
};

struct Report {
  std::string kind;  // "reconciliation-run", "three-way", ...
  std::string title;
  std::vector<std::pair<std::string, std::string>> header;
  std::vector<Table> tables;
  std::vector<std::string> signoff;  // roles to sign: "Prepared by", ...
  std::string verdict;               // e.g. "AGREES" / "DOES NOT AGREE"; HTML shows it large
  bool verdict_ok = true;
};

std::string RenderCsv(const Report& r);
std::string RenderJson(const Report& r);
std::string RenderHtml(const Report& r);

}  // namespace folio::reports
