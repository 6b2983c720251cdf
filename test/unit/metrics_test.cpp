// The metric catalogue (docs/sql.md "Metrics", spec section 11): slots in range, cumulative histogram rows,
// one counter per (simulator, status), and the drift histogram's buckets.
#include "core/comparison.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace json = costsim::json;
using costsim::metrics::Catalogue;
using costsim::metrics::Row;
using costsim::metrics::Simulator;

namespace {

const Catalogue& cat() { return Catalogue::instance(); }

json::Value labels_of(const Row& row) { return json::parse(row.labels.empty() ? "{}" : row.labels); }

std::string label(const Row& row, const std::string& key)
{
    json::Value l = labels_of(row);
    const json::Value* v = l.find(key);
    if (!v) return "";
    if (v->is_string()) return v->as_string();
    if (v->is_number()) return json::format_number(v->as_number());
    return json::dump(*v);
}

// Labels without "le", as canonical text: identifies one histogram series.
std::string series_key(const Row& row)
{
    json::Value l = labels_of(row);
    json::Object rest;
    if (!l.is_object()) return "";
    for (const auto& m : l.as_object())
        if (m.first != "le") rest.push_back(m);
    return json::canonical(json::Value(rest));
}

double le_value(const Row& row)
{
    std::string le = label(row, "le");
    if (le == "+Inf" || le == "Inf" || le == "inf") return INFINITY;
    return std::strtod(le.c_str(), nullptr);
}

bool ends_with(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Rows of one name whose labels contain every given pair.
std::vector<Row> rows_where(const std::string& name, const std::map<std::string, std::string>& want)
{
    std::vector<Row> out;
    for (const Row& r : cat().rows()) {
        if (r.name != name) continue;
        bool ok = true;
        for (const auto& kv : want)
            if (label(r, kv.first) != kv.second) ok = false;
        if (ok) out.push_back(r);
    }
    return out;
}

// The bucket rows of one histogram series, sorted by le.
std::vector<Row> buckets(const std::string& base, const std::map<std::string, std::string>& want)
{
    std::vector<Row> b = rows_where(base + "_bucket", want);
    std::sort(b.begin(), b.end(), [](const Row& x, const Row& y) { return le_value(x) < le_value(y); });
    return b;
}

std::optional<Row> single_row(const std::string& name, const std::map<std::string, std::string>& want)
{
    std::vector<Row> found = rows_where(name, want);
    EXPECT_EQ(found.size(), 1u) << name;
    if (found.size() != 1) return std::nullopt;
    return found[0];
}

}  // namespace

TEST(Metrics, EveryRowIsInRange)
{
    ASSERT_FALSE(cat().rows().empty());
    ASSERT_GT(cat().slot_count(), 0u);
    std::set<std::pair<std::string, std::string>> seen;
    for (const Row& r : cat().rows()) {
        SCOPED_TRACE(r.name + " " + r.labels);
        EXPECT_LE(r.first, r.last);
        EXPECT_LT(r.last, cat().slot_count());
        EXPECT_GT(r.scale, 0.0);
        EXPECT_TRUE(labels_of(r).is_object());
        EXPECT_EQ(r.name.rfind("costsim_", 0), 0u);
        // (name, labels) identifies a row.
        EXPECT_TRUE(seen.insert({r.name, json::canonical(labels_of(r))}).second);
        // Only histogram bucket rows span several slots.
        if (!ends_with(r.name, "_bucket")) {
            EXPECT_EQ(r.first, r.last);
        }
    }
}

TEST(Metrics, CounterSlotsDoNotOverlap)
{
    // Single-slot rows (counters, _count, _sum) and the raw slot of each bucket (its `last`) are all distinct.
    std::set<std::size_t> owned;
    for (const Row& r : cat().rows()) {
        std::size_t slot = ends_with(r.name, "_bucket") ? r.last : r.first;
        EXPECT_TRUE(owned.insert(slot).second) << r.name << " " << r.labels << " slot " << slot;
    }
}

TEST(Metrics, HistogramBucketsAreCumulative)
{
    std::map<std::string, std::vector<Row>> series;
    for (const Row& r : cat().rows())
        if (ends_with(r.name, "_bucket")) series[r.name + " " + series_key(r)].push_back(r);
    ASSERT_FALSE(series.empty());
    for (auto& entry : series) {
        SCOPED_TRACE(entry.first);
        std::vector<Row>& rows = entry.second;
        std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return le_value(x) < le_value(y); });
        ASSERT_GE(rows.size(), 2u);
        EXPECT_TRUE(std::isinf(le_value(rows.back())));  // the last bucket is +Inf
        // First row covers exactly its own slot; each next row extends the range by its own raw slot.
        EXPECT_EQ(rows[0].first, rows[0].last);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            EXPECT_EQ(rows[i].first, rows[0].first);  // cumulative: every bucket starts at the first bucket slot
            if (i > 0) {
                EXPECT_EQ(rows[i].last, rows[i - 1].last + 1);
                EXPECT_LT(le_value(rows[i - 1]), le_value(rows[i]));
            }
        }
        // _count and _sum exist for the series.
        const std::string base = rows[0].name.substr(0, rows[0].name.size() - std::string("_bucket").size());
        int counts = 0, sums = 0;
        for (const Row& r : cat().rows()) {
            if (series_key(r) != series_key(rows[0])) continue;
            if (r.name == base + "_count") ++counts;
            if (r.name == base + "_sum") ++sums;
        }
        EXPECT_EQ(counts, 1);
        EXPECT_EQ(sums, 1);
    }
}

