// The metric catalogue: every series the extension counts, laid out as a flat array of 64-bit counters
// (the pg layer keeps that array in shared memory). Pure bookkeeping, no PostgreSQL.
#pragma once
#include "core/no_postgres.hpp"

#include "core/comparison.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace costsim::metrics {

// One exported row: value = sum(counters[first..last]) / scale. Histogram buckets are cumulative, so a
// bucket row sums the raw bucket slots up to its own.
struct Row {
    std::string name;    // Prometheus-style name, e.g. costsim_runs_total or costsim_runtime_ms_bucket
    std::string labels;  // JSON object text, e.g. {"version":"v1","status":"feasible"}
    std::size_t first = 0;
    std::size_t last = 0;
    double scale = 1;
};

enum class Simulator { v1, v2 };

class Catalogue {
public:
    static const Catalogue& instance();

    std::size_t slot_count() const noexcept { return slot_count_; }
    const std::vector<Row>& rows() const noexcept { return rows_; }

    // Slots to increment for one event. run_slot: status must be a status of that simulator (V1's five,
    // V2's success/error/schema_error, or "failed" for a V2 run that raised); anything else -> "other".
    std::size_t run_slot(Simulator simulator, std::string_view status) const noexcept;
    std::size_t schema_error_slot() const noexcept { return schema_errors_; }
    std::size_t verdict_slot(Verdict verdict) const noexcept;
    std::size_t provenance_failure_slot() const noexcept { return provenance_failures_; }

    // Histograms: the bucket slot, the count slot and the sum slot (sum counted in units of 1/scale).
    struct Observation {
        std::size_t bucket, count, sum;
        unsigned long long sum_increment;
    };
    Observation runtime(Simulator simulator, double runtime_ms) const noexcept;
    Observation drift_score(double score) const noexcept;
    // |V2 - V1| cost of a comparison, in cents: costsim_cost_delta_cents (buckets 0 1 5 10 50 100 500 1000 +Inf).
    Observation cost_delta(double absolute_delta_cents) const noexcept;

private:
    Catalogue();
    struct Histogram {
        std::vector<double> bounds;  // upper bounds; a final +Inf bucket follows
        std::size_t first_bucket, count, sum;
        double scale;
        Observation observe(double value) const noexcept;
    };
    std::size_t add_counter(const std::string& name, const json::Object& labels);
    Histogram add_histogram(const std::string& name, const json::Object& labels, std::vector<double> bounds,
                            double scale);

    std::vector<Row> rows_;
    std::size_t slot_count_ = 0;
    std::vector<std::size_t> v1_runs_, v2_runs_;  // by status index, last = "other"
    std::size_t schema_errors_ = 0;
    std::size_t provenance_failures_ = 0;
    std::vector<std::size_t> verdicts_;
    Histogram runtime_v1_, runtime_v2_, drift_, cost_delta_;
};

// The status names run_slot knows, per simulator (for docs and tests).
const std::vector<std::string>& v1_statuses();
const std::vector<std::string>& v2_statuses();

}  // namespace costsim::metrics
