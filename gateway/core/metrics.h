#pragma once
// Prometheus text-format counters and gauges. Thread-safe and cheap on the hot
// path: an increment of an existing series takes a shared lock and an atomic
// add, so request threads never queue behind each other.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace raccordo {

class Metrics {
 public:
  /// `labels` is the label set as Prometheus text, e.g. R"(adapter="sisa")", or "".
  void inc(const std::string& name, const std::string& labels = "", int64_t by = 1);
  /// Sets a value read from elsewhere; `type` is "gauge" or "counter" (a total kept by someone else).
  void set(const std::string& name, const std::string& labels, double value, const char* type = "gauge");
  void help(const std::string& name, const std::string& type, const std::string& text);
  /// Called at render time to refresh gauges (journal depth, store stats).
  void onRender(std::function<void(Metrics&)> fn);
  std::string render();

 private:
  struct Series {
    std::atomic<int64_t> count{0};  // counters
    std::atomic<double> value{0};   // set() values
    bool is_set = false;
  };
  struct Family {
    std::string type = "counter";
    std::string help;
    std::map<std::string, std::unique_ptr<Series>> series;
  };
  Series& series(const std::string& name, const std::string& labels);

  std::shared_mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(Metrics&)>> refreshers_;
};

}  // namespace raccordo
