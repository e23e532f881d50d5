#pragma once
// Prometheus text-format counters and gauges. Thread-safe; cheap enough for
// per-message increments (one mutex, a map lookup).

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace raccordo {

class Metrics {
 public:
  /// `labels` is the label set as Prometheus text, e.g. R"(adapter="sisa")", or "".
  void inc(const std::string& name, const std::string& labels = "", double by = 1);
  /// Sets a value read from elsewhere; `type` is "gauge" or "counter" (a total kept by someone else).
  void set(const std::string& name, const std::string& labels, double value, const char* type = "gauge");
  void help(const std::string& name, const std::string& type, const std::string& text);
  /// Called at render time to refresh gauges (journal depth, store stats).
  void onRender(std::function<void(Metrics&)> fn);
  std::string render();

 private:
  struct Family {
    std::string type = "counter";
    std::string help;
    std::map<std::string, double> series;
  };
  std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(Metrics&)>> refreshers_;
};

}  // namespace raccordo
