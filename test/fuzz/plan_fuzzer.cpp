// libFuzzer target for extension/core: arbitrary bytes are treated as JSON text and pushed through the
// whole pure-C++ path the extension runs for a simulate() call: json::parse -> parse_plan -> simulate_v1 /
// simulate_v2 -> to_json -> dump / canonical / hashes -> compare -> run_shadow; and a plan that parses is
// anonymized (historical dataset), which must leave a plan that parses and that both simulators price the same.
//
// Input shapes:
//   * any JSON value: it is the plan (budget 1000, every skill allowed, risk threshold 0.5);
//   * an object with a "plan" member: the plan, plus optional "budget_cents" (number),
//     "allowed_skills" (array; non-strings are skipped) and "risk_threshold" (number in 0..1).
//
// Expected failures (bad JSON, bad plans) are caught; anything else escaping, a sanitizer report, or a
// broken invariant (checked with abort()) is a finding.
#include "../model_2_0_0.hpp"
#include "core/anonymize.hpp"
#include "core/comparison.hpp"
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/hashing.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/shadow.hpp"
#include "core/simulator_v1.hpp"
#include "core/simulator_v2.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using costsim::json::Value;

[[noreturn]] void fail(const char* what, const std::string& detail = {})
{
    std::fprintf(stderr, "plan_fuzzer: invariant broken: %s%s%s\n", what, detail.empty() ? "" : ": ",
                 detail.c_str());
    std::abort();
}

