#include "gateway/core/metrics.h"

#include <cmath>
#include <sstream>

namespace raccordo {

void Metrics::inc(const std::string& name, const std::string& labels, double by) {
  std::lock_guard lock(mu_);
  families_[name].series[labels] += by;
}

void Metrics::set(const std::string& name, const std::string& labels, double value, const char* type) {
  std::lock_guard lock(mu_);
  auto& f = families_[name];
  f.type = type;
  f.series[labels] = value;
}

void Metrics::help(const std::string& name, const std::string& type, const std::string& text) {
  std::lock_guard lock(mu_);
  auto& f = families_[name];
  f.type = type;
  f.help = text;
}

void Metrics::onRender(std::function<void(Metrics&)> fn) {
  std::lock_guard lock(mu_);
  refreshers_.push_back(std::move(fn));
}

std::string Metrics::render() {
  std::vector<std::function<void(Metrics&)>> refreshers;
  {
    std::lock_guard lock(mu_);
    refreshers = refreshers_;
  }
  for (auto& r : refreshers) r(*this);
  std::lock_guard lock(mu_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out << "# HELP " << name << ' ' << f.help << '\n';
    out << "# TYPE " << name << ' ' << f.type << '\n';
    for (const auto& [labels, v] : f.series) {
      out << name;
      if (!labels.empty()) out << '{' << labels << '}';
      if (v == std::floor(v) && std::fabs(v) < 1e15) {
        out << ' ' << static_cast<int64_t>(v) << '\n';
      } else {
        out << ' ' << v << '\n';
      }
    }
  }
  return out.str();
}

}  // namespace raccordo
