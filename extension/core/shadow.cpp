#include "core/shadow.hpp"

#include "core/errors.hpp"
#include "core/hashing.hpp"
#include "core/simulator_v1.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace costsim {

std::string input_hash(const json::Value& plan, std::int64_t budget_cents, const AllowedSkills& allowed)
{
    json::Value allowed_value;
    if (!allowed.empty()) {
        json::Array names;
        names.reserve(allowed.size());
        for (const std::string& name : allowed) names.emplace_back(name);
        allowed_value = std::move(names);
    }
    // Members written in canonical order already; canonical() sorts anyway.
    json::Object input;
    input.emplace_back("allowed_skills", std::move(allowed_value));
    input.emplace_back("budget_cents", budget_cents);
    input.emplace_back("plan", plan);
    return canonical_hash(input);
}

bool in_sample(const std::string& input_hash_hex, double rate)
{
    if (!(rate > 0)) return false;
    if (rate >= 1) return true;
    std::uint64_t prefix = 0;  // the first 64 bits of the digest
    const std::size_t digits = std::min<std::size_t>(16, input_hash_hex.size());
    std::from_chars(input_hash_hex.data(), input_hash_hex.data() + digits, prefix, 16);
    // long double holds all 64 bits exactly (x86-64), so no prefix is rounded across the boundary.
    return static_cast<long double>(prefix) < static_cast<long double>(rate) * 0x1p64L;
}

ShadowRecord run_shadow(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed,
                        double v1_risk_threshold, const Model* model, const std::string& model_error,
                        const DriftThresholds& thresholds, V2Errors v2_errors)
{
    ShadowRecord record;
    const auto started = std::chrono::steady_clock::now();
    record.v1 = simulate_v1(plan, budget_cents, allowed, v1_risk_threshold);
    record.v1_runtime_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    record.v1_result = to_json(record.v1);
    record.v1_output_hash = output_hash(record.v1_result);
    try {
        if (!model) throw Error(ErrorKind::invalid_input, model_error.empty() ? "no V2 model" : model_error);
        Estimate v2 = simulate_v2(plan, budget_cents, allowed, *model);
        json::Value v2_result = to_json(v2);
        std::string v2_hash = output_hash(v2_result);
        record.drift = classify_drift(static_cast<std::int64_t>(record.v1.estimated_cost_cents),
                                      static_cast<std::int64_t>(v2.estimated_cost_cents), record.v1.feasible,
                                      v2.feasible, thresholds);
        record.v2 = std::move(v2);
        record.v2_result = std::move(v2_result);
        record.v2_output_hash = std::move(v2_hash);
    } catch (const std::exception& failure) {
        if (v2_errors == V2Errors::escape) throw;
        record.v2_error = failure.what();
        if (record.v2_error.empty()) record.v2_error = "V2 failed";
    }
    return record;
}

}  // namespace costsim