#define FUZZ_CHECK(cond, detail)                  \
    do {                                          \
        if (!(cond)) fail(#cond, (detail));       \
    } while (0)

// Model 2.0.0 as tabulated in spec section 3.
const costsim::Model& model_2_0_0()
{
    static const costsim::Model model = costsim_test::model_2_0_0();
    return model;
}

bool in_unit_interval(double x) { return x >= 0.0 && x <= 1.0; }  // false for NaN

const Value& member(const Value& object, const char* key)
{
    const Value* v = object.find(key);
    if (v == nullptr) fail("result lacks a key", key);
    return *v;
}

// dump -> parse must give back the same value, and canonical() must be a fixed point.
void check_round_trip(const Value& value, const char* what)
{
    const std::string text = costsim::json::dump(value);
    Value reparsed;
    try {
        reparsed = costsim::json::parse(text);
    } catch (const costsim::json::ParseError& e) {
        fail("dump() output does not parse", std::string(what) + ": " + e.what() + ": " + text.substr(0, 200));
    }
    if (reparsed != value) fail("parse(dump(v)) != v", std::string(what) + ": " + text.substr(0, 200));

    const std::string canon = costsim::json::canonical(value);
    Value from_canon;
    try {
        from_canon = costsim::json::parse(canon);
    } catch (const costsim::json::ParseError& e) {
        fail("canonical() output does not parse", std::string(what) + ": " + e.what());
    }
    if (costsim::json::canonical(from_canon) != canon)
        fail("canonical() is not idempotent", std::string(what) + ": " + canon.substr(0, 200));
}

void check_hash(const std::string& hex, const char* what)
{
    if (hex.size() != 64) fail("hash is not 64 hex digits", what);
    for (char c : hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) fail("hash is not lowercase hex", what);
}

// Invariants of an estimate and of its JSON form, common to V1 and V2.
void check_estimate(const costsim::Estimate& e, const Value& j, std::size_t plan_steps, const char* what)
{
    FUZZ_CHECK(e.estimated_cost_cents >= 0, what);
    FUZZ_CHECK(e.estimated_duration_ms >= 0, what);
    FUZZ_CHECK(in_unit_interval(e.cumulative_risk), what);
    FUZZ_CHECK(e.step_estimates.size() == plan_steps, what);
    for (const auto& s : e.step_estimates) {
        FUZZ_CHECK(s.cost_cents >= 0 && s.latency_ms >= 0, what);
        FUZZ_CHECK(in_unit_interval(s.risk_probability), what);
        FUZZ_CHECK(s.iterations >= costsim::min_iterations && s.iterations <= costsim::max_iterations, what);
    }
    for (const auto& r : e.risks) FUZZ_CHECK(in_unit_interval(r.probability), what);

    FUZZ_CHECK(j.is_object(), what);
    const Value& feasible = member(j, "feasible");
    const Value& status = member(j, "status");
    FUZZ_CHECK(feasible.is_bool() && feasible.as_bool() == e.feasible, what);
    FUZZ_CHECK(status.is_string() && status.as_string() == e.status, what);
    const Value& cost = member(j, "estimated_cost_cents");
    FUZZ_CHECK(cost.is_number() && cost.as_number() >= 0, what);
    const Value& steps = member(j, "step_estimates");
    FUZZ_CHECK(steps.is_array() && steps.as_array().size() == plan_steps, what);
    const Value& metadata = member(j, "metadata");
    const Value& cum = member(metadata, "cumulative_risk");
    FUZZ_CHECK(cum.is_number() && in_unit_interval(cum.as_number()), what);

    check_round_trip(j, what);
    check_hash(costsim::output_hash(j), what);
}

// What anonymizing must not change: the figures of the estimate (and V2's confidence).
bool same_figures(const costsim::Estimate& a, const costsim::Estimate& b)
{
    return a.estimated_cost_cents == b.estimated_cost_cents && a.estimated_duration_ms == b.estimated_duration_ms &&
           a.feasible == b.feasible && a.status == b.status && a.confidence_score == b.confidence_score;
}

struct Inputs {
    const Value* plan = nullptr;
    std::int64_t budget_cents = 1000;
    costsim::AllowedSkills allowed;
    double risk_threshold = costsim::default_risk_threshold;
};

// Returns false when the wrapper carries a budget/threshold the API would refuse before simulating.
bool read_inputs(const Value& input, Inputs& in)
{
    in.plan = &input;
    const Value* plan = input.find("plan");
    if (plan == nullptr) return true;
    in.plan = plan;
    if (const Value* b = input.find("budget_cents"); b != nullptr && b->is_number()) {
        const double d = b->as_number();
        // the SQL argument is an integer: anything that is not one never reaches the core
        if (!(d >= -9.0e15 && d <= 9.0e15) || d != std::floor(d)) return false;
        in.budget_cents = static_cast<std::int64_t>(d);
    }
    if (const Value* a = input.find("allowed_skills"); a != nullptr && a->is_array())
        for (const Value& s : a->as_array())
            if (s.is_string()) in.allowed.push_back(s.as_string());
    if (const Value* t = input.find("risk_threshold"); t != nullptr && t->is_number()) {
        if (!in_unit_interval(t->as_number())) return false;
        in.risk_threshold = t->as_number();
    }
    return true;
}

void run_one(std::string_view text)
{
    Value input;
    try {
        input = costsim::json::parse(text);
    } catch (const costsim::json::ParseError&) {
        return;
    }

    // The canonical form (used for input hashes) of whatever parsed: refuses only non-finite numbers.
    try {
        const std::string canon = costsim::json::canonical(input);
        check_round_trip(input, "input");
        check_hash(costsim::canonical_hash(input), "input canonical_hash");
        (void)canon;
    } catch (const costsim::Error&) {
        // a number that overflowed to +-infinity: canonical() must refuse it, and so must parse_plan below
    }

    Inputs in;
    if (!read_inputs(input, in)) return;

    costsim::Plan plan;
    try {
        costsim::check_budget(in.budget_cents);
        plan = costsim::parse_plan(*in.plan, costsim::PlanLimits{1000});
    } catch (const costsim::Error&) {
        return;  // bad input: the pg layer turns this into 22023 / 54000
    }
    FUZZ_CHECK(in.plan->is_array(), "parse_plan accepted a non-array");
    FUZZ_CHECK(plan.steps.size() == in.plan->as_array().size(), "parse_plan changed the step count");
    FUZZ_CHECK(plan.steps.size() <= 1000, "parse_plan let more than max_steps through");

    // V1
    const costsim::Estimate v1 = costsim::simulate_v1(plan, in.budget_cents, in.allowed, in.risk_threshold);
    const Value v1_json = costsim::to_json(v1);
    FUZZ_CHECK(v1.feasible == (v1.status == "feasible"), "V1 feasible iff status == feasible: " + v1.status);
    FUZZ_CHECK(v1.status == "feasible" || v1.status == "budget_insufficient" || v1.status == "permission_denied" ||
                   v1.status == "risk_too_high" || v1.status == "invalid_plan",
               "V1 status: " + v1.status);
    FUZZ_CHECK(plan.steps.empty() == (v1.status == "invalid_plan"), "V1 invalid_plan iff empty: " + v1.status);
    check_estimate(v1, v1_json, plan.steps.size(), "v1");

    // V2
    const costsim::Estimate v2 = costsim::simulate_v2(plan, in.budget_cents, in.allowed, model_2_0_0());
    const Value v2_json = costsim::to_json(v2);
    FUZZ_CHECK(in_unit_interval(v2.confidence_score), "V2 confidence_score in [0,1]");
    FUZZ_CHECK(v2.status == "success" || v2.status == "error" || v2.status == "schema_error",
               "V2 status: " + v2.status);
    FUZZ_CHECK(v2.model_version && *v2.model_version == "2.0.0", "V2 model_version");
    for (const auto& s : v2.step_estimates)
        FUZZ_CHECK(s.confidence && in_unit_interval(*s.confidence), "V2 step confidence in [0,1]");
    const Value& v2_conf = member(v2_json, "confidence_score");
    FUZZ_CHECK(v2_conf.is_number() && in_unit_interval(v2_conf.as_number()), "V2 JSON confidence_score");
    check_estimate(v2, v2_json, plan.steps.size(), "v2");

    // The anonymized plan (spec section 9) parses, is a fixed point, and is priced exactly as the original.
    const Value anonymized = costsim::anonymize_plan(*in.plan);
    FUZZ_CHECK(costsim::anonymize_plan(anonymized) == anonymized, "anonymize_plan is not idempotent");
    costsim::Plan anonymized_plan;
    try {
        anonymized_plan = costsim::parse_plan(anonymized, costsim::PlanLimits{1000});
    } catch (const costsim::Error& e) {
        fail("the anonymized plan does not parse", e.what());
    }
    FUZZ_CHECK(same_figures(costsim::simulate_v1(anonymized_plan, in.budget_cents, in.allowed, in.risk_threshold), v1),
               "V1 prices the anonymized plan differently");
    FUZZ_CHECK(same_figures(costsim::simulate_v2(anonymized_plan, in.budget_cents, in.allowed, model_2_0_0()), v2),
               "V2 prices the anonymized plan differently");

    // Comparison of the two results
    const Value cmp = costsim::compare(v1_json, v2_json);
    const Value& drift = member(cmp, "drift_score");
    FUZZ_CHECK(drift.is_number() && in_unit_interval(drift.as_number()), "compare drift_score in [0,1]");
    check_round_trip(cmp, "compare");
    const Value self = costsim::compare(v1_json, v1_json);
    const Value& self_drift = member(self, "drift_score");
    FUZZ_CHECK(self_drift.is_number() && self_drift.as_number() == 0, "compare(v1, v1) drift_score == 0");

    // The shadow path: V1's answer must be exactly the production answer; V2 failures never escape.
    const std::string ih = costsim::input_hash(*in.plan, in.budget_cents, in.allowed);
    check_hash(ih, "input_hash");
    (void)costsim::in_sample(ih, 0.5);
    FUZZ_CHECK(!costsim::in_sample(ih, 0.0) && costsim::in_sample(ih, 1.0), "in_sample bounds");

    const costsim::ShadowRecord rec = costsim::run_shadow(plan, in.budget_cents, in.allowed, in.risk_threshold,
                                                          &model_2_0_0(), "", costsim::DriftThresholds{});
    FUZZ_CHECK(rec.v1_result == v1_json, "shadow V1 answer differs from simulate_v1");
    FUZZ_CHECK(rec.v1_output_hash == costsim::output_hash(v1_json), "shadow V1 output hash");
    FUZZ_CHECK(rec.v2.has_value() && rec.v2_error.empty(), "shadow V2 failed: " + rec.v2_error);
    FUZZ_CHECK(rec.drift.has_value() && in_unit_interval(rec.drift->drift_score), "shadow drift score");
    check_hash(rec.v2_output_hash, "shadow v2 output hash");

    const costsim::ShadowRecord broken = costsim::run_shadow(
        plan, in.budget_cents, in.allowed, in.risk_threshold, nullptr, "model missing", costsim::DriftThresholds{});
    FUZZ_CHECK(broken.v1_result == v1_json, "shadow V1 answer changes when V2 fails");
    FUZZ_CHECK(!broken.v2.has_value() && !broken.v2_error.empty(), "shadow without a model must report an error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    run_one(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
