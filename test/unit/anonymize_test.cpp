// Anonymizing a plan for the historical dataset (spec section 9): every string becomes as many 'x' as it has
// code points, except a step's skill and a local URL's prefix; a non-string prompt or command becomes 'x' as long
// as its canonical JSON text; numbers, booleans, nulls and keys stay. V1 and V2 must price the result exactly as
// the original. Expected plans are written out by hand, lengths counted in the comments.
#include "core/anonymize.hpp"
#include "core/estimate.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v1.hpp"
#include "core/simulator_v2.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace json = costsim::json;
using costsim::anonymize_plan;
using costsim_test::repeat;
using costsim_test::Value;

namespace {

// anonymize_plan(input) == expected, both given as JSON text.
void expect_anonymized(const std::string& input, const std::string& expected)
{
    const Value actual = anonymize_plan(json::parse(input));
    EXPECT_EQ(actual, json::parse(expected)) << "input:    " << input << "\nactual:   " << json::dump(actual)
                                             << "\nexpected: " << expected;
}

std::string xs(std::size_t n) { return std::string(n, 'x'); }

}  // namespace

TEST(Anonymize, StringsBecomeXOfTheSameLength)
{
    // "/etc/passwd" 11 chars, "r" 1, "" 0
    expect_anonymized(R"([{"skill":"fs_read","params":{"path":"/etc/passwd","mode":"r","empty":""}}])",
                      R"([{"skill":"fs_read","params":{"path":"xxxxxxxxxxx","mode":"x","empty":""}}])");
}

TEST(Anonymize, LengthsAreCodePoints)
{
    // "h\u00e9\u00e9" = "héé": 5 UTF-8 bytes, 3 code points; "a\ud83d\ude00" = "a😀": 5 bytes, 2 code points;
    // "\u20ac5" = "€5": 4 bytes, 2 code points.
    expect_anonymized(R"([{"skill":"kv_set","params":{"key":"h\u00e9\u00e9","value":"a\ud83d\ude00","p":"\u20ac5"}}])",
                      R"([{"skill":"kv_set","params":{"key":"xxx","value":"xx","p":"xx"}}])");
}

TEST(Anonymize, SkillIterationsNumbersBooleansAndNullsKept)
{
    const std::string plan =
        R"([{"skill":"http_call","iterations":7,"params":{"timeout":2.5,"retry":true,"cache":false,"proxy":null,)"
        R"("ports":[80,443],"weight":-1e-7}},{"skill":"my_private_tool","params":{}}])";
    expect_anonymized(plan, plan);
}

