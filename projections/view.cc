#include "projections/view.h"

#include <exception>

#include "engine/log_cursor.h"
#include "events/codes.h"

namespace folio::projections {

// What Apply writes to while the tail is applied in memory: reads see the
// overlay over the snapshot.
class ProjectionView::Overlay final : public ProjectionStore {
 public:
  explicit Overlay(ProjectionView* view) : view_(view) {}
  std::optional<std::string> Get(std::string_view key) override { return view_->Get(key); }
  void Put(std::string_view key, std::string_view value) override {
    view_->overlay_.insert_or_assign(std::string(key), std::string(value));
  }
  void Delete(std::string_view key) override {
    view_->overlay_.insert_or_assign(std::string(key), std::nullopt);
  }

 private:
  ProjectionView* view_;
};

Result<std::unique_ptr<ProjectionView>> ProjectionView::Open(const LogStore& store,
                                                             Projection& projection,
                                                             std::uint64_t through_seq,
                                                             std::uint64_t tail_events_max) {
  std::unique_ptr<ProjectionView> view(new ProjectionView());
  view->through_seq_ = through_seq;
  Checkpoint from;  // seq 0, the genesis hash
  auto base = RocksProjectionReader::Open(store, projection.name());
  if (base.ok()) {
    // Rows of another version are not this projection's answer.
    if ((*base)->checkpoint().version == projection.version()) {
      from = (*base)->checkpoint();
      view->snapshot_seq_ = from.seq;
      view->base_ = std::move(base).value();
    }
  } else if (base.status().code() != codes::kNotFound) {
    return base.status();
  }
  if (from.seq >= through_seq) return view;
  if (through_seq - from.seq > tail_events_max) {
    return Status::Error(kProjectionLagTimeout,
                         "projection '" + std::string(projection.name()) + "' is " +
                             std::to_string(through_seq - from.seq) + " events behind seq " +
                             std::to_string(through_seq));
  }

  LogCursor cursor(store, from.seq + 1, from.hash);
  Overlay overlay(view.get());
  std::string failed;
  Status read = cursor.Scan(
      [&](EventRecord& e) {
        try {
          projection.Apply(e, overlay);
        } catch (const std::exception& ex) {
          failed = "projection '" + std::string(projection.name()) + "' at seq " +
                   std::to_string(e.seq()) + " failed: " + ex.what();
          return false;
        }
        ++view->events_applied_;
        return true;
      },
      through_seq);
  if (!failed.empty()) return Status::Error(kProjectionFailed, failed);
  RETURN_IF_ERROR(read);
  if (cursor.next_seq() != through_seq + 1) {
    return Status::Error(codes::kNotFound, "the log ends at seq " +
                                               std::to_string(cursor.next_seq() - 1) + ", before " +
                                               std::to_string(through_seq));
  }
  return view;
}

std::optional<std::string> ProjectionView::Get(std::string_view key) {
  if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
  return base_ ? base_->Get(key) : std::nullopt;
}

std::vector<std::pair<std::string, std::string>> ProjectionView::Scan(std::string_view from,
                                                                      std::string_view to,
                                                                      std::size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  auto ov = overlay_.lower_bound(from);
  const auto ov_end = to.empty() ? overlay_.end() : overlay_.lower_bound(to);
  // The snapshot's rows, a page at a time; the overlay's entry wins a tie.
  std::vector<std::pair<std::string, std::string>> page;
  std::size_t at = 0;
  bool base_more = base_ != nullptr;
  std::string next(from);
  while (out.size() < limit) {
    if (at == page.size() && base_more) {
      page = base_->Scan(next, to, kScanPageRows);
      at = 0;
      base_more = page.size() == kScanPageRows;
      if (!page.empty()) {
        next = page.back().first;
        next.push_back('\0');
      }
    }
    const bool have_base = at < page.size();
    const bool have_ov = ov != ov_end;
    if (!have_base && !have_ov) break;
    if (have_ov && (!have_base || ov->first <= page[at].first)) {
      if (have_base && ov->first == page[at].first) ++at;  // replaced or deleted
      if (ov->second) out.emplace_back(ov->first, *ov->second);
      ++ov;
    } else {
      out.push_back(std::move(page[at]));
      ++at;
    }
  }
  return out;
}

}  // namespace folio::projections
