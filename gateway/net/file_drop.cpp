#include "gateway/net/file_drop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "gateway/core/ids.h"

namespace raccordo {

namespace fs = std::filesystem;

namespace {

constexpr const char* kIncoming = "incoming";
constexpr const char* kProcessing = "processing";
constexpr const char* kDone = "done";
constexpr const char* kRejected = "rejected";
constexpr const char* kRejectsSuffix = ".rejects.csv";

// Files a sender is still writing, and our own reject files.
bool ignored(const fs::path& p) {
  std::string name = p.filename().string();
  return name.empty() || name.front() == '.' || name.ends_with(".tmp") || name.ends_with(".part") ||
         name.ends_with(kRejectsSuffix);
}

// Regular files of a folder, by name (senders name files so that order matters).
std::vector<fs::path> filesIn(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && !ignored(it->path())) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// `folder/name`, or `folder/name.N` when that is taken.
fs::path freeName(const fs::path& folder, const std::string& name) {
  fs::path target = folder / name;
  for (int n = 1; fs::exists(target); ++n) target = folder / (name + "." + std::to_string(n));
  return target;
}

std::string csvField(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// NAME.rejects.csv beside the file: one line per left-out part, written to a
// dot-file first and renamed, so a reader never sees half of it.
void writeRejects(const fs::path& beside, const std::vector<Error>& rejects) {
  std::ostringstream text;
  text << "location;code;message\r\n";
  for (const auto& e : rejects) {
    text << csvField(e.location) << ';' << errorCodeName(e.code) << ';' << csvField(e.message) << "\r\n";
  }
  fs::path final_path = beside.parent_path() / (beside.filename().string() + kRejectsSuffix);
  fs::path tmp = beside.parent_path() / ("." + final_path.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text.str();
  }
  fs::rename(tmp, final_path);
}

}  // namespace

FileDrop::FileDrop(FileDropOptions options, Journal& journal, const AdapterRegistry& adapters, Metrics& metrics)
    : options_(std::move(options)), journal_(journal), adapters_(adapters), metrics_(metrics) {
  metrics_.help("raccordo_files_total", "counter", "Files taken from watched folders, by adapter and outcome.");
}

FileDrop::~FileDrop() { stop(); }

Status FileDrop::prepareFolders() {
  for (const auto& adapter : adapters_.names()) {
    for (const char* sub : {kIncoming, kProcessing, kDone, kRejected}) {
      std::error_code ec;
      fs::path folder = options_.dir / adapter / sub;
      fs::create_directories(folder, ec);
      if (ec) {
        return Error(ErrorCode::kConfig, "cannot create " + folder.string() + ": " + ec.message(), "files.dir");
      }
    }
  }
  return {};
}

int FileDrop::scanOnce() {
  int handled = 0;
  for (const auto& adapter : adapters_.names()) {
    fs::path base = options_.dir / adapter;
    // Left in processing/ by a crash: the journal answers a re-send with the
    // first answer, so taking them again is safe.
    for (const auto& file : filesIn(base / kProcessing)) {
      handle(adapter, file);
      ++handled;
    }
    for (const auto& file : filesIn(base / kIncoming)) {
      fs::path processing = freeName(base / kProcessing, file.filename().string());
      std::error_code ec;
      fs::rename(file, processing, ec);
      if (ec) continue;  // taken by another scanner, or gone
      handle(adapter, processing);
      ++handled;
    }
  }
  return handled;
}

void FileDrop::handle(const std::string& adapter_name, const fs::path& file) {
  const Adapter* adapter = adapters_.find(adapter_name);
  fs::path base = options_.dir / adapter_name;
  std::string name = file.filename().string();
  auto finish = [&](const char* where, const std::vector<Error>& rejects) {
    fs::path target = freeName(base / where, name);
    if (!rejects.empty()) writeRejects(target, rejects);
    fs::rename(file, target);
    metrics_.inc("raccordo_files_total",
                 "adapter=\"" + adapter_name + "\",outcome=\"" + std::string(where) + "\"");
  };

  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (ec || static_cast<int64_t>(size) > options_.max_file_bytes) {
    std::string why = ec ? "cannot read the file: " + ec.message()
                         : "the file has " + std::to_string(size) + " bytes, over files.max_file_bytes (" +
                               std::to_string(options_.max_file_bytes) + ")";
    spdlog::warn("file {} rejected adapter={} reason=\"{}\"", file.string(), adapter_name, why);
    finish(kRejected, {Error(ec ? ErrorCode::kInvalidInput : ErrorCode::kTooLarge, why, "file")});
    return;
  }
  std::string body;
  {
    std::ifstream in(file, std::ios::binary);
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // A file may hold several messages (an HL7 batch): each is journaled on
  // its own, keyed by the file, its hash and its position, so taking the
  // file again after a crash journals nothing twice.
  Result<std::vector<std::string_view>> parts = adapter->split(body);
  if (!parts.ok()) {
    finish(kRejected, {parts.error()});
    return;
  }
  const bool several = parts->size() > 1;
  const std::string key = "file:" + name + ":" + sha256Hex(body);
  std::vector<Error> rejects;
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    // Where a problem is: the row of a CSV file, or "message 3: PID-7" in a batch.
    auto locate = [&](Error e) {
      if (several) e.location = "message " + std::to_string(i + 1) + (e.location.empty() ? "" : ": " + e.location);
      return e;
    };
    IngestRequest request;
    request.adapter = adapter_name;
    request.sender = "files";
    request.idempotency_key = several ? key + ":" + std::to_string(i + 1) : key;
    request.content_type = adapter->mediaTypes().front();
    request.body = std::string((*parts)[i]);
    IngestAnswer answer;
    try {
      answer = journal_.ingest(request);
    } catch (const RaccordoException& e) {
      // Not journaled: leave the file in processing/ for the next scan.
      spdlog::error("file {} not journaled, will retry: {}", file.string(), e.what());
      return;
    }
    spdlog::info("file {}{} journaled as message {} adapter={}{}", file.string(),
                 several ? " #" + std::to_string(i + 1) : "", answer.message_id, adapter_name,
                 answer.duplicate ? " (already known)" : "");
    if (answer.status != 202) {
      rejects.push_back(locate(answer.error));
      continue;
    }
    // The parts a decode leaves out are known now (decoding is a pure
    // function of the bytes); the worker applies the rest.
    MessageMeta meta{answer.message_id, adapter_name, request.sender, request.content_type};
    Result<DecodedMessage> decoded = adapter->decode(request.body, meta);
    if (!decoded.ok()) {
      rejects.push_back(locate(decoded.error()));
      continue;
    }
    ++accepted;
    for (auto& e : decoded->rejects) rejects.push_back(locate(std::move(e)));
  }
  finish(accepted > 0 ? kDone : kRejected, rejects);
}

void FileDrop::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      try {
        scanOnce();
      } catch (const std::exception& e) {
        spdlog::error("watched folders: scan failed: {}", e.what());
      }
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms), [this] { return stopping_; });
    }
  });
}

void FileDrop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace raccordo
