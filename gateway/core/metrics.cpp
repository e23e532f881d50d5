#include "gateway/core/metrics.h"

#include <mutex>
#include <sstream>

namespace raccordo {

Metrics::Series& Metrics::series(const std::string& name, const std::string& labels) {
  {
    std::shared_lock lock(mu_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto s = f->second.series.find(labels);
      if (s != f->second.series.end()) return *s->second;
    }
  }
  std::unique_lock lock(mu_);
  auto& slot = families_[name].series[labels];
  if (!slot) slot = std::make_unique<Series>();
  return *slot;  // series are never removed: the reference stays valid
}

void Metrics::inc(const std::string& name, const std::string& labels, int64_t by) {
  series(name, labels).count.fetch_add(by, std::memory_order_relaxed);
}

void Metrics::set(const std::string& name, const std::string& labels, double value, const char* type) {
  Series& s = series(name, labels);
  s.value.store(value, std::memory_order_relaxed);
  std::unique_lock lock(mu_);
  s.is_set = true;
  families_[name].type = type;
}

void Metrics::help(const std::string& name, const std::string& type, const std::string& text) {
  std::unique_lock lock(mu_);
  auto& f = families_[name];
  f.type = type;
  f.help = text;
}

void Metrics::onRender(std::function<void(Metrics&)> fn) {
  std::unique_lock lock(mu_);
  refreshers_.push_back(std::move(fn));
}

std::string Metrics::render() {
  std::vector<std::function<void(Metrics&)>> refreshers;
  {
    std::shared_lock lock(mu_);
    refreshers = refreshers_;
  }
  for (auto& r : refreshers) r(*this);
  std::shared_lock lock(mu_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    if (f.series.empty()) continue;
    if (!f.help.empty()) out << "# HELP " << name << ' ' << f.help << '\n';
    out << "# TYPE " << name << ' ' << f.type << '\n';
    for (const auto& [labels, s] : f.series) {
      out << name;
      if (!labels.empty()) out << '{' << labels << '}';
      if (s->is_set) {
        double v = s->value.load(std::memory_order_relaxed);
        if (v == static_cast<double>(static_cast<int64_t>(v))) {
          out << ' ' << static_cast<int64_t>(v) << '\n';
        } else {
          out << ' ' << v << '\n';
        }
      } else {
        out << ' ' << s->count.load(std::memory_order_relaxed) << '\n';
      }
    }
  }
  return out.str();
}

}  // namespace raccordo
