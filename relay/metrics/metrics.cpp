// metrics.cpp: lock-free metric updates and the Prometheus text rendering.
#include "metrics/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace donna::relay {
namespace {

// std::atomic<double>::fetch_add is C++20 but not lock-free everywhere; a CAS loop is, on
// every platform with a lock-free 64-bit CAS.
void atomic_add(std::atomic<double>& target, double v)
{
    double old = target.load(std::memory_order_relaxed);
    while (!target.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
    }
}

[[maybe_unused]] bool valid_name(std::string_view name, bool allow_colon)
{
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                            (allow_colon && c == ':');
        if (!letter && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

labels sorted_labels(const labels& l)
{
    labels sorted = l;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
#ifndef NDEBUG
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        assert(valid_name(sorted[i].first, false) && "invalid label name");
        assert((i == 0 || sorted[i - 1].first != sorted[i].first) && "duplicate label name");
    }
#endif
    return sorted;
}

// HELP text escapes only backslash and newline (quotes stay as they are).
std::string escape_help(std::string_view help)
{
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

// {a="x",b="y"} with an optional extra label last (a histogram's le); empty for no labels.
std::string label_text(const labels& l, std::string_view extra_name = {},
                       std::string_view extra_value = {})
{
    if (l.empty() && extra_name.empty())
        return {};
    std::string out = "{";
    for (const auto& [name, value] : l) {
        if (out.size() > 1)
            out += ',';
        out += name;
        out += "=\"";
        out += escape_label_value(value);
        out += '"';
    }
    if (!extra_name.empty()) {
        if (out.size() > 1)
            out += ',';
        out += extra_name;
        out += "=\"";
        out += extra_value;
        out += '"';
    }
    out += '}';
    return out;
}

void add_sample(std::string& out, std::string_view name, const std::string& label_part,
                const std::string& value)
{
    out += name;
    out += label_part;
    out += ' ';
    out += value;
    out += '\n';
}

template <class T, class Make>
T& series_in(std::map<labels, std::unique_ptr<T>>& series, const labels& l, Make make)
{
    auto key = sorted_labels(l);
    auto it = series.find(key);
    if (it == series.end())
        it = series.emplace(std::move(key), make()).first;
    return *it->second;
}

} // namespace

// ---------------------------------------------------------------- counter, gauge, histogram

void counter::inc(double v)
{
    if (!(v >= 0)) // also refuses NaN
        return;
    atomic_add(value_, v);
}

double counter::value() const
{
    return value_.load(std::memory_order_relaxed);
}

void gauge::set(double v)
{
    value_.store(v, std::memory_order_relaxed);
}

void gauge::add(double v)
{
    atomic_add(value_, v);
}

double gauge::value() const
{
    return value_.load(std::memory_order_relaxed);
}

std::vector<double> normalized_bounds(std::vector<double> upper_bounds)
{
    std::erase_if(upper_bounds, [](double b) { return !std::isfinite(b); });
    std::sort(upper_bounds.begin(), upper_bounds.end());
    upper_bounds.erase(std::unique(upper_bounds.begin(), upper_bounds.end()), upper_bounds.end());
    return upper_bounds;
}

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(normalized_bounds(std::move(upper_bounds))),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1))
{}

void histogram::observe(double v)
{
    // NaN compares false with every bound, so it lands in +Inf like any value above them.
    const auto bucket =
        std::isnan(v) ? bounds_.end() : std::lower_bound(bounds_.begin(), bounds_.end(), v);
    buckets_[static_cast<std::size_t>(bucket - bounds_.begin())].fetch_add(
        1, std::memory_order_relaxed);
    atomic_add(sum_, v);
}

std::uint64_t histogram::count() const
{
    return cumulative_counts().back();
}

double histogram::sum() const
{
    return sum_.load(std::memory_order_relaxed);
}

std::vector<std::uint64_t> histogram::cumulative_counts() const
{
    // Each bucket read once, so +Inf always equals the sum of the buckets below it even
    // while other threads observe.
    std::vector<std::uint64_t> counts(bounds_.size() + 1);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        total += buckets_[i].load(std::memory_order_relaxed);
        counts[i] = total;
    }
    return counts;
}

// ---------------------------------------------------------------- registry

