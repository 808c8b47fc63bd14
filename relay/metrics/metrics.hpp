// metrics.hpp: the relay's counters, gauges and histograms, rendered for GET /metrics in the
// Prometheus text exposition format 0.0.4.
//
//   donna::relay::metrics_registry registry;
//   auto& sessions = registry.get_counter("donna_sessions_total", "Sessions issued.",
//                                         {{"site", "acme"}});
//   auto& latency = registry.get_histogram("donna_upstream_seconds", "Upstream latency.",
//                                          donna::relay::latency_buckets_seconds());
//   sessions.inc();                     // lock-free; keep the reference, look up once
//   latency.observe(0.042);
//   std::string body = registry.render();
//
// Updates are lock-free atomics, so hot paths may call them on every event; the registry's
// mutex guards only lookups and render().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::relay {

// Label names and values of one series. Order does not matter: series are identified and
// rendered with labels sorted by name.
using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
public:
    // v must be >= 0 (counters only go up); anything else is ignored.
    void inc(double v = 1);
    double value() const;

private:
    std::atomic<double> value_{0};
};

class gauge {
public:
    void set(double v);
    void add(double v);
    double value() const;

private:
    std::atomic<double> value_{0};
};

class histogram {
public:
    // upper_bounds: finite bucket bounds, any order; sorted and deduplicated here, and the
    // +Inf bucket is implicit.
    explicit histogram(std::vector<double> upper_bounds);

    // Counts v in the first bucket whose bound is >= v (Prometheus buckets are "le").
    void observe(double v);
    std::uint64_t count() const;
    double sum() const;

    const std::vector<double>& upper_bounds() const { return bounds_; }
    // Cumulative counts, one per upper bound and a last one for +Inf (== count()).
    std::vector<std::uint64_t> cumulative_counts() const;

private:
    std::vector<double> bounds_;
    // Per-bucket (not cumulative) counts; the last is the +Inf overflow.
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<double> sum_{0};
};

// Sorted finite bounds: drops NaN and infinities, sorts, removes duplicates.
std::vector<double> normalized_bounds(std::vector<double> upper_bounds);

class metrics_registry {
public:
    metrics_registry();
    ~metrics_registry();
    metrics_registry(const metrics_registry&) = delete;
    metrics_registry& operator=(const metrics_registry&) = delete;

    // Same name + labels gives the same object, at a stable address for the registry's
    // lifetime, so callers look up once and keep the reference. Registering a name again with
    // another kind or help text (or a histogram with other bounds) is a programming error:
    // asserts in debug builds; in release the first registration wins (a series of the wrong
    // kind is kept aside, working but never rendered).
    counter& get_counter(std::string_view name, std::string_view help, const labels& l = {});
    gauge& get_gauge(std::string_view name, std::string_view help, const labels& l = {});
    histogram& get_histogram(std::string_view name, std::string_view help,
                             std::vector<double> upper_bounds, const labels& l = {});

    // Every family, sorted by name, each with its # HELP and # TYPE lines and its series
    // sorted by labels.
    std::string render() const;

private:
    enum class kind { counter, gauge, histogram };
    struct family;
    // Call with mutex_ held. bounds: only for histograms, already normalized.
    family& find_family(std::string_view name, std::string_view help, kind type,
                        std::vector<double> bounds);

    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<family>, std::less<>> families_;
    // Series registered under a name already taken by another kind (release builds only).
    std::map<std::string, std::unique_ptr<family>, std::less<>> misfits_;
};

// .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 seconds: Prometheus's defaults, which span a
// loopback round trip to a slow upstream reply.
std::vector<double> latency_buckets_seconds();

// A sample value as the exposition format wants it: integers without a decimal point while
// exact, others in the shortest form that reads back identically; +Inf, -Inf, NaN.
std::string format_metric_value(double v);

// Label value escaped for the exposition format: \ " and newline become \\ \" \n.
std::string escape_label_value(std::string_view value);

} // namespace donna::relay
