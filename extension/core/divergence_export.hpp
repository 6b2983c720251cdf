// The divergence report as a file: its summary plus one detail row per paired sample, as CSV (RFC 4180),
// JSON Lines or Parquet. Rows are streamed in; the file comes out through a sink.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"
#include "core/parquet.hpp"
#include "core/statistics.hpp"
#include "core/utc_time.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace costsim {

enum class ExportFormat { csv, jsonl, parquet };
// "csv", "jsonl" or "parquet"; anything else is Error(invalid_input) naming the format.
ExportFormat export_format(std::string_view name);

// One detail row: a shadowed call with both costs.
struct DivergenceSample {
    std::int64_t created_at_us = 0;  // microseconds since 1970-01-01 UTC
    std::string input_hash;
    std::int64_t v1_cost_cents = 0;
    std::int64_t v2_cost_cents = 0;
    double drift_score = 0;
    std::string verdict;
};

// The report's summary as a JSON object: every field of DriftReport (KL with its bins, smoothing, direction,
// noise floor), plus the drift threshold that fail_ratio used.
json::Value report_json(const statistics::DriftReport& report, double drift_threshold);

// Layouts:
// - csv: header `kind,created_at,input_hash,v1_cost_cents,v2_cost_cents,cost_delta_cents,drift_score,verdict,
//   metric,value`; first the summary in long form (kind "summary", one row per metric, in metric and value),
//   then the samples (kind "sample"). The header is there even with no sample.
// - jsonl: first {"kind":"summary",...report_json}, then one {"kind":"sample",...} per sample.
// - parquet: the samples as a table (created_at timestamp, input_hash, v1_cost_cents, v2_cost_cents,
//   cost_delta_cents, drift_score, verdict), the summary as the file's key-value metadata "costsim.summary".
class DivergenceExport {
public:
    using Sink = std::function<void(const char* data, std::size_t size)>;
    DivergenceExport(ExportFormat format, Sink sink);
    ~DivergenceExport();
    DivergenceExport(const DivergenceExport&) = delete;
    DivergenceExport& operator=(const DivergenceExport&) = delete;

    void add(const DivergenceSample& sample);
    // Writes what is still to be written (the summary comes first in csv and jsonl: the samples wait for it).
    void finish(const statistics::DriftReport& report, double drift_threshold);

private:
    ExportFormat format_;
    Sink sink_;
    std::string samples_;  // csv and jsonl: the sample lines, written after the summary
    std::unique_ptr<parquet::Writer> parquet_;
};

}  // namespace costsim
