#include "core/step_diff.hpp"

#include "core/errors.hpp"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <utility>

namespace costsim {
namespace {

json::Value totals(const Estimate& estimate)
{
    json::Object object;
    object.reserve(4);
    object.emplace_back("feasible", estimate.feasible);
    object.emplace_back("status", estimate.status);
    object.emplace_back("estimated_cost_cents", estimate.estimated_cost_cents);
    object.emplace_back("estimated_duration_ms", estimate.estimated_duration_ms);
    return object;
}

json::Value number_or_null(const StepEstimate* step, double StepEstimate::*field)
{
    return step ? json::Value(step->*field) : json::Value(nullptr);
}

json::Value difference(const StepEstimate* v1, const StepEstimate* v2, double StepEstimate::*field)
{
    return v1 && v2 ? json::Value(v2->*field - v1->*field) : json::Value(nullptr);
}

constexpr int gzip_window_bits = 15 + 16;  // zlib: 16 + window size selects the gzip wrapper

}  // namespace

bool keeps_diff(Verdict verdict) noexcept { return verdict == Verdict::major_drift || verdict == Verdict::mismatch; }

json::Value step_diff(const Estimate& v1, const Estimate& v2, const Drift& drift)
{
    std::map<int, std::pair<const StepEstimate*, const StepEstimate*>> by_index;
    for (const StepEstimate& step : v1.step_estimates) by_index[step.step_index].first = &step;
    for (const StepEstimate& step : v2.step_estimates) by_index[step.step_index].second = &step;
    json::Array steps;
    steps.reserve(by_index.size());
    for (const auto& [index, pair] : by_index) {
        const StepEstimate* a = pair.first;
        const StepEstimate* b = pair.second;
        json::Object step;
        step.reserve(11);
        step.emplace_back("step_index", index);
        step.emplace_back("skill_id", (a ? a : b)->skill_id);
        step.emplace_back("v1_cost_cents", number_or_null(a, &StepEstimate::cost_cents));
        step.emplace_back("v2_cost_cents", number_or_null(b, &StepEstimate::cost_cents));
        step.emplace_back("cost_delta_cents", difference(a, b, &StepEstimate::cost_cents));
        step.emplace_back("v1_latency_ms", number_or_null(a, &StepEstimate::latency_ms));
        step.emplace_back("v2_latency_ms", number_or_null(b, &StepEstimate::latency_ms));
        step.emplace_back("latency_delta_ms", difference(a, b, &StepEstimate::latency_ms));
        step.emplace_back("v1_risk_probability", number_or_null(a, &StepEstimate::risk_probability));
        step.emplace_back("v2_risk_probability", number_or_null(b, &StepEstimate::risk_probability));
        step.emplace_back("v2_confidence",
                          b && b->confidence ? json::Value(*b->confidence) : json::Value(nullptr));
        steps.emplace_back(std::move(step));
    }
    json::Object diff;
    diff.reserve(6);
    diff.emplace_back("verdict", to_string(drift.verdict));
    diff.emplace_back("drift_score", drift.drift_score);
    diff.emplace_back("cost_delta_cents", drift.cost_delta_cents);
    diff.emplace_back("feasibility_match", drift.feasibility_match);
    diff.emplace_back("totals", json::Object{{"v1", totals(v1)}, {"v2", totals(v2)}});
    diff.emplace_back("steps", std::move(steps));
    return diff;
}

std::string gzip(std::string_view data)
{
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw Error(ErrorKind::internal, "gzip: deflateInit2 failed");
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 32, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&stream, Z_FINISH);
    const std::size_t written = stream.total_out;
    deflateEnd(&stream);
    if (status != Z_STREAM_END) throw Error(ErrorKind::internal, "gzip: deflate failed");
    out.resize(written);
    return out;
}

std::string gunzip(std::string_view data, std::size_t max_size)
{
    z_stream stream{};
    if (inflateInit2(&stream, gzip_window_bits) != Z_OK) throw Error(ErrorKind::internal, "gunzip: inflateInit2 failed");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buffer[16384];
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&stream);
            throw invalid_input("artifact", "not gzip data, or damaged");
        }
        out.append(buffer, sizeof buffer - stream.avail_out);
        if (out.size() > max_size) {
            inflateEnd(&stream);
            throw invalid_input("artifact", "inflates beyond " + std::to_string(max_size) + " bytes");
        }
        if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
            inflateEnd(&stream);
            throw invalid_input("artifact", "truncated gzip data");
        }
    }
    inflateEnd(&stream);
    return out;
}

}  // namespace costsim
