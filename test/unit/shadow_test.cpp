// The shadow path without the database (spec sections 4-5, docs/sql.md "Provenance"): input hash,
// deterministic sampling, and run_shadow.
#include "core/comparison.hpp"
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/hashing.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/shadow.hpp"
#include "core/simulator_v1.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <string>

namespace json = costsim::json;
using costsim_test::Array;
using costsim_test::Object;
using costsim_test::Value;
using costsim_test::step;

TEST(InputHash, EqualsSha256OfHandWrittenCanonicalText)
{
    const Value plan = json::parse(R"([{"skill":"http_call"}])");
    EXPECT_EQ(costsim::input_hash(plan, 1000, {}),
              costsim::sha256_hex(R"({"allowed_skills":null,"budget_cents":1000,"plan":[{"skill":"http_call"}]})"));
}

TEST(InputHash, CanonicalisesThePlanAndKeepsListOrder)
{
    const Value plan = json::parse(R"([{"skill":"kv_get","params":{"z":1,"a":2.50}},{"iterations":2,"skill":"x"}])");
    // Keys sorted at every level, 2.50 -> 2.5, the allowed list in the caller's order.
    EXPECT_EQ(costsim::input_hash(plan, 5, {"b", "a"}),
              costsim::sha256_hex(R"({"allowed_skills":["b","a"],"budget_cents":5,)"
                                  R"("plan":[{"params":{"a":2.5,"z":1},"skill":"kv_get"},{"iterations":2,"skill":"x"}]})"));
}

TEST(InputHash, EmptyAllowListHashesLikeNullAndInputsMatter)
{
    const Value plan = json::parse(R"([{"skill":"llm_invoke","params":{"prompt":"hi"}}])");
    const std::string base = costsim::input_hash(plan, 1000, {});
    EXPECT_EQ(base, costsim::sha256_hex(
                        R"({"allowed_skills":null,"budget_cents":1000,"plan":[{"params":{"prompt":"hi"},"skill":"llm_invoke"}]})"));
    EXPECT_NE(base, costsim::input_hash(plan, 1001, {}));
    EXPECT_NE(base, costsim::input_hash(plan, 1000, {"llm_invoke"}));
    EXPECT_NE(base, costsim::input_hash(json::parse(R"([{"skill":"llm_invoke","params":{"prompt":"ho"}}])"), 1000, {}));
    EXPECT_EQ(costsim::input_hash(json::parse("[]"), 0, {}),
              costsim::sha256_hex(R"({"allowed_skills":null,"budget_cents":0,"plan":[]})"));
}

TEST(InSample, RatesAndBoundaries)
{
    const std::string zeros(64, '0');
    const std::string effs(64, 'f');
    const std::string half = "8" + std::string(63, '0');          // first 64 bits / 2^64 = 0.5 exactly
    const std::string below_half = "7ff" + std::string(61, '0');  // 0x7ff0000000000000 / 2^64 = 0.49951171875
    const std::string quarter = "4" + std::string(63, '0');       // 0.25 exactly
    const std::string below_quarter = "3ff" + std::string(61, '0');  // 0.24993896484375

    EXPECT_FALSE(costsim::in_sample(zeros, 0.0));  // rate 0: nothing
    EXPECT_FALSE(costsim::in_sample(effs, 0.0));
    EXPECT_FALSE(costsim::in_sample(zeros, -1.0));
    EXPECT_TRUE(costsim::in_sample(zeros, 1.0));  // rate 1: everything
    EXPECT_TRUE(costsim::in_sample(effs, 1.0));
    EXPECT_TRUE(costsim::in_sample(effs, 2.0));

    EXPECT_TRUE(costsim::in_sample(zeros, 0.5));        // 0 < 0.5
    EXPECT_FALSE(costsim::in_sample(effs, 0.5));        // ~1 >= 0.5
    EXPECT_TRUE(costsim::in_sample(below_half, 0.5));   // 0.4995 < 0.5
    EXPECT_FALSE(costsim::in_sample(half, 0.5));        // 0.5 < 0.5 is false
    EXPECT_TRUE(costsim::in_sample(below_quarter, 0.25));
    EXPECT_FALSE(costsim::in_sample(quarter, 0.25));
    EXPECT_TRUE(costsim::in_sample(quarter, 0.5));
    // Only the first 64 bits count.
    EXPECT_EQ(costsim::in_sample(below_half.substr(0, 16) + std::string(48, 'f'), 0.5), true);
}

