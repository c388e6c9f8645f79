#include "engine/writer.h"

#include <pthread.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <future>

#include <rocksdb/write_batch.h>

#include "engine/domain/domain.h"
#include "events/codes.h"

namespace folio {
namespace {

std::uint64_t NsBetween(std::chrono::steady_clock::time_point a,
                        std::chrono::steady_clock::time_point b) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

}  // namespace

// A group of requests prepared together and committed in one WriteBatch.
// After Prepare() its overlays are read-only: the committer reads the batch
// and the outcomes, the sequencer reads the overlays while preparing the next
// group, and only the sequencer frees it.
struct Writer::Group {
  std::deque<Pending> items;
  std::vector<AppendOutcome> outcomes;
  rocksdb::WriteBatch batch;
  keys::Head head_after;
  std::uint64_t events = 0;
  // What this group changes, for lookups by later requests before it is durable.
  StringMap<std::uint64_t> stream_versions;
  StringMap<std::string> idempotency;                           // key -> record
  std::vector<std::pair<std::string, std::string>> index_puts;  // stream index
  // What the database said before this group, fetched in one MultiGet.
  // nullopt: the key is absent. Entries exist only for keys that were fetched.
  StringMap<std::optional<std::string>> idempotency_db;
  StringMap<std::uint64_t> stream_versions_db;
  StateOverlay state;  // aggregate state changed by this group's commands
};

Result<std::unique_ptr<Writer>> Writer::Start(LogStore* store, WriterOptions opts) {
  ASSIGN_OR_RETURN(keys::Head head, store->ReadHead());
  // The head is written in the same batch as the events it names; a log whose
  // last event disagrees with it was changed behind Folio's back.
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(rocksdb::ReadOptions(), store->events_cf()));
  it->SeekToLast();
  std::uint64_t last = 0;
  if (it->Valid()) {
    auto seq = keys::ParseEventKey(it->key().ToStringView());
    if (!seq) return Status::Error(codes::kCorruption, "malformed key in events");
    last = *seq;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the last event"));
  if (last != head.seq) {
    return Status::Error(codes::kCorruption, "head says seq " + std::to_string(head.seq) +
                                                 " but the last event is " + std::to_string(last) +
                                                 "; run `folio verify`");
  }
  std::unique_ptr<Writer> w(new Writer(store, std::move(opts), head));
  return w;
}

Writer::Writer(LogStore* store, WriterOptions opts, keys::Head head)
    : store_(store),
      opts_(std::move(opts)),
      prepared_head_(head),
      state_cache_(opts_.state_cache_entries_max),
      durable_head_(head) {
  assert(opts_.batch_requests_max > 0 && opts_.queue_requests_max > 0);
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "folio-commit");
    CommitterLoop();
  });
  sequencer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "folio-sequence");
    SequencerLoop();
  });
}

Writer::~Writer() { Stop(); }

void Writer::Stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    not_full_cv_.notify_all();
    sequencer_.join();  // it drains the queue and tells the committer to exit
    committer_.join();
  });
}

// Checks that need no state run on the submitter's thread, off the
// sequencer's critical path.
static Status ValidateRequest(const AppendRequest& req) {
  auto invalid = [](std::string why) { return Status::Error(codes::kInvalidArgument, why); };
  if (!req.command && !keys::IsValidId(req.stream_id, keys::kStreamIdBytesMax)) {
    return invalid("stream_id must be 1-200 bytes with no control characters");
  }
  if (!req.idempotency_key.empty() &&
      (!keys::IsValidId(req.idempotency_key, keys::kIdempotencyKeyBytesMax) ||
       (!req.idempotency_scope.empty() &&
        !keys::IsValidId(req.idempotency_scope, keys::kIdempotencyKeyBytesMax)))) {
    return invalid("idempotency key and scope must be 1-200 bytes with no control characters");
  }
  if (req.command && !req.envelopes.empty()) return invalid("a command request carries no events");
  if (req.envelopes.empty() && !req.rejection && !req.command) return invalid("nothing to append");
  for (const std::string& env : req.envelopes) {
    Status s = VerifyEnvelope(env);
    if (!s.ok()) return invalid("event " + s.message());
    if (!keys::IsValidId(fb::GetEnvelope(env.data())->stream_id()->string_view(),
                         keys::kStreamIdBytesMax)) {
      return invalid("event stream_id must be 1-200 bytes with no control characters");
    }
  }
  return OkStatus();
}

