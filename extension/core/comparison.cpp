#include "core/comparison.hpp"

#include "core/errors.hpp"
#include "core/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace costsim {
namespace {

constexpr double cost_weight = 0.6;
constexpr double feasibility_weight = 0.4;

Verdict verdict_for(double score, const DriftThresholds& thresholds) noexcept
{
    if (score <= match_threshold) return Verdict::match;
    if (score <= thresholds.warning) return Verdict::minor_drift;
    if (score <= thresholds.drift) return Verdict::major_drift;
    return Verdict::mismatch;
}

double relative_delta(double v1, double v2) noexcept { return std::abs(v2 - v1) / std::max(v1, 1.0); }

double drift_score(double cost_delta_pct, bool feasibility_match)
{
    return round_to(cost_weight * std::min(cost_delta_pct, 1.0) + feasibility_weight * (feasibility_match ? 0 : 1), 4);
}

// The fields of a result that a comparison reads, checked.
struct Side {
    const char* name;
    const json::Value& result;
    double cost = 0, duration = 0;
    bool feasible = false;

    Side(const char* side_name, const json::Value& value) : name(side_name), result(value)
    {
        if (!result.is_object()) throw invalid_input(name, "must be a JSON object (a simulation result)");
        cost = number("estimated_cost_cents", true).as_number();
        const json::Value& duration_value = number("estimated_duration_ms", false);
        duration = duration_value.is_number() ? duration_value.as_number() : 0;
        const json::Value* feasible_value = result.find("feasible");
        if (!feasible_value || !feasible_value->is_bool()) throw invalid_input(field("feasible"), "must be a boolean");
        feasible = feasible_value->as_bool();
    }
    std::string field(const char* key) const { return std::string(name) + "." + key; }
    const json::Value& number(const char* key, bool required) const
    {
        static const json::Value null;
        const json::Value* value = result.find(key);
        if (value && value->is_number() && std::isfinite(value->as_number())) return *value;
        if (required || (value && !value->is_null())) throw invalid_input(field(key), "must be a number");
        return null;
    }
    json::Value get(const char* key) const
    {
        const json::Value* value = result.find(key);
        return value ? *value : json::Value();
    }
    json::Value summary() const
    {
        json::Object object{{"cost_cents", cost},          {"duration_ms", duration},
                            {"feasible", feasible},        {"status", get("status")},
                            {"output_hash", output_hash(result)}};
        if (const json::Value* version = result.find("model_version")) object.emplace_back("model_version", *version);
        if (const json::Value* confidence = result.find("confidence_score"))
            object.emplace_back("confidence_score", *confidence);
        return object;
    }
    const json::Array* steps() const
    {
        const json::Value* value = result.find("step_estimates");
        return value && value->is_array() ? &value->as_array() : nullptr;
    }
};

json::Value member(const json::Value& object, const char* key)
{
    const json::Value* value = object.find(key);
    return value ? *value : json::Value();
}

json::Value difference(const json::Value& v1, const json::Value& v2)
{
    if (v1.is_number() && v2.is_number()) return v2.as_number() - v1.as_number();
    return json::Value();
}

json::Array step_deltas(const json::Array& v1_steps, const json::Array& v2_steps)
{
    json::Array deltas;
    const std::size_t count = std::min(v1_steps.size(), v2_steps.size());
    deltas.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const json::Value v1_cost = member(v1_steps[i], "cost_cents"), v2_cost = member(v2_steps[i], "cost_cents");
        const json::Value v1_latency = member(v1_steps[i], "latency_ms"), v2_latency = member(v2_steps[i], "latency_ms");
        deltas.push_back(json::Object{
            {"step_index", static_cast<std::int64_t>(i)},
            {"skill_id", member(v1_steps[i], "skill_id")},
            {"v1_cost_cents", v1_cost},
            {"v2_cost_cents", v2_cost},
            {"cost_delta_cents", difference(v1_cost, v2_cost)},
            {"v1_latency_ms", v1_latency},
            {"v2_latency_ms", v2_latency},
            {"latency_delta_ms", difference(v1_latency, v2_latency)},
        });
    }
    return deltas;
}

}  // namespace

const char* to_string(Verdict verdict) noexcept
{
    switch (verdict) {
    case Verdict::match: return "match";
    case Verdict::minor_drift: return "minor_drift";
    case Verdict::major_drift: return "major_drift";
    case Verdict::mismatch: return "mismatch";
    }
    return "mismatch";
}

Drift classify_drift(std::int64_t v1_cost_cents, std::int64_t v2_cost_cents, bool v1_feasible, bool v2_feasible,
                     const DriftThresholds& thresholds)
{
    Drift drift;
    drift.cost_delta_cents = v2_cost_cents - v1_cost_cents;
    drift.cost_delta_pct = relative_delta(static_cast<double>(v1_cost_cents), static_cast<double>(v2_cost_cents));
    drift.feasibility_match = v1_feasible == v2_feasible;
    drift.drift_score = drift_score(drift.cost_delta_pct, drift.feasibility_match);
    drift.verdict = verdict_for(drift.drift_score, thresholds);
    return drift;
}

json::Value compare(const json::Value& v1_result, const json::Value& v2_result, const DriftThresholds& thresholds)
{
    const Side v1("v1", v1_result), v2("v2", v2_result);
    const double cost_delta_pct = relative_delta(v1.cost, v2.cost);
    const bool feasibility_match = v1.feasible == v2.feasible;
    const double score = drift_score(cost_delta_pct, feasibility_match);
    const json::Array* v1_steps = v1.steps();
    const json::Array* v2_steps = v2.steps();
    return json::Object{
        {"drift_score", score},
        {"verdict", to_string(verdict_for(score, thresholds))},
        {"cost_delta_cents", v2.cost - v1.cost},
        {"cost_delta_pct", cost_delta_pct},
        {"duration_delta_ms", v2.duration - v1.duration},
        {"duration_delta_pct", relative_delta(v1.duration, v2.duration)},
        {"feasibility_match", feasibility_match},
        {"v1", v1.summary()},
        {"v2", v2.summary()},
        {"step_deltas", v1_steps && v2_steps ? step_deltas(*v1_steps, *v2_steps) : json::Array()},
    };
}

}  // namespace costsim
