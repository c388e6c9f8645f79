#include "adapters/reconciliation/statement_set.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "adapters/reconciliation/import.h"
#include "adapters/statements/zip_archive.h"
#include "events/codes.h"

namespace folio::reconciliation {

// The file to parse: the statement itself, or the detail CSV extracted from
// an Alipay archive (.zip) into a temporary file removed on destruction.
struct StatementSet::File {
  std::string path, temp;
  statements::ParseOptions options;
  std::uint32_t lines_before = 0;  // physical lines of the files before this one

  Status Open(statements::Source source, const std::string& p) {
    path = p;
    options.file_name = p;
    const bool zip = p.size() > 4 && p.compare(p.size() - 4, 4, ".zip") == 0;
    if (source != statements::Source::kAlipay || !zip) return OkStatus();
    ASSIGN_OR_RETURN(auto entries, statements::ListZip(p));
    ASSIGN_OR_RETURN(statements::ZipEntry entry, statements::AlipayDetailEntry(entries));
    std::string tmpl = (std::filesystem::temp_directory_path() / "folio-alipay-XXXXXX").string();
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) return Status::Error(codes::kIoError, "cannot create a temporary file");
    close(fd);
    temp = tmpl;
    RETURN_IF_ERROR(statements::ExtractZipEntry(p, entry, temp));
    path = temp;
    options.file_name = entry.name;
    return OkStatus();
  }
  ~File() {
    std::error_code ec;
    if (!temp.empty()) std::filesystem::remove(temp, ec);
  }
};

namespace {

Result<std::uint32_t> PhysicalLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(codes::kIoError, "cannot open " + path);
  std::uint64_t n = 0;
  char last = '\n';
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    for (std::size_t i = 0; i < got; ++i)
      if (buf[i] == '\n') ++n;
    if (got > 0) last = buf[got - 1];
  }
  if (last != '\n') ++n;
  if (n > UINT32_MAX / 2) return Status::Error(statements::kStatementTooLarge, path);
  return static_cast<std::uint32_t>(n);
}

void Merge(statements::Header& all, statements::Header& next, std::uint32_t offset) {
  all.lines += next.lines;
  all.statements += next.statements;
  for (statements::StatementCheck& c : next.checks) {
    c.line_no += offset;
    all.checks.push_back(std::move(c));
  }
  if (next.has_balances) {
    if (!all.has_balances) {
      all.opening = next.opening;
      all.opening_is_debit = next.opening_is_debit;
    }
    all.closing = next.closing;
    all.closing_is_debit = next.closing_is_debit;
    all.has_balances = true;
  }
  if (next.period_start_ns != 0 || next.period_end_ns != 0) {
    const bool none = all.period_start_ns == 0 && all.period_end_ns == 0;
    all.period_start_ns =
        none ? next.period_start_ns : std::min(all.period_start_ns, next.period_start_ns);
    all.period_end_ns = std::max(all.period_end_ns, next.period_end_ns);
  }
}

}  // namespace

StatementSet::StatementSet() = default;
StatementSet::~StatementSet() = default;

Status StatementSet::Open(statements::Source source, const std::vector<std::string>& paths,
                          std::int64_t settle_date_ns) {
  source_ = source;
  std::uint32_t before = 0;
  for (const std::string& p : paths) {
    auto f = std::make_unique<File>();
    RETURN_IF_ERROR(f->Open(source, p));
    f->options.settle_date_ns = settle_date_ns;
    f->lines_before = before;
    if (paths.size() > 1) {
      ASSIGN_OR_RETURN(std::uint32_t n, PhysicalLines(f->path));
      before += n;
    }
    files_.push_back(std::move(f));
  }
  return OkStatus();
}

Result<statements::Header> StatementSet::Parse(const statements::LineSink& sink) const {
  statements::Header all;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    const File& f = *files_[i];
    const std::uint32_t offset = f.lines_before;
    auto shifted = [&](const statements::Line& l) {
      if (offset == 0) return sink(l);
      statements::Line moved = l;
      moved.line_no += offset;
      return sink(moved);
    };
    auto h = statements::ParseStatementFile(source_, f.path, shifted, f.options);
    if (!h.ok()) {
      if (files_.size() == 1) return h.status();
      return Status::Error(h.status().code(), f.options.file_name + ": " + h.status().message());
    }
    if (i == 0) {
      all = std::move(h).value();
    } else {
      Merge(all, *h, offset);
    }
  }
  return all;
}

Result<Hash32> SetSha256(const std::vector<std::string>& paths) {
  if (paths.size() == 1) return FileSha256(paths[0]);
  std::string hashes;
  for (const std::string& p : paths) {
    ASSIGN_OR_RETURN(Hash32 h, FileSha256(p));
    hashes.append(reinterpret_cast<const char*>(h.data()), h.size());
  }
  return Sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(hashes.data()),
                                              hashes.size()));
}

}  // namespace folio::reconciliation