TEST(InSample, DeterministicForAnInput)
{
    const std::string h = costsim::input_hash(json::parse(R"([{"skill":"kv_get"}])"), 1000, {});
    EXPECT_EQ(costsim::in_sample(h, 0.3), costsim::in_sample(h, 0.3));
}

namespace {

// llm_invoke (1000-char prompt) + http_call to localhost: V1 5 c / 2500 ms feasible; V2 6.7 -> 7 c / 2500 ms
// success (see comparison_test.cpp for the arithmetic).
costsim::Plan shadow_plan()
{
    return costsim_test::plan_of(Array{step("llm_invoke", Object{{"prompt", Value(std::string(1000, 'x'))}}),
                                       step("http_call", Object{{"url", Value("http://localhost/")}})});
}

}  // namespace

TEST(RunShadow, NullModelRecordsTheErrorAndKeepsV1)
{
    const std::string model_error = "unknown V2 model version \"9.9.9\"";
    costsim::ShadowRecord r = costsim::run_shadow(shadow_plan(), 1000, {}, 0.5, nullptr, model_error, {});
    const Value expected_v1 = costsim::to_json(costsim::simulate_v1(shadow_plan(), 1000, {}, 0.5));
    EXPECT_EQ(r.v1_result, expected_v1) << json::dump(r.v1_result);
    EXPECT_EQ(r.v1.estimated_cost_cents, 5);
    EXPECT_EQ(r.v1.status, "feasible");
    EXPECT_EQ(r.v1_output_hash, costsim::output_hash(r.v1_result));
    EXPECT_FALSE(r.v2.has_value());
    EXPECT_TRUE(r.v2_result.is_null());
    EXPECT_FALSE(r.v2_error.empty());
    EXPECT_TRUE(costsim_test::contains(r.v2_error, model_error)) << r.v2_error;
    EXPECT_FALSE(r.drift.has_value());
    EXPECT_TRUE(r.v2_output_hash.empty());
    EXPECT_GE(r.v1_runtime_us, 0);
}

TEST(RunShadow, WithModelReturnsDriftAndBothHashes)
{
    const costsim::Model model = costsim_test::model_2_0_0();
    costsim::ShadowRecord r = costsim::run_shadow(shadow_plan(), 1000, {}, 0.5, &model, "", {});
    // The production answer is the same as without V2.
    EXPECT_EQ(r.v1_result, costsim::to_json(costsim::simulate_v1(shadow_plan(), 1000, {}, 0.5)));
    EXPECT_TRUE(r.v2_error.empty()) << r.v2_error;
    ASSERT_TRUE(r.v2.has_value());
    EXPECT_EQ(r.v2->estimated_cost_cents, 7);  // 6.7 -> 7
    EXPECT_EQ(r.v2->status, "success");
    ASSERT_TRUE(r.v2_result.is_object());
    EXPECT_EQ(costsim_test::string_at(r.v2_result, "model_version"), "2.0.0");
    EXPECT_EQ(r.v2_output_hash, costsim::output_hash(r.v2_result));
    EXPECT_EQ(r.v1_output_hash, costsim::output_hash(r.v1_result));
    EXPECT_EQ(r.v2_output_hash.size(), 64u);
    EXPECT_NE(r.v1_output_hash, r.v2_output_hash);
    ASSERT_TRUE(r.drift.has_value());
    // cost 5 -> 7: delta 2, pct 0.4, drift 0.6 x 0.4 = 0.24 -> mismatch; both feasible
    EXPECT_EQ(r.drift->cost_delta_cents, 2);
    EXPECT_DOUBLE_EQ(r.drift->cost_delta_pct, 0.4);
    EXPECT_DOUBLE_EQ(r.drift->drift_score, 0.24);
    EXPECT_EQ(r.drift->verdict, costsim::Verdict::mismatch);
    EXPECT_TRUE(r.drift->feasibility_match);

    costsim::DriftThresholds loose;
    loose.warning = 0.3;
    loose.drift = 0.5;
    costsim::ShadowRecord l = costsim::run_shadow(shadow_plan(), 1000, {}, 0.5, &model, "", loose);
    ASSERT_TRUE(l.drift.has_value());
    EXPECT_EQ(l.drift->verdict, costsim::Verdict::minor_drift);  // 0.24 <= 0.3
}

