#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace donna::relay {
namespace {

TEST(Metrics, RendersACounterWithLabelsExactly)
{
    metrics_registry registry;
    registry.get_counter("donna_sessions_total", "Session tokens issued.", {{"site", "acme"}})
        .inc();
    registry.get_counter("donna_sessions_total", "Session tokens issued.", {{"site", "beta"}})
        .inc(2.5);
    EXPECT_EQ(registry.render(), "# HELP donna_sessions_total Session tokens issued.\n"
                                 "# TYPE donna_sessions_total counter\n"
                                 "donna_sessions_total{site=\"acme\"} 1\n"
                                 "donna_sessions_total{site=\"beta\"} 2.5\n");
}

TEST(Metrics, RendersAGaugeWithoutLabelsExactly)
{
    metrics_registry registry;
    auto& open = registry.get_gauge("donna_open_sockets", "Open client sockets.");
    open.set(3);
    open.add(-1);
    open.add(0.25);
    EXPECT_EQ(registry.render(), "# HELP donna_open_sockets Open client sockets.\n"
                                 "# TYPE donna_open_sockets gauge\n"
                                 "donna_open_sockets 2.25\n");
}

TEST(Metrics, RendersAHistogramWithCumulativeBucketsSumAndCount)
{
    metrics_registry registry;
    auto& h = registry.get_histogram("donna_upstream_seconds", "Upstream latency.", {1, 0.1, 0.5},
                                     {{"upstream", "openai"}, {"kind", "ws"}});
    for (const double v : {0.05, 0.1, 0.3, 0.7, 4.0})
        h.observe(v);
    EXPECT_EQ(h.count(), 5U);
    EXPECT_EQ(registry.render(),
              "# HELP donna_upstream_seconds Upstream latency.\n"
              "# TYPE donna_upstream_seconds histogram\n"
              "donna_upstream_seconds_bucket{kind=\"ws\",upstream=\"openai\",le=\"0.1\"} 2\n"
              "donna_upstream_seconds_bucket{kind=\"ws\",upstream=\"openai\",le=\"0.5\"} 3\n"
              "donna_upstream_seconds_bucket{kind=\"ws\",upstream=\"openai\",le=\"1\"} 4\n"
              "donna_upstream_seconds_bucket{kind=\"ws\",upstream=\"openai\",le=\"+Inf\"} 5\n"
              "donna_upstream_seconds_sum{kind=\"ws\",upstream=\"openai\"} 5.15\n"
              "donna_upstream_seconds_count{kind=\"ws\",upstream=\"openai\"} 5\n");
}

TEST(Metrics, FamiliesAreSortedByNameWhateverTheRegistrationOrder)
{
    metrics_registry registry;
    registry.get_gauge("zeta", "Last.").set(1);
    registry.get_counter("alpha_total", "First.").inc();
    EXPECT_EQ(registry.render(), "# HELP alpha_total First.\n"
                                 "# TYPE alpha_total counter\n"
                                 "alpha_total 1\n"
                                 "# HELP zeta Last.\n"
                                 "# TYPE zeta gauge\n"
                                 "zeta 1\n");
}

TEST(Metrics, EscapesLabelValuesAndHelpText)
{
    metrics_registry registry;
    registry
        .get_counter("donna_errors_total", "Errors by \"path\", with \\ and\nnewline.",
                     {{"path", "a\\b \"c\"\nd"}})
        .inc();
    EXPECT_EQ(registry.render(),
              "# HELP donna_errors_total Errors by \"path\", with \\\\ and\\nnewline.\n"
              "# TYPE donna_errors_total counter\n"
              "donna_errors_total{path=\"a\\\\b \\\"c\\\"\\nd\"} 1\n");
}

TEST(Metrics, FormatsValuesAsIntegersWhenExactAndShortestOtherwise)
{
    EXPECT_EQ(format_metric_value(0), "0");
    EXPECT_EQ(format_metric_value(42), "42");
    EXPECT_EQ(format_metric_value(-7), "-7");
    EXPECT_EQ(format_metric_value(0.1), "0.1");
    EXPECT_EQ(format_metric_value(1.0 / 3), "0.3333333333333333");
    EXPECT_EQ(format_metric_value(1e300), "1e+300");
    EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_metric_value(std::nan("")), "NaN");
}

TEST(Metrics, SameNameAndLabelsReturnTheSameObjectInAnyLabelOrder)
{
    metrics_registry registry;
    auto& a = registry.get_counter("x_total", "X.", {{"a", "1"}, {"b", "2"}});
    auto& again = registry.get_counter("x_total", "X.", {{"b", "2"}, {"a", "1"}});
    auto& other = registry.get_counter("x_total", "X.", {{"a", "1"}, {"b", "3"}});
    EXPECT_EQ(&a, &again);
    EXPECT_NE(&a, &other);
    auto& g = registry.get_gauge("g", "G.");
    EXPECT_EQ(&g, &registry.get_gauge("g", "G."));
    auto& h = registry.get_histogram("h", "H.", latency_buckets_seconds());
    EXPECT_EQ(&h, &registry.get_histogram("h", "H.", latency_buckets_seconds()));
}

TEST(Metrics, CounterIgnoresNegativeIncrements)
{
    counter c;
    c.inc(2);
    c.inc(-1);
    EXPECT_EQ(c.value(), 2);
}

TEST(Metrics, ConcurrentIncrementsFromFourThreadsSumExactly)
{
    metrics_registry registry;
    auto& c = registry.get_counter("hits_total", "Hits.");
    auto& h = registry.get_histogram("sizes", "Sizes.", {10});
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 100000; ++i) {
                c.inc();
                h.observe(1);
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(c.value(), 400000);
    EXPECT_EQ(h.count(), 400000U);
    EXPECT_EQ(h.sum(), 400000);
}

} // namespace
} // namespace donna::relay