struct metrics_registry::family {
    kind type = kind::counter;
    std::string help;
    std::vector<double> bounds; // histograms only
    std::map<labels, std::unique_ptr<counter>> counters;
    std::map<labels, std::unique_ptr<gauge>> gauges;
    std::map<labels, std::unique_ptr<histogram>> histograms;
};

metrics_registry::metrics_registry() = default;
metrics_registry::~metrics_registry() = default;

metrics_registry::family& metrics_registry::find_family(std::string_view name,
                                                        std::string_view help, kind type,
                                                        std::vector<double> bounds)
{
    assert(valid_name(name, true) && "invalid metric name");
    auto it = families_.find(name);
    if (it == families_.end()) {
        auto f = std::make_unique<family>();
        f->type = type;
        f->help = std::string(help);
        f->bounds = std::move(bounds);
        return *families_.emplace(std::string(name), std::move(f)).first->second;
    }
    family& existing = *it->second;
    if (existing.type != type) {
        assert(false && "metric name registered again with another kind");
        const std::string key = std::string(name) + "/" + std::to_string(static_cast<int>(type));
        auto& misfit = misfits_[key];
        if (!misfit) {
            misfit = std::make_unique<family>();
            misfit->type = type;
            misfit->bounds = std::move(bounds);
        }
        return *misfit;
    }
    assert(existing.help == help && "metric name registered again with other help text");
    assert(existing.bounds == bounds && "histogram registered again with other bounds");
    return existing;
}

counter& metrics_registry::get_counter(std::string_view name, std::string_view help,
                                       const labels& l)
{
    const std::lock_guard lock(mutex_);
    family& f = find_family(name, help, kind::counter, {});
    return series_in(f.counters, l, [] { return std::make_unique<counter>(); });
}

gauge& metrics_registry::get_gauge(std::string_view name, std::string_view help, const labels& l)
{
    const std::lock_guard lock(mutex_);
    family& f = find_family(name, help, kind::gauge, {});
    return series_in(f.gauges, l, [] { return std::make_unique<gauge>(); });
}

histogram& metrics_registry::get_histogram(std::string_view name, std::string_view help,
                                           std::vector<double> upper_bounds, const labels& l)
{
#ifndef NDEBUG
    for (const auto& label : l)
        assert(label.first != "le" && "\"le\" is reserved for histogram buckets");
#endif
    const std::lock_guard lock(mutex_);
    family& f =
        find_family(name, help, kind::histogram, normalized_bounds(std::move(upper_bounds)));
    // The family's bounds, not the caller's: every series of a family shares its buckets.
    return series_in(f.histograms, l, [&f] { return std::make_unique<histogram>(f.bounds); });
}

std::string metrics_registry::render() const
{
    const std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, f] : families_) {
        static constexpr const char* type_names[] = {"counter", "gauge", "histogram"};
        out += "# HELP " + name + " " + escape_help(f->help) + "\n";
        out += "# TYPE " + name + " " + type_names[static_cast<int>(f->type)] + "\n";
        for (const auto& [l, c] : f->counters)
            add_sample(out, name, label_text(l), format_metric_value(c->value()));
        for (const auto& [l, g] : f->gauges)
            add_sample(out, name, label_text(l), format_metric_value(g->value()));
        for (const auto& [l, h] : f->histograms) {
            const auto counts = h->cumulative_counts();
            const auto& bounds = h->upper_bounds();
            const std::string bucket = name + "_bucket";
            for (std::size_t i = 0; i < bounds.size(); ++i)
                add_sample(out, bucket, label_text(l, "le", format_metric_value(bounds[i])),
                           std::to_string(counts[i]));
            add_sample(out, bucket, label_text(l, "le", "+Inf"), std::to_string(counts.back()));
            add_sample(out, name + "_sum", label_text(l), format_metric_value(h->sum()));
            add_sample(out, name + "_count", label_text(l), std::to_string(counts.back()));
        }
    }
    return out;
}

// ---------------------------------------------------------------- helpers

std::vector<double> latency_buckets_seconds()
{
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string format_metric_value(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    // Below 2^53 every integer is exact, so it prints as one; 0.1 or 1e300 take to_chars's
    // shortest round-trip form.
    if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0)
        return std::to_string(static_cast<std::int64_t>(v));
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return ec == std::errc{} ? std::string(buffer, end) : std::string("NaN");
}

std::string escape_label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

} // namespace donna::relay
