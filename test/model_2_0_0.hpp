// V2 model 2.0.0 typed in from the specification's table (spec/costsim.md section 3; the "*" row is the
// fallback), for the tests, the fuzzer and the benchmarks. Every number is copied from the spec, not from the
// extension's SQL seed: the SQL tests check that seed against the spec separately.
#pragma once

#include "core/simulator_v2.hpp"

namespace costsim_test {

inline costsim::SkillCoefficients coeff(double cost, double latency, double confidence, const char* risk_type,
                                        double factor)
{
    costsim::SkillCoefficients c;
    c.base_cost_cents = cost;
    c.base_latency_ms = latency;
    c.confidence = confidence;
    c.risk_type = risk_type;
    c.risk_factor = factor;
    return c;
}

inline costsim::Model model_2_0_0()
{
    costsim::Model m;
    m.version = "2.0.0";
    auto http = coeff(0, 350, 0.85, "timeout", 0.08);
    http.latency_variance_ms = 150;
    m.skills["http_call"] = http;
    auto llm = coeff(3.5, 1800, 0.92, "rate_limit", 0.03);
    llm.cost_per_1k_input_chars = 0.8;
    llm.cost_per_1k_output_chars = 1.2;
    llm.latency_per_1k_input_chars_ms = 200;
    m.skills["llm_invoke"] = llm;
    m.skills["json_transform"] = coeff(0, 5, 0.98, "transform_error", 0.005);
    m.skills["fs_read"] = coeff(0, 30, 0.95, "not_found", 0.03);
    m.skills["fs_write"] = coeff(0, 50, 0.94, "permission", 0.02);
    m.skills["shell_lite"] = coeff(0, 150, 0.88, "timeout", 0.07);
    m.skills["kv_get"] = coeff(0, 3, 0.97, "not_found", 0.01);
    m.skills["kv_set"] = coeff(0, 5, 0.97, "quota", 0.01);
    m.skills["webhook_send"] = coeff(0, 200, 0.90, "timeout", 0.08);
    m.skills["email_send"] = coeff(0.8, 350, 0.93, "delivery", 0.03);
    m.fallback = coeff(5, 500, 0.60, "unknown", 0.15);
    return m;
}

}  // namespace costsim_test
