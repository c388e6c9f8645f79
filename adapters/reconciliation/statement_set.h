// The files of one reconciliation run: one statement file, or several files
// of one source (a day's camt.053 files) read as one, in the order given.
//
// An Alipay archive (.zip) is opened and its trade detail extracted to a
// temporary file, removed when the set is destroyed. Parse merges the files'
// headers (lines, statements and checks add up; account, currency and
// opening come from the first file, closing from the last; the period spans
// all) and numbers lines on through the files: the second file's first line
// is the first file's line count + 1, so every line number names one line.
//
// Thread-compatible; not copyable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/statements/statement.h"
#include "events/hash.h"

namespace folio::reconciliation {

class StatementSet {
 public:
  StatementSet();
  ~StatementSet();
  StatementSet(const StatementSet&) = delete;
  StatementSet& operator=(const StatementSet&) = delete;

  // REQUIRES: `paths` is not empty. `settle_date_ns`: ParseOptions::
  // settle_date_ns of every file (UnionPay's times name no year). Default: 0.
  Status Open(statements::Source source, const std::vector<std::string>& paths,
              std::int64_t settle_date_ns = 0);
  // Parses every file in order into `sink`; the first error stops it.
  Result<statements::Header> Parse(const statements::LineSink& sink) const;

 private:
  struct File;
  statements::Source source_ = statements::Source::kCsv;
  std::vector<std::unique_ptr<File>> files_;
};

// SHA-256 of one file, or of several files' SHA-256s (32 bytes each, in order).
Result<Hash32> SetSha256(const std::vector<std::string>& paths);

}  // namespace folio::reconciliation