void Writer::Submit(AppendRequest request, AppendCallback done) {
  if (Status s = ValidateRequest(request); !s.ok()) {
    AppendOutcome o;
    o.status = std::move(s);
    done(o);
    return;
  }
  std::unique_lock<std::mutex> lock(queue_mu_);
  not_full_cv_.wait(lock, [&] { return stopping_ || queue_.size() < opts_.queue_requests_max; });
  if (stopping_) {
    lock.unlock();
    AppendOutcome o;
    o.status = Status::Error(codes::kStoreClosed, "the writer is stopping");
    done(o);
    return;
  }
  queue_.push_back(Pending{std::move(request), std::move(done)});
  bool was_empty = queue_.size() == 1;
  lock.unlock();
  if (was_empty) queue_cv_.notify_one();
}

AppendOutcome Writer::Append(AppendRequest request) {
  std::promise<AppendOutcome> p;
  auto f = p.get_future();
  Submit(std::move(request), [&p](const AppendOutcome& o) { p.set_value(o); });
  return f.get();
}

keys::Head Writer::durable_head() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return durable_head_;
}

WriterStats Writer::stats() const {
  return WriterStats{stat_groups_.load(),     stat_requests_.load(), stat_events_.load(),
                     stat_prepare_ns_.load(), stat_write_ns_.load(), stat_wait_ns_.load()};
}

