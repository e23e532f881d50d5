// Watched folders: incoming -> processing -> done/rejected, reject files,
// restart safety and duplicates. A real SQLite journal in a temp dir; the
// journal's workers are not started (what the drop does ends at the journal).

#include "gateway/net/file_drop.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "gateway/core/clock.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_store.h"

namespace raccordo {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Lines "CF;payload"; a first line "#header" is required (else an envelope
// error); lines starting with "bad" are left out as rejects; a file with no
// good line fails as a whole.
class LinesAdapter final : public Adapter {
 public:
  std::string name() const override { return "lines/flow"; }
  std::vector<std::string> mediaTypes() const override { return {"text/csv"}; }
  Result<Envelope> inspect(std::string_view bytes) const override {
    if (!bytes.starts_with("#header")) return Error(ErrorCode::kInvalidInput, "no header", "row 1");
    return Envelope{};
  }
  // "#batch\n" then parts separated by "---\n": several messages in one file.
  Result<std::vector<std::string_view>> split(std::string_view bytes) const override {
    if (!bytes.starts_with("#batch\n")) return std::vector<std::string_view>{bytes};
    std::vector<std::string_view> parts;
    std::string_view rest = bytes.substr(7);
    for (std::size_t sep; (sep = rest.find("---\n")) != std::string_view::npos; rest.remove_prefix(sep + 4)) {
      parts.push_back(rest.substr(0, sep));
    }
    parts.push_back(rest);
    return parts;
  }
  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    DecodedMessage m;
    std::istringstream in{std::string(bytes)};
    std::string line;
    int row = 0, good = 0;
    while (std::getline(in, line)) {
      ++row;
      if (row == 1) continue;
      if (line.starts_with("bad")) {
        m.rejects.emplace_back(ErrorCode::kInvalidInput, "bad \"row\"; left out", "row " + std::to_string(row));
      } else {
        ++good;
      }
    }
    if (good == 0) return Error(ErrorCode::kInvalidInput, "no good rows", "file");
    return m;
  }
};

class NoopProcessor final : public MessageProcessor {
 public:
  Result<ApplyFn> prepare(const MessageRecord&) const override {
    return ApplyFn([](WriteTx&, int64_t) { return std::string("{}"); });
  }
};

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

class FileDropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_level_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::err);
    store_ = testing::openTestStore(dir_.path());
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(adapters_.add(std::make_shared<LinesAdapter>()).ok());
    journal_ = std::make_unique<Journal>(*store_, adapters_, processor_, JournalOptions{}, clock_, metrics_);
    options_.dir = dir_.path() / "drop";
    options_.max_file_bytes = 4096;
    drop_ = std::make_unique<FileDrop>(options_, *journal_, adapters_, metrics_);
    ASSERT_TRUE(drop_->prepareFolders().ok());
  }
  void TearDown() override {
    drop_.reset();
    journal_.reset();
    store_->close();
    spdlog::set_level(saved_level_);
  }

  fs::path folder(const char* sub) const { return options_.dir / "lines" / "flow" / sub; }
  void drop(const std::string& name, std::string_view text) { writeFile(folder("incoming") / name, text); }
  std::vector<std::string> names(const char* sub) const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(folder(sub))) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  int64_t messages() {
    int64_t n = 0;
    store_->read([&](ReadTx& tx) {
      JournalCounts c = tx.journalCounts();
      n = c.queued + c.retrying + c.done + c.dead + c.rejected;
    });
    return n;
  }

  TempDir dir_;
  spdlog::level::level_enum saved_level_ = spdlog::level::info;
  std::unique_ptr<Store> store_;
  AdapterRegistry adapters_;
  NoopProcessor processor_;
  ManualClock clock_{1790000000000};
  Metrics metrics_;
  std::unique_ptr<Journal> journal_;
  FileDropOptions options_;
  std::unique_ptr<FileDrop> drop_;
};

TEST_F(FileDropTest, FoldersExistForEveryAdapter) {
  for (const char* sub : {"incoming", "processing", "done", "rejected"}) EXPECT_TRUE(fs::is_directory(folder(sub)));
}

TEST_F(FileDropTest, GoodFileIsJournaledAndDone) {
  drop("a.csv", "#header\nX;1\nY;2\n");
  EXPECT_EQ(drop_->scanOnce(), 1);
  EXPECT_EQ(names("incoming"), std::vector<std::string>{});
  EXPECT_EQ(names("processing"), std::vector<std::string>{});
  EXPECT_EQ(names("done"), std::vector<std::string>{"a.csv"});
  EXPECT_EQ(messages(), 1);
  std::optional<MessageRecord> m;
  store_->read([&](ReadTx& tx) { m = tx.message(1, true); });
  ASSERT_TRUE(m);
  EXPECT_EQ(m->adapter, "lines/flow");
  EXPECT_EQ(m->raw, "#header\nX;1\nY;2\n");  // the raw input is kept
  EXPECT_EQ(m->content_type, "text/csv");
}