TEST(Anonymize, LocalUrlKeepsItsPrefix)
{
    // ":8080/v1/users/42": ":8080" 5 + "/v1" 3 + "/users" 6 + "/42" 3 = 17; "/\u00e9" = "/é": 2 code points;
    // "http://localhost" alone has nothing after the prefix; ".example.com/x" 14 (still local for V2: it only looks
    // at the prefix).
    expect_anonymized(R"([{"skill":"http_call","params":{"url":"http://localhost:8080/v1/users/42"}},)"
                      R"({"skill":"http_call","params":{"url":"http://127.0.0.1/\u00e9"}},)"
                      R"({"skill":"http_call","params":{"url":"http://localhost"}},)"
                      R"({"skill":"http_call","params":{"url":"http://localhost.example.com/x"}}])",
                      R"([{"skill":"http_call","params":{"url":"http://localhostxxxxxxxxxxxxxxxxx"}},)"
                      R"({"skill":"http_call","params":{"url":"http://127.0.0.1xx"}},)"
                      R"({"skill":"http_call","params":{"url":"http://localhost"}},)"
                      R"({"skill":"http_call","params":{"url":"http://localhostxxxxxxxxxxxxxx"}}])");
}

TEST(Anonymize, ExternalUrlBecomesAllX)
{
    // "https://api.example.com/x": "https://" 8 + "api.example.com" 15 + "/x" 2 = 25;
    // "HTTP://LOCALHOST/" 17 (the prefix test is case-sensitive, so this one is external);
    // "https://localhost/" 18 (https is not a local prefix);
    // "https://ex.com/\u00e9" = "https://ex.com/é": 8 + 6 + 2 = 16 code points (17 bytes).
    expect_anonymized(R"([{"skill":"http_call","params":{"url":"https://api.example.com/x"}},)"
                      R"({"skill":"http_call","params":{"url":"HTTP://LOCALHOST/"}},)"
                      R"({"skill":"http_call","params":{"url":"https://localhost/"}},)"
                      R"({"skill":"http_call","params":{"url":"https://ex.com/\u00e9"}}])",
                      "[{\"skill\":\"http_call\",\"params\":{\"url\":\"" + xs(25) + "\"}}," +
                          "{\"skill\":\"http_call\",\"params\":{\"url\":\"" + xs(17) + "\"}}," +
                          "{\"skill\":\"http_call\",\"params\":{\"url\":\"" + xs(18) + "\"}}," +
                          "{\"skill\":\"http_call\",\"params\":{\"url\":\"" + xs(16) + "\"}}]");
}

TEST(Anonymize, NonStringUrlIsWalked)
{
    // a non-string URL is external for V2 whatever it holds; it stays a non-string
    expect_anonymized(R"([{"skill":"http_call","params":{"url":{"host":"localhost","port":80}}}])",
                      R"([{"skill":"http_call","params":{"url":{"host":"xxxxxxxxx","port":80}}}])");
}

TEST(Anonymize, NonStringPromptAndCommandBecomeXAsLongAsTheirCanonicalJson)
{
    // prompt { "b": [1, "\u00e9"], "a": true } -> canonical {"a":true,"b":[1,"é"]}:
    //   { "a" : true , "b" : [ 1 , "é" ] } = 1 + 3 + 1 + 4 + 1 + 3 + 1 + 1 + 1 + 1 + 3 + 1 + 1 = 22
    // prompt 1.50 -> canonical 1.5: 3; prompt null: 4; prompt "R\u00e9sum\u00e9" = "Résumé" (a string): 6
    // prompt ["\n"] -> canonical ["\n"], the escape written out: [ " \ n " ] = 6
    // command ["rm", "-rf"] -> canonical ["rm","-rf"]: 1 + 4 + 1 + 5 + 1 = 12
    expect_anonymized(R"([{"skill":"llm_invoke","params":{"prompt":{ "b": [1, "\u00e9"], "a": true }}},)"
                      R"({"skill":"llm_invoke","params":{"prompt":["\n"]}},)"
                      R"({"skill":"llm_invoke","params":{"prompt":1.50}},)"
                      R"({"skill":"llm_invoke","params":{"prompt":null}},)"
                      R"({"skill":"llm_invoke","params":{"prompt":"R\u00e9sum\u00e9"}},)"
                      R"({"skill":"shell_lite","params":{"command":["rm", "-rf"]}}])",
                      "[{\"skill\":\"llm_invoke\",\"params\":{\"prompt\":\"" + xs(22) + "\"}}," +
                          "{\"skill\":\"llm_invoke\",\"params\":{\"prompt\":\"xxxxxx\"}}," +
                          "{\"skill\":\"llm_invoke\",\"params\":{\"prompt\":\"xxx\"}}," +
                          "{\"skill\":\"llm_invoke\",\"params\":{\"prompt\":\"xxxx\"}}," +
                          "{\"skill\":\"llm_invoke\",\"params\":{\"prompt\":\"xxxxxx\"}}," +
                          "{\"skill\":\"shell_lite\",\"params\":{\"command\":\"" + xs(12) + "\"}}]");
}

TEST(Anonymize, NestedValuesAreWalkedAndKeysKept)
{
    // "Bearer abc" 10; "a" 1; "bc" 2; "v" 1
    expect_anonymized(
        R"([{"skill":"webhook_send","params":{"headers":{"Authorization":"Bearer abc"},"tags":["a","bc",{"k":"v"}],)"
        R"("deep":[[["bc"]]]}}])",
        R"([{"skill":"webhook_send","params":{"headers":{"Authorization":"xxxxxxxxxx"},"tags":["x","xx",{"k":"x"}],)"
        R"("deep":[[["xx"]]]}}])");
}

TEST(Anonymize, OnlyAStepsOwnSkillAndItsParamsUrlAreSpecial)
{
    // a "skill" inside params, a step-level "url" and any other step member are plain strings:
    // "inner" 5, "http://localhost/a" 18, "secret" 6
    expect_anonymized(R"([{"skill":"kv_get","name":"secret","url":"http://localhost/a","params":{"skill":"inner"}}])",
                      "[{\"skill\":\"kv_get\",\"name\":\"xxxxxx\",\"url\":\"" + xs(18) +
                          "\",\"params\":{\"skill\":\"xxxxx\"}}]");
}

TEST(Anonymize, ValuesThatAreNotPlansAreWalked)
{
    expect_anonymized(R"("abc")", R"("xxx")");
    expect_anonymized(R"({"skill":"kv_get","k":"v"})", R"({"skill":"xxxxxx","k":"x"})");
    expect_anonymized(R"(["abc", 1, {"skill":"kv_get","params":"not an object"}])",
                      R"(["xxx", 1, {"skill":"kv_get","params":"xxxxxxxxxxxxx"}])");
    expect_anonymized("[]", "[]");
    expect_anonymized("42", "42");
}

TEST(Anonymize, DeterministicIdempotentAndTheInputIsUntouched)
{
    const Value plan = json::parse(R"([{"skill":"http_call","params":{"url":"http://localhost:1/a","q":"s"}},)"
                                   R"({"skill":"llm_invoke","params":{"prompt":{"k":[1,2]}}}])");
    const Value copy = plan;
    const Value once = anonymize_plan(plan);
    EXPECT_EQ(plan, copy);
    EXPECT_EQ(anonymize_plan(plan), once);
    EXPECT_EQ(anonymize_plan(once), once);
}

// The property the dataset relies on: V1 and V2 (model 2.0.0) price the anonymized plan exactly as the original.
TEST(Anonymize, SimulatorsPriceTheAnonymizedPlanAsTheOriginal)
{
    struct Case {
        std::string plan;
        std::int64_t budget_cents;
        costsim::AllowedSkills allowed;
    };
    const std::vector<Case> cases = {
        // V1 reads floor(7000 / 1000) = 7 cents; V2 per-character costs and the long-prompt confidence factors.
        {R"([{"skill":"llm_invoke","params":{"prompt":")" + repeat("\\u00e9", 7000) +
             R"(","model":"gpt-4o"},"iterations":3}])",
         1000,
         {}},
        // 2500 astral code points (10,000 bytes): 2500 chars for both simulators.
        {R"([{"skill":"llm_invoke","params":{"prompt":")" + repeat("\\ud83d\\ude00", 2500) + R"("}}])", 1000, {}},
        // a non-string prompt (over 4500 chars of JSON text), and V1 over a budget of 8 with 9000 chars.
        {R"([{"skill":"llm_invoke","params":{"prompt":{"messages":[{"role":"user","content":")" + repeat("a", 4500) +
             R"("}],"temperature":0.2}}},{"skill":"llm_invoke","params":{"prompt":")" + repeat("q", 9000) + R"("}}])",
         8,
         {}},
        // local, external, missing and local-looking URLs, timeouts below and above the latency.
        {R"([{"skill":"http_call","params":{"url":"http://localhost:9000/health","timeout":0.2}},)"
         R"({"skill":"http_call","params":{"url":"https://example.com/api?token=s3cr3t","timeout":45}},)"
         R"({"skill":"http_call","params":{}},)"
         R"({"skill":"http_call","params":{"url":"http://127.0.0.1:5432/db","timeout":1},"iterations":4},)"
         R"({"skill":"http_call","params":{"url":"http://localhost.evil.example/"}}])",
         1000,
         {}},
        // long (7 x 21 + 2 = 149 chars) and short commands, and a non-string command whose JSON text is over 100 chars.
        {R"([{"skill":"shell_lite","params":{"command":")" + repeat("ls -la ", 21) + R"(ok"}},)"
         R"({"skill":"shell_lite","params":{"command":"echo hi"}},)"
         R"({"skill":"shell_lite","params":{"command":{"argv":[")" + repeat("z", 120) + R"("]}}}])",
         1000,
         {}},
        // skills outside the allowed list, an unknown skill, 100 iterations.
        {R"([{"skill":"custom_tool","params":{"secret":"s3cr3t"}},)"
         R"({"skill":"email_send","params":{"to":"a@example.com"},"iterations":100},{"skill":"kv_get"}])",
         1000,
         {"email_send", "kv_get"}},
        // cumulative risk too high: 12 webhooks.
        {"[" + repeat(R"({"skill":"webhook_send","params":{"url":"https://hooks.example.com/T0/B1"}},)", 11) +
             R"({"skill":"webhook_send"}])",
         1000,
         {}},
        // the empty plan.
        {"[]", 1000, {}},
    };
    const costsim::Model model = costsim_test::model_2_0_0();
    for (const Case& c : cases) {
        SCOPED_TRACE(c.plan.substr(0, 120));
        const Value original = json::parse(c.plan);
        const Value anonymized = anonymize_plan(original);
        if (c.plan != "[]") {
            EXPECT_NE(anonymized, original);
        }
        const costsim::Plan before = costsim::parse_plan(original);
        costsim::Plan after;
        ASSERT_NO_THROW(after = costsim::parse_plan(anonymized));

        const costsim::Estimate v1 = costsim::simulate_v1(before, c.budget_cents, c.allowed);
        const costsim::Estimate v1_anonymized = costsim::simulate_v1(after, c.budget_cents, c.allowed);
        EXPECT_EQ(v1_anonymized.estimated_cost_cents, v1.estimated_cost_cents);
        EXPECT_EQ(v1_anonymized.estimated_duration_ms, v1.estimated_duration_ms);
        EXPECT_EQ(v1_anonymized.feasible, v1.feasible);
        EXPECT_EQ(v1_anonymized.status, v1.status);

        const costsim::Estimate v2 = costsim::simulate_v2(before, c.budget_cents, c.allowed, model);
        const costsim::Estimate v2_anonymized = costsim::simulate_v2(after, c.budget_cents, c.allowed, model);
        EXPECT_EQ(v2_anonymized.estimated_cost_cents, v2.estimated_cost_cents);
        EXPECT_EQ(v2_anonymized.estimated_duration_ms, v2.estimated_duration_ms);
        EXPECT_EQ(v2_anonymized.feasible, v2.feasible);
        EXPECT_EQ(v2_anonymized.status, v2.status);
        EXPECT_EQ(v2_anonymized.confidence_score, v2.confidence_score);
    }
}