TEST(RunShadow, V2FailureNeverEscapes)
{
    costsim::Model no_fallback = costsim_test::model_2_0_0();
    no_fallback.fallback.reset();
    // "mystery" has no coefficients and no "*" row: V2 throws; V1 prices it at 10 c.
    costsim::Plan plan = costsim_test::plan_of(R"([{"skill":"mystery"}])");
    costsim::ShadowRecord r;
    ASSERT_NO_THROW(r = costsim::run_shadow(plan, 1000, {}, 0.5, &no_fallback, "", {}));
    EXPECT_EQ(r.v1.estimated_cost_cents, 10);
    EXPECT_EQ(r.v1_result, costsim::to_json(costsim::simulate_v1(plan, 1000, {}, 0.5)));
    EXPECT_FALSE(r.v2_error.empty());
    EXPECT_FALSE(r.v2.has_value());
    EXPECT_TRUE(r.v2_result.is_null());
    EXPECT_FALSE(r.drift.has_value());
    EXPECT_TRUE(r.v2_output_hash.empty());
}

TEST(RunShadow, V2ErrorsCanBeMadeToEscape)
{
    costsim::Model no_fallback = costsim_test::model_2_0_0();
    no_fallback.fallback.reset();
    costsim::Plan plan = costsim_test::plan_of(R"([{"skill":"mystery"}])");
    EXPECT_THROW(costsim::run_shadow(plan, 1000, {}, 0.5, &no_fallback, "", {}, costsim::V2Errors::escape),
                 costsim::Error);
    EXPECT_THROW(costsim::run_shadow(plan, 1000, {}, 0.5, nullptr, "no model", {}, costsim::V2Errors::escape),
                 costsim::Error);
    // Default: recorded.
    EXPECT_NO_THROW(costsim::run_shadow(plan, 1000, {}, 0.5, nullptr, "no model", {}, costsim::V2Errors::recorded));
}

TEST(RunShadow, AllowedSkillsAndThresholdReachV1)
{
    const costsim::Model model = costsim_test::model_2_0_0();
    costsim::ShadowRecord r = costsim::run_shadow(shadow_plan(), 1000, {"http_call"}, 0.5, &model, "", {});
    EXPECT_EQ(r.v1.status, "permission_denied");
    EXPECT_FALSE(costsim_test::bool_at(r.v1_result, "feasible"));
    ASSERT_TRUE(r.v2.has_value());
    EXPECT_EQ(r.v2->status, "error");
    ASSERT_TRUE(r.drift.has_value());
    EXPECT_TRUE(r.drift->feasibility_match);  // both infeasible

    // risk threshold 0.1 < cum 0.145 -> V1 risk_too_high
    costsim::ShadowRecord t = costsim::run_shadow(shadow_plan(), 1000, {}, 0.1, &model, "", {});
    EXPECT_EQ(t.v1.status, "risk_too_high");
}
