#include "adapters/reports/report_model.h"

#include <boost/json.hpp>

namespace folio::reports {
namespace {

std::string CsvCell(std::string_view v) {
  std::string s(v);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '@')) s.insert(0, "'");
  const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"')
      o += "\"\"";
    else
      o.push_back(c);
  }
  return o + "\"";
}

void CsvRow(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += CsvCell(cells[i]);
  }
  out += "\r\n";
}

std::string Html(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o.push_back(c);
    }
  }
  return o;
}

// Right-align cells that are amounts or counts.
bool Numeric(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) return false;
  }
  return true;
}

constexpr const char* kCss = R"(
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",Arial,sans-serif;font-size:10pt;color:#111;margin:24px}
h1{font-size:16pt;margin:0 0 4px}
h2{font-size:12pt;margin:20px 0 6px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin-bottom:6px}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.kv{width:auto}
table.kv th{width:16em}
.verdict{font-size:14pt;font-weight:bold;padding:6px 10px;display:inline-block;margin:8px 0}
.ok{border:2px solid #2a7;color:#174}
.bad{border:2px solid #c33;color:#a11}
.note{color:#555;font-size:9pt}
.empty{color:#777;font-style:italic}
.signoff td{height:36px}
@page{size:A4;margin:15mm}
@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}}
)";

}  // namespace

std::string RenderCsv(const Report& r) {
  std::string out = "\xEF\xBB\xBF";
  CsvRow(out, {"report", r.kind});
  CsvRow(out, {"title", r.title});
  for (const auto& [k, v] : r.header) CsvRow(out, {k, v});
  if (!r.verdict.empty()) CsvRow(out, {"verdict", r.verdict});
  for (const Table& t : r.tables) {
    out += "\r\n";
    CsvRow(out, {"# " + t.name});
    CsvRow(out, t.columns);
    for (const auto& row : t.rows) CsvRow(out, row);
    if (!t.note.empty()) CsvRow(out, {"# " + t.note});
  }
  if (!r.signoff.empty()) {
    out += "\r\n";
    CsvRow(out, {"# signoff"});
    CsvRow(out, {"role", "name", "signature", "date"});
    for (const std::string& s : r.signoff) CsvRow(out, {s, "", "", ""});
  }
  return out;
}

std::string RenderJson(const Report& r) {
  namespace bj = boost::json;
  bj::object o;
  o["report"] = r.kind;
  o["title"] = r.title;
  bj::object h;
  for (const auto& [k, v] : r.header) h[k] = v;
  o["header"] = std::move(h);
  if (!r.verdict.empty()) o["verdict"] = r.verdict;
  bj::object tables;
  for (const Table& t : r.tables) {
    bj::array rows;
    for (const auto& row : t.rows) {
      bj::object ro;
      for (std::size_t i = 0; i < t.columns.size() && i < row.size(); ++i)
        ro[t.columns[i]] = row[i];
      rows.push_back(std::move(ro));
    }
    tables[t.name] = std::move(rows);
  }
  o["tables"] = std::move(tables);
  bj::array s;
  for (const std::string& x : r.signoff) s.push_back(bj::string(x));
  o["signoff"] = std::move(s);
  return bj::serialize(o) + "\n";
}

std::string RenderHtml(const Report& r) {
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  o += Html(r.title);
  o += "</title>\n<style>";
  o += kCss;
  o += "</style>\n</head>\n<body>\n<h1>" + Html(r.title) + "</h1>\n";
  if (!r.verdict.empty()) {
    o += std::string("<div class=\"verdict ") + (r.verdict_ok ? "ok" : "bad") + "\">" +
         Html(r.verdict) + "</div>\n";
  }
  o += "<table class=\"kv\" id=\"header\">\n";
  for (const auto& [k, v] : r.header) {
    o += "<tr><th>" + Html(k) + "</th><td" + (Numeric(v) ? " class=\"n\"" : "") + ">" + Html(v) +
         "</td></tr>\n";
  }
  o += "</table>\n";
  for (const Table& t : r.tables) {
    o += "<h2>" + Html(t.title.empty() ? t.name : t.title) + "</h2>\n";
    if (t.rows.empty()) {
      o += "<p class=\"empty\">None.</p>\n";
    } else {
      o += "<table id=\"" + Html(t.name) + "\">\n<thead><tr>";
      for (const std::string& c : t.columns) o += "<th>" + Html(c) + "</th>";
      o += "</tr></thead>\n<tbody>\n";
      for (const auto& row : t.rows) {
        o += "<tr>";
        for (const std::string& c : row) {
          o += std::string("<td") + (Numeric(c) ? " class=\"n\"" : "") + ">" + Html(c) + "</td>";
        }
        o += "</tr>\n";
      }
      o += "</tbody>\n</table>\n";
    }
    if (!t.note.empty()) o += "<p class=\"note\">" + Html(t.note) + "</p>\n";
  }
  if (!r.signoff.empty()) {
    o += "<h2>Sign-off</h2>\n<table class=\"signoff\">\n<thead><tr><th>Role</th><th>Name</th>"
         "<th>Signature</th><th>Date</th></tr></thead>\n<tbody>\n";
    for (const std::string& s : r.signoff) {
      o += "<tr><td>" + Html(s) + "</td><td></td><td></td><td></td></tr>\n";
    }
    o += "</tbody>\n</table>\n";
  }
  o += "</body>\n</html>\n";
  return o;
}

}  // namespace folio::reports