TEST(Metrics, DriftScoreBucketsPerSpec)
{
    // spec section 11: buckets 0.01 0.05 0.1 0.15 0.2 0.3 0.5 1 (+Inf)
    std::vector<Row> b = buckets("costsim_drift_score", {});
    const std::vector<double> bounds = {0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, INFINITY};
    ASSERT_EQ(b.size(), bounds.size());
    for (std::size_t i = 0; i < bounds.size(); ++i) EXPECT_EQ(le_value(b[i]), bounds[i]) << i;
}

TEST(Metrics, DriftScoreObservation)
{
    std::vector<Row> b = buckets("costsim_drift_score", {});
    ASSERT_EQ(b.size(), 9u);
    std::optional<Row> count = single_row("costsim_drift_score_count", {});
    std::optional<Row> sum = single_row("costsim_drift_score_sum", {});
    ASSERT_TRUE(count.has_value());
    ASSERT_TRUE(sum.has_value());
    struct Case {
        double score;
        std::size_t bucket;  // index into bounds: the smallest le >= score
    };
    const Case cases[] = {{0.0, 0}, {0.01, 0}, {0.011, 1}, {0.05, 1}, {0.051, 2}, {0.15, 3},
                          {0.2, 4}, {0.24, 5}, {0.5, 6}, {1.0, 7}, {1.5, 8}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.score);
        Catalogue::Observation o = cat().drift_score(c.score);
        EXPECT_EQ(o.bucket, b[c.bucket].last);  // raw slot of the bucket whose le is the first >= score
        EXPECT_EQ(o.count, count->first);
        EXPECT_EQ(o.sum, sum->first);
        // value of _sum = counters / scale: the increment is the score in units of 1/scale.
        EXPECT_NEAR(static_cast<double>(o.sum_increment) / sum->scale, c.score, 1.0 / sum->scale);
    }
}

TEST(Metrics, CostDeltaObservation)
{
    // |V2 - V1| in cents; buckets 0 1 5 10 50 100 500 1000 (+Inf), the sum in whole cents.
    std::vector<Row> b = buckets("costsim_cost_delta_cents", {});
    const std::vector<double> bounds = {0, 1, 5, 10, 50, 100, 500, 1000, INFINITY};
    ASSERT_EQ(b.size(), bounds.size());
    for (std::size_t i = 0; i < bounds.size(); ++i) EXPECT_EQ(le_value(b[i]), bounds[i]) << i;
    std::optional<Row> count = single_row("costsim_cost_delta_cents_count", {});
    std::optional<Row> sum = single_row("costsim_cost_delta_cents_sum", {});
    ASSERT_TRUE(count.has_value());
    ASSERT_TRUE(sum.has_value());
    struct Case {
        double delta;
        std::size_t bucket;  // the smallest le >= delta
    };
    const Case cases[] = {{0, 0}, {1, 1}, {2, 2}, {5, 2}, {6, 3}, {100, 5}, {101, 6}, {1000, 7}, {1001, 8}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.delta);
        Catalogue::Observation o = cat().cost_delta(c.delta);
        EXPECT_EQ(o.bucket, b[c.bucket].last);
        EXPECT_EQ(o.count, count->first);
        EXPECT_EQ(o.sum, sum->first);
        EXPECT_EQ(o.sum_increment, static_cast<unsigned long long>(c.delta));
    }
}

TEST(Metrics, RuntimeObservation)
{
    for (Simulator sim : {Simulator::v1, Simulator::v2}) {
        const std::string version = sim == Simulator::v1 ? "v1" : "v2";
        SCOPED_TRACE(version);
        std::vector<Row> b = buckets("costsim_runtime_ms", {{"version", version}});
        ASSERT_GE(b.size(), 2u);
        std::optional<Row> count = single_row("costsim_runtime_ms_count", {{"version", version}});
        std::optional<Row> sum = single_row("costsim_runtime_ms_sum", {{"version", version}});
        ASSERT_TRUE(count.has_value());
        ASSERT_TRUE(sum.has_value());
        for (double ms : {0.0, 0.3, 3.0, 42.0, 1e9}) {
            SCOPED_TRACE(ms);
            Catalogue::Observation o = cat().runtime(sim, ms);
            EXPECT_EQ(o.count, count->first);
            EXPECT_EQ(o.sum, sum->first);
            std::size_t idx = b.size();
            for (std::size_t i = 0; i < b.size(); ++i)
                if (b[i].last == o.bucket) idx = i;
            ASSERT_LT(idx, b.size()) << "bucket slot is not a bucket of this series";
            EXPECT_GE(le_value(b[idx]), ms);
            if (idx > 0) {
                EXPECT_LT(le_value(b[idx - 1]), ms);
            }
            EXPECT_NEAR(static_cast<double>(o.sum_increment) / sum->scale, ms, 1.0 / sum->scale);
        }
    }
    // The two versions use different slots.
    EXPECT_NE(cat().runtime(Simulator::v1, 1.0).bucket, cat().runtime(Simulator::v2, 1.0).bucket);
    EXPECT_NE(cat().runtime(Simulator::v1, 1.0).count, cat().runtime(Simulator::v2, 1.0).count);
}