void Writer::SequencerLoop() {
  for (;;) {
    std::deque<Pending> items;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      std::size_t n = std::min(queue_.size(), opts_.batch_requests_max);
      if (n == queue_.size()) {
        items.swap(queue_);
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          items.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    not_full_cv_.notify_all();
    auto t0 = std::chrono::steady_clock::now();
    auto group = Prepare(std::move(items));
    auto t1 = std::chrono::steady_clock::now();
    HandToCommitter(std::move(group));
    auto t2 = std::chrono::steady_clock::now();
    stat_prepare_ns_.fetch_add(NsBetween(t0, t1), std::memory_order_relaxed);
    stat_wait_ns_.fetch_add(NsBetween(t1, t2), std::memory_order_relaxed);
  }
  RetireCommitted();
  {
    std::lock_guard<std::mutex> lock(handoff_mu_);
    committer_exit_ = true;
  }
  handoff_cv_.notify_all();
}

// Waits for the committer to finish the group in flight, folds what that group
// made durable into the cache, and frees it.
void Writer::RetireCommitted() {
  std::unique_ptr<Group> done;
  {
    std::unique_lock<std::mutex> lock(handoff_mu_);
    handoff_cv_.wait(lock, [&] { return in_flight_ == nullptr || in_flight_done_; });
    done = std::move(in_flight_);
    in_flight_done_ = false;
  }
  if (!done || failed()) return;
  if (stream_cache_.size() + done->stream_versions.size() > opts_.stream_cache_entries_max) {
    stream_cache_.clear();
  }
  for (auto& [stream, version] : done->stream_versions) stream_cache_[stream] = version;
  state_cache_.Merge(done->state);
}

void Writer::HandToCommitter(std::unique_ptr<Group> g) {
  RetireCommitted();
  {
    std::lock_guard<std::mutex> lock(handoff_mu_);
    in_flight_ = std::move(g);
    in_flight_done_ = false;
  }
  handoff_cv_.notify_all();
}

void Writer::CommitterLoop() {
  for (;;) {
    Group* g = nullptr;
    {
      std::unique_lock<std::mutex> lock(handoff_mu_);
      handoff_cv_.wait(lock, [&] { return committer_exit_ || (in_flight_ && !in_flight_done_); });
      if (in_flight_ && !in_flight_done_) {
        g = in_flight_.get();
      } else {
        return;
      }
    }
    if (failed()) {
      FailAll(*g, Status::Error(codes::kStoreFailed, "an earlier write failed; restart required"));
    } else if (g->batch.Count() > 0) {
      rocksdb::Status s = opts_.inject_write_error ? opts_.inject_write_error() : rocksdb::Status();
      if (s.ok()) {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        auto t0 = std::chrono::steady_clock::now();
        s = store_->db()->Write(wo, &g->batch);
        stat_write_ns_.fetch_add(NsBetween(t0, std::chrono::steady_clock::now()),
                                 std::memory_order_relaxed);
      }
      if (!s.ok()) {
        failed_.store(true, std::memory_order_release);
        FailAll(*g, Status::Error(codes::kStoreFailed,
                                  "log write failed, the store stopped "
                                  "accepting writes: " +
                                      s.ToString()));
      } else {
        std::lock_guard<std::mutex> lock(head_mu_);
        durable_head_ = g->head_after;
        stat_groups_.fetch_add(1, std::memory_order_relaxed);
        stat_events_.fetch_add(g->events, std::memory_order_relaxed);
      }
    }
    for (std::size_t i = 0; i < g->items.size(); ++i) g->items[i].done(g->outcomes[i]);
    stat_requests_.fetch_add(g->items.size(), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(handoff_mu_);
      in_flight_done_ = true;
    }
    handoff_cv_.notify_all();
  }
}

void Writer::FailAll(Group& g, const Status& why) {
  for (auto& o : g.outcomes) {
    o = AppendOutcome{};
    o.status = why;
  }
}

std::unique_ptr<Writer::Group> Writer::Prepare(std::deque<Pending> items) {
  auto g = std::make_unique<Group>();
  g->items = std::move(items);
  g->outcomes.resize(g->items.size());
  // Most requests add one stream and one idempotency key: no rehash while preparing.
  g->stream_versions.reserve(g->items.size());
  g->idempotency.reserve(g->items.size());
  if (failed()) return g;  // the committer fails them all
  g->head_after = prepared_head_;
  Status prefetched = Prefetch(*g);
  if (!prefetched.ok()) {
    for (auto& o : g->outcomes) o.status = prefetched;
    return g;
  }
  for (std::size_t i = 0; i < g->items.size(); ++i) {
    g->outcomes[i] = PrepareOne(*g, g->items[i].request);
  }
  AddSortedPuts(*g);
  if (g->events > 0) {
    g->batch.Put(store_->meta_cf(), std::string(keys::kMetaHead), keys::EncodeHead(g->head_after));
  }
  prepared_head_ = g->head_after;
  return g;
}

// Keys of the index and idempotency families arrive in no useful order.
// Sorted, consecutive memtable inserts land next to each other and RocksDB's
// skiplist reuses the previous insert's search path, which makes the batch
// several times cheaper to apply. (Event keys are already sequential.)
void Writer::AddSortedPuts(Group& g) {
  // A stream's head record sorts right after its index entries: one
  // ascending run through the streams family.
  g.index_puts.reserve(g.index_puts.size() + g.stream_versions.size());
  for (const auto& [stream, version] : g.stream_versions) {
    std::string ver;
    keys::PutU64Be(&ver, version);
    g.index_puts.emplace_back(keys::StreamHeadKey(stream), std::move(ver));
  }
  std::sort(g.index_puts.begin(), g.index_puts.end());
  for (const auto& [k, v] : g.index_puts) g.batch.Put(store_->streams_cf(), k, v);
  for (const auto& [k, v] : g.state) {  // a std::map: already sorted
    if (v) {
      g.batch.Put(store_->state_cf(), k, *v);
    } else {
      g.batch.Delete(store_->state_cf(), k);
    }
  }
  std::vector<const std::pair<const std::string, std::string>*> idem;
  idem.reserve(g.idempotency.size());
  for (const auto& kv : g.idempotency) idem.push_back(&kv);
  std::sort(idem.begin(), idem.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* kv : idem) g.batch.Put(store_->idempotency_cf(), kv->first, kv->second);
}

AppendOutcome Writer::PrepareOne(Group& g, AppendRequest& req) {
  AppendOutcome out;
  if (req.command && req.stream_id.empty()) req.stream_id = domain::PrimaryStream(*req.command);
  if (!keys::IsValidId(req.stream_id, keys::kStreamIdBytesMax)) {
    out.status = Status::Error(codes::kInvalidArgument,
                               "stream_id must be 1-200 bytes with no control characters");
    return out;
  }
  const bool idempotent = !req.idempotency_key.empty();
  std::string idem_key;
  if (idempotent) {
    idem_key = keys::IdempotencyKey(req.idempotency_scope, req.idempotency_key);
    auto found = FindIdempotency(g, idem_key);
    if (!found.ok()) {
      out.status = found.status();
      return out;
    }
    if (found->has_value()) {
      auto rec = DecodeIdempotencyRecord(**found);
      if (!rec) {
        out.status = Status::Error(codes::kCorruption, "idempotency record malformed");
        return out;
      }
      if (rec->first != req.fingerprint) {
        out.status = Status::Error(
            codes::kIdempotencyKeyConflict,
            "idempotency key '" + req.idempotency_key + "' was used for a different request");
        return out;
      }
      return rec->second;
    }
  }
  if (req.command) {
    Status s = DecideCommand(g, req);
    if (!s.ok()) {
      out.status = s;
      return out;  // a storage error: not recorded
    }
  }
  if (req.rejection) {
    out.status = *req.rejection;
  } else {
    auto current = CurrentVersion(g, req.stream_id);
    if (!current.ok()) {
      out.status = current.status();
      return out;
    }
    if (req.expected_version != kAnyVersion && req.expected_version != *current) {
      out.status =
          Status::Error(codes::kStreamVersionConflict,
                        "stream '" + req.stream_id + "' is at version " + std::to_string(*current) +
                            ", expected " + std::to_string(req.expected_version));
      out.stream_version = *current;
      return out;  // not recorded: a retry after re-reading may succeed
    }
    Status s = AppendEnvelopes(g, req, out);
    if (!s.ok()) {
      out = AppendOutcome{};
      out.status = s;
      return out;
    }
  }
  if (idempotent) {
    std::string record = EncodeIdempotencyRecord(req.fingerprint, out);
    g.idempotency[idem_key] = std::move(record);
  }
  return out;
}

Status Writer::DecideCommand(Group& g, AppendRequest& req) {
  domain::CommandContext ctx = req.context;
  if (ctx.now_ns == 0) ctx.now_ns = opts_.clock->NowNs();
  if (ctx.idempotency_key.empty()) ctx.idempotency_key = req.idempotency_key;
  GroupState view(*store_, g.state, in_flight_ ? &in_flight_->state : nullptr, state_cache_);
  domain::Decision d = domain::Decide(view, *req.command, ctx);
  RETURN_IF_ERROR(view.error());
  if (auto* rej = std::get_if<domain::Rejection>(&d)) {
    req.rejection = Status::Error(rej->code, std::move(rej->message));
    return OkStatus();
  }
  req.envelopes = std::move(std::get<domain::Events>(d));
  for (const std::string& env : req.envelopes) {
    const fb::Envelope* e = fb::GetEnvelope(env.data());
    if (e->stream_id() == nullptr ||
        !keys::IsValidId(e->stream_id()->string_view(), keys::kStreamIdBytesMax)) {
      req.envelopes.clear();
      req.rejection = Status::Error(codes::kInvalidArgument, "an id in the command is not valid");
      return OkStatus();
    }
  }
  for (const std::string& env : req.envelopes) domain::Apply(view, *fb::GetEnvelope(env.data()));
  return view.error();
}

// Stamps and indexes each event under its own stream (a command may touch
// several: a trust payment's settlement also deposits to the matter).
Status Writer::AppendEnvelopes(Group& g, AppendRequest& req, AppendOutcome& out) {
  // Each stream's version, looked up once per request (most requests touch
  // one stream), so the stamping below cannot fail half-way.
  std::vector<std::pair<std::string, std::uint64_t>> versions;
  std::vector<std::size_t> stream_of(req.envelopes.size());
  for (std::size_t i = 0; i < req.envelopes.size(); ++i) {
    std::string_view id = fb::GetEnvelope(req.envelopes[i].data())->stream_id()->string_view();
    auto known = std::find_if(versions.begin(), versions.end(),
                              [&](const auto& v) { return v.first == id; });
    if (known == versions.end()) {
      std::string stream(id);
      auto current = CurrentVersion(g, stream);
      if (!current.ok()) {
        // The command's effects are already in the group's state: nothing of
        // this group may be written. Fail-stop, as for a failed write.
        failed_.store(true, std::memory_order_release);
        return Status::Error(codes::kStoreFailed, "stream version lookup failed");
      }
      versions.emplace_back(std::move(stream), *current);
      known = versions.end() - 1;
    }
    stream_of[i] = static_cast<std::size_t>(known - versions.begin());
  }
  const std::int64_t now_ns = opts_.clock->NowNs();
  keys::Head& head = g.head_after;
  out.first_seq = head.seq + 1;
  for (std::size_t i = 0; i < req.envelopes.size(); ++i) {
    std::string& env = req.envelopes[i];
    auto& [stream, version] = versions[stream_of[i]];
    ++version;
    ++head.seq;
    head.hash = StampEnvelope(env, head.seq, version, now_ns, head.hash);
    std::string seq_key = keys::EventKey(head.seq);
    g.batch.Put(store_->events_cf(), seq_key, env);
    g.index_puts.emplace_back(keys::StreamIndexKey(stream, version), std::move(seq_key));
  }
  for (auto& [stream, version] : versions) g.stream_versions[std::move(stream)] = version;
  auto primary = g.stream_versions.find(req.stream_id);
  out.stream_version = primary == g.stream_versions.end() ? 0 : primary->second;
  out.last_seq = head.seq;
  g.events += req.envelopes.size();
  return OkStatus();
}

// Reads, in one MultiGet, the idempotency records and stream versions the
// group will need that neither the group in flight nor the cache can answer.
// A batched lookup costs a fraction of one Get per key.
Status Writer::Prefetch(Group& g) {
  const Group* prev = in_flight_.get();
  std::vector<std::string> idem_keys, stream_keys;
  for (const Pending& p : g.items) {
    const AppendRequest& r = p.request;
    if (!r.idempotency_key.empty()) {
      std::string k = keys::IdempotencyKey(r.idempotency_scope, r.idempotency_key);
      if (!prev || prev->idempotency.count(k) == 0) idem_keys.push_back(std::move(k));
    }
    if (!r.rejection && !r.stream_id.empty() &&
        (!prev || prev->stream_versions.count(r.stream_id) == 0) &&
        stream_cache_.count(r.stream_id) == 0) {
      stream_keys.push_back(keys::StreamHeadKey(r.stream_id));
    }
  }
  for (auto* v : {&idem_keys, &stream_keys}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  const std::size_t n = idem_keys.size() + stream_keys.size();
  if (n == 0) return OkStatus();
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  std::vector<rocksdb::Slice> slices;
  cfs.reserve(n);
  slices.reserve(n);
  for (const auto& k : idem_keys) cfs.push_back(store_->idempotency_cf()), slices.emplace_back(k);
  for (const auto& k : stream_keys) cfs.push_back(store_->streams_cf()), slices.emplace_back(k);
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  store_->db()->MultiGet(rocksdb::ReadOptions(), n, cfs.data(), slices.data(), values.data(),
                         statuses.data(), /*sorted_input=*/false);
  for (std::size_t i = 0; i < n; ++i) {
    const bool found = statuses[i].ok();
    if (!found && !statuses[i].IsNotFound()) return FromRocks(statuses[i], "prefetch");
    if (i < idem_keys.size()) {
      g.idempotency_db.emplace(
          idem_keys[i], found ? std::optional<std::string>(values[i].ToString()) : std::nullopt);
      continue;
    }
    if (found && values[i].size() != 8) {
      return Status::Error(codes::kCorruption, "stream head record malformed");
    }
    const std::string& k = stream_keys[i - idem_keys.size()];
    g.stream_versions_db.emplace(k.substr(0, k.size() - 9),
                                 found ? keys::GetU64Be(values[i].ToStringView()) : 0);
  }
  return OkStatus();
}

Result<std::uint64_t> Writer::CurrentVersion(const Group& g, const std::string& stream_id) {
  if (auto it = g.stream_versions.find(stream_id); it != g.stream_versions.end()) {
    return it->second;
  }
  if (const Group* prev = in_flight_.get()) {
    if (auto it = prev->stream_versions.find(stream_id); it != prev->stream_versions.end()) {
      return it->second;
    }
  }
  if (auto it = stream_cache_.find(stream_id); it != stream_cache_.end()) return it->second;
  if (auto it = g.stream_versions_db.find(stream_id); it != g.stream_versions_db.end()) {
    return it->second;
  }
  return store_->StreamVersion(stream_id);
}

Result<std::optional<std::string>> Writer::FindIdempotency(const Group& g, const std::string& key) {
  if (auto it = g.idempotency.find(key); it != g.idempotency.end()) {
    return std::optional<std::string>(it->second);
  }
  if (const Group* prev = in_flight_.get()) {
    if (auto it = prev->idempotency.find(key); it != prev->idempotency.end()) {
      return std::optional<std::string>(it->second);
    }
  }
  if (auto it = g.idempotency_db.find(key); it != g.idempotency_db.end()) return it->second;
  std::string value;
  rocksdb::Status s =
      store_->db()->Get(rocksdb::ReadOptions(), store_->idempotency_cf(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "idempotency lookup"));
  return std::optional<std::string>(std::move(value));
}

}  // namespace folio