TEST_F(FileDropTest, BadRowsAreListedBesideTheFile) {
  drop("b.csv", "#header\nX;1\nbad;2\nY;3\nbad;4\n");
  drop_->scanOnce();
  EXPECT_EQ(names("done"), (std::vector<std::string>{"b.csv", "b.csv.rejects.csv"}));
  EXPECT_EQ(readFile(folder("done") / "b.csv.rejects.csv"),
            "location;code;message\r\n"
            "\"row 3\";invalid-input;\"bad \"\"row\"\"; left out\"\r\n"
            "\"row 5\";invalid-input;\"bad \"\"row\"\"; left out\"\r\n");
}

TEST_F(FileDropTest, EnvelopeErrorGoesToRejectedWithReason) {
  drop("c.csv", "no header here\n");
  drop_->scanOnce();
  EXPECT_EQ(names("rejected"), (std::vector<std::string>{"c.csv", "c.csv.rejects.csv"}));
  EXPECT_NE(readFile(folder("rejected") / "c.csv.rejects.csv").find("\"row 1\";invalid-input;\"no header\""),
            std::string::npos);
  EXPECT_EQ(messages(), 1);  // kept as a rejected message too
}

TEST_F(FileDropTest, NoGoodRowGoesToRejected) {
  drop("d.csv", "#header\nbad;1\n");
  drop_->scanOnce();
  EXPECT_EQ(names("rejected"), (std::vector<std::string>{"d.csv", "d.csv.rejects.csv"}));
}

TEST_F(FileDropTest, OversizeFileIsRejectedUnread) {
  drop("big.csv", "#header\n" + std::string(5000, 'x'));
  drop_->scanOnce();
  EXPECT_EQ(names("rejected"), (std::vector<std::string>{"big.csv", "big.csv.rejects.csv"}));
  EXPECT_NE(readFile(folder("rejected") / "big.csv.rejects.csv").find("too-large"), std::string::npos);
  EXPECT_EQ(messages(), 0);
}

TEST_F(FileDropTest, PartialAndHiddenFilesAreLeftAlone) {
  drop(".e.csv", "#header\nX;1\n");
  drop("f.csv.part", "#header\nX;1\n");
  drop("g.csv.tmp", "#header\nX;1\n");
  EXPECT_EQ(drop_->scanOnce(), 0);
  EXPECT_EQ(names("incoming").size(), 3u);
}

TEST_F(FileDropTest, SameFileTwiceIsJournaledOnce) {
  drop("h.csv", "#header\nX;1\n");
  drop_->scanOnce();
  drop("h.csv", "#header\nX;1\n");
  drop_->scanOnce();
  EXPECT_EQ(messages(), 1);
  EXPECT_EQ(names("done"), (std::vector<std::string>{"h.csv", "h.csv.1"}));
  drop("h.csv", "#header\nX;2\n");  // same name, new content: a new message
  drop_->scanOnce();
  EXPECT_EQ(messages(), 2);
}

TEST_F(FileDropTest, FileLeftInProcessingAfterACrashIsFinishedOnce) {
  // A crash after the journal write, before the move: the file is in
  // processing/ and its message exists. The next scan finishes it, once.
  drop("i.csv", "#header\nX;1\n");
  drop_->scanOnce();
  fs::rename(folder("done") / "i.csv", folder("processing") / "i.csv");
  EXPECT_EQ(drop_->scanOnce(), 1);
  EXPECT_EQ(messages(), 1);
  EXPECT_EQ(names("processing"), std::vector<std::string>{});
  EXPECT_EQ(names("done"), std::vector<std::string>{"i.csv"});
}

TEST_F(FileDropTest, BatchFileIsJournaledPartByPartOnce) {
  drop("k.csv", "#batch\n#header\nX;1\n---\nno header\n---\n#header\nY;2\nbad;3\n");
  drop_->scanOnce();
  EXPECT_EQ(messages(), 3);  // one per part, the refused one kept too
  EXPECT_EQ(names("done"), (std::vector<std::string>{"k.csv", "k.csv.rejects.csv"}));
  EXPECT_EQ(readFile(folder("done") / "k.csv.rejects.csv"),
            "location;code;message\r\n"
            "\"message 2: row 1\";invalid-input;\"no header\"\r\n"
            "\"message 3: row 3\";invalid-input;\"bad \"\"row\"\"; left out\"\r\n");
  // Taken again after a crash: every part is known already.
  fs::rename(folder("done") / "k.csv", folder("processing") / "k.csv");
  drop_->scanOnce();
  EXPECT_EQ(messages(), 3);
}

TEST_F(FileDropTest, BatchWithoutAnyGoodPartIsRejected) {
  drop("l.csv", "#batch\nnope\n---\n#header\nbad;1\n");
  drop_->scanOnce();
  EXPECT_EQ(names("rejected"), (std::vector<std::string>{"l.csv", "l.csv.rejects.csv"}));
}

TEST_F(FileDropTest, ThreadPicksFilesUp) {
  options_.poll_interval_ms = 10;
  drop_ = std::make_unique<FileDrop>(options_, *journal_, adapters_, metrics_);
  drop_->start();
  drop("j.csv", "#header\nX;1\n");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (names("done").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  drop_->stop();
  EXPECT_EQ(names("done"), std::vector<std::string>{"j.csv"});
}

}  // namespace
}  // namespace raccordo