TEST(Metrics, StatusNames)
{
    const std::vector<std::string>& v1 = costsim::metrics::v1_statuses();
    const std::vector<std::string>& v2 = costsim::metrics::v2_statuses();
    for (const char* s : {"feasible", "budget_insufficient", "permission_denied", "risk_too_high", "invalid_plan"})
        EXPECT_NE(std::find(v1.begin(), v1.end(), s), v1.end()) << s;
    for (const char* s : {"success", "error", "schema_error", "failed"})
        EXPECT_NE(std::find(v2.begin(), v2.end(), s), v2.end()) << s;
}

TEST(Metrics, RunSlotDistinctPerSimulatorAndStatus)
{
    std::set<std::size_t> slots;
    auto check = [&](Simulator sim, const std::string& version, const std::string& status) {
        SCOPED_TRACE(version + "/" + status);
        std::size_t slot = cat().run_slot(sim, status);
        EXPECT_LT(slot, cat().slot_count());
        EXPECT_TRUE(slots.insert(slot).second) << "slot " << slot << " reused";
        std::optional<Row> row = single_row("costsim_runs_total", {{"version", version}, {"status", status}});
        if (row) {
            EXPECT_EQ(row->first, slot);
            EXPECT_EQ(row->last, slot);
        }
    };
    for (const std::string& s : costsim::metrics::v1_statuses())
        if (s != "other") check(Simulator::v1, "v1", s);
    check(Simulator::v1, "v1", "other");
    for (const std::string& s : costsim::metrics::v2_statuses())
        if (s != "other") check(Simulator::v2, "v2", s);
    check(Simulator::v2, "v2", "other");
    EXPECT_GE(slots.size(), 11u);  // 5 + other, 4 + other
}

TEST(Metrics, UnknownStatusCountsAsOther)
{
    const std::size_t v1_other = cat().run_slot(Simulator::v1, "other");
    const std::size_t v2_other = cat().run_slot(Simulator::v2, "other");
    EXPECT_NE(v1_other, v2_other);
    EXPECT_EQ(cat().run_slot(Simulator::v1, "no_such_status"), v1_other);
    EXPECT_EQ(cat().run_slot(Simulator::v1, ""), v1_other);
    EXPECT_EQ(cat().run_slot(Simulator::v1, "success"), v1_other);   // a V2 status is not a V1 status
    EXPECT_EQ(cat().run_slot(Simulator::v2, "feasible"), v2_other);  // and vice versa
    EXPECT_EQ(cat().run_slot(Simulator::v2, "no_such_status"), v2_other);
    EXPECT_NE(cat().run_slot(Simulator::v1, "feasible"), v1_other);
    EXPECT_NE(cat().run_slot(Simulator::v2, "success"), v2_other);
}

TEST(Metrics, SchemaErrorAndVerdictSlots)
{
    std::optional<Row> schema = single_row("costsim_schema_errors_total", {});
    ASSERT_TRUE(schema.has_value());
    EXPECT_EQ(schema->first, cat().schema_error_slot());
    EXPECT_EQ(schema->last, cat().schema_error_slot());

    std::set<std::size_t> slots;
    for (costsim::Verdict v : {costsim::Verdict::match, costsim::Verdict::minor_drift, costsim::Verdict::major_drift,
                               costsim::Verdict::mismatch}) {
        SCOPED_TRACE(costsim::to_string(v));
        std::size_t slot = cat().verdict_slot(v);
        EXPECT_TRUE(slots.insert(slot).second);
        EXPECT_NE(slot, cat().schema_error_slot());
        std::optional<Row> row = single_row("costsim_comparison_verdict_total", {{"verdict", costsim::to_string(v)}});
        if (row) {
            EXPECT_EQ(row->first, slot);
            EXPECT_EQ(row->last, slot);
        }
    }
}

TEST(Metrics, ProvenanceFailureSlotIsItsOwnCounter)
{
    const std::size_t slot = cat().provenance_failure_slot();
    EXPECT_LT(slot, cat().slot_count());
    EXPECT_NE(slot, cat().schema_error_slot());
    int rows = 0;
    for (const Row& r : cat().rows())
        if (r.first == slot && r.last == slot && !ends_with(r.name, "_bucket")) ++rows;
    EXPECT_EQ(rows, 1);  // exported by exactly one counter row
}
