// parse_plan (spec section 1 and the input table of docs/sql.md): defaults, validation errors with their
// paths and messages, limits, and the facts extracted from params.
#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <string>

namespace json = costsim::json;
using costsim::ErrorKind;
using costsim_test::contains;
using costsim_test::expect_error;
using costsim_test::plan_of;
using costsim_test::step;

namespace {

std::string plan_error(const std::string& text, ErrorKind kind = ErrorKind::invalid_input)
{
    return expect_error([&] { costsim::parse_plan(json::parse(text)); }, kind);
}

// A plan of one step whose params are {"<key>": <value_json>}.
costsim::Step single(const std::string& skill, const std::string& key, const std::string& value_json)
{
    costsim::Plan p = plan_of(R"([{"skill":")" + skill + R"(","params":{")" + key + R"(":)" + value_json + "}}]");
    EXPECT_EQ(p.steps.size(), 1u);
    return p.steps.empty() ? costsim::Step{} : p.steps[0];
}

}  // namespace

TEST(ParsePlan, EmptyPlanIsValid)
{
    EXPECT_TRUE(plan_of("[]").steps.empty());
}

TEST(ParsePlan, Defaults)
{
    costsim::Plan p = plan_of("[{}]");
    ASSERT_EQ(p.steps.size(), 1u);
    const costsim::Step& s = p.steps[0];
    EXPECT_EQ(s.skill, "unknown");  // missing skill -> "unknown"
    EXPECT_EQ(s.iterations, 1);     // missing iterations -> 1
    EXPECT_FALSE(s.has_prompt);     // missing params -> {}
    EXPECT_EQ(s.prompt_chars, 0u);
    EXPECT_FALSE(s.timeout_s.has_value());
    EXPECT_FALSE(s.url_is_local);
    EXPECT_EQ(s.command_chars, 0u);

    costsim::Plan q = plan_of(R"([{"skill":"kv_get","params":{}},{"skill":"llm_invoke","iterations":7}])");
    ASSERT_EQ(q.steps.size(), 2u);
    EXPECT_EQ(q.steps[0].skill, "kv_get");
    EXPECT_EQ(q.steps[0].iterations, 1);
    EXPECT_EQ(q.steps[1].skill, "llm_invoke");
    EXPECT_EQ(q.steps[1].iterations, 7);
    EXPECT_FALSE(q.steps[1].has_prompt);
}

TEST(ParsePlan, IterationBoundsAccepted)
{
    costsim::Plan p = plan_of(R"([{"skill":"a","iterations":1},{"skill":"b","iterations":100}])");
    ASSERT_EQ(p.steps.size(), 2u);
    EXPECT_EQ(p.steps[0].iterations, 1);
    EXPECT_EQ(p.steps[1].iterations, 100);
}

TEST(ParsePlan, IterationsOutOfRangeOrNotIntegerRejected)
{
    const std::string msg = "plan[1].iterations: must be an integer between 1 and 100";
    for (const char* bad : {"0", "101", "2.5", "\"2\"", "-1", "true", "[1]", "100.5", "0.999"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(plan_error(std::string(R"([{"skill":"a"},{"skill":"b","iterations":)") + bad + "}]"), msg);
    }
    // A non-finite number is refused too; docs/sql.md words that case "number out of range".
    const std::string inf = plan_error(R"([{"skill":"a"},{"skill":"b","iterations":1e400}])");
    EXPECT_EQ(inf.rfind("plan[1].iterations: ", 0), 0u) << inf;
}

TEST(ParsePlan, NumbersMustBeFinite)
{
    // docs/sql.md input table: numbers | finite | plan[3].params.x: number out of range
    EXPECT_EQ(plan_error(R"([{},{},{},{"skill":"kv_get","params":{"x":1e400}}])"),
              "plan[3].params.x: number out of range");
    const std::string timeout = plan_error(R"([{"skill":"http_call","params":{"timeout":1e400}}])");
    EXPECT_EQ(timeout.rfind("plan[0].params.timeout: ", 0), 0u) << timeout;
}

TEST(ParsePlan, PlanMustBeAnArray)
{
    for (const char* bad : {"{}", R"({"skill":"http_call"})", "5", "\"plan\"", "null", "true"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(plan_error(bad), "plan: must be a JSON array");
    }
}

TEST(ParsePlan, StepMustBeAnObject)
{
    EXPECT_EQ(plan_error("[{},{},{},5]"), "plan[3]: must be an object");
    EXPECT_EQ(plan_error("[[]]"), "plan[0]: must be an object");
    EXPECT_EQ(plan_error(R"([{},"http_call"])"), "plan[1]: must be an object");
    EXPECT_EQ(plan_error("[null]"), "plan[0]: must be an object");
}

TEST(ParsePlan, SkillMustBeAString)
{
    EXPECT_EQ(plan_error(R"([{"skill":1}])"), "plan[0].skill: must be a string");
    EXPECT_EQ(plan_error(R"([{},{},{"skill":["http_call"]}])"), "plan[2].skill: must be a string");
    EXPECT_EQ(plan_error(R"([{"skill":{}}])"), "plan[0].skill: must be a string");
}

TEST(ParsePlan, ParamsMustBeAnObject)
{
    EXPECT_EQ(plan_error(R"([{},{"params":[]}])"), "plan[1].params: must be an object");
    EXPECT_EQ(plan_error(R"([{"skill":"llm_invoke","params":"prompt"}])"), "plan[0].params: must be an object");
    EXPECT_EQ(plan_error(R"([{"skill":"llm_invoke","params":3}])"), "plan[0].params: must be an object");
}

TEST(ParsePlan, Timeout)
{
    EXPECT_EQ(plan_error(R"([{"skill":"http_call","params":{"timeout":-0.5}}])"),
              "plan[0].params.timeout: must not be negative");
    EXPECT_EQ(plan_error(R"([{},{},{},{"skill":"http_call","params":{"timeout":-1}}])"),
              "plan[3].params.timeout: must not be negative");

    costsim::Step zero = single("http_call", "timeout", "0");
    ASSERT_TRUE(zero.timeout_s.has_value());
    EXPECT_EQ(*zero.timeout_s, 0.0);
    costsim::Step quarter = single("http_call", "timeout", "0.25");
    ASSERT_TRUE(quarter.timeout_s.has_value());
    EXPECT_EQ(*quarter.timeout_s, 0.25);
    // Only a number is a timeout.
    EXPECT_FALSE(single("http_call", "timeout", "\"5\"").timeout_s.has_value());
    EXPECT_FALSE(single("http_call", "timeout", "null").timeout_s.has_value());
}

TEST(ParsePlan, StepLimit)
{
    costsim::PlanLimits two;
    two.max_steps = 2;
    EXPECT_EQ(costsim::parse_plan(json::parse("[{},{}]"), two).steps.size(), 2u);
    const std::string msg =
        expect_error([&] { costsim::parse_plan(json::parse("[{},{},{}]"), two); }, ErrorKind::limit_exceeded);
    EXPECT_TRUE(contains(msg, "costsim.max_plan_steps")) << msg;

    // Default limit: 1000 steps.
    std::string thousand = "[";
    for (int i = 0; i < 1000; ++i) thousand += (i ? ",{}" : "{}");
    EXPECT_EQ(costsim::parse_plan(json::parse(thousand + "]")).steps.size(), 1000u);
    expect_error([&] { costsim::parse_plan(json::parse(thousand + ",{}]")); }, ErrorKind::limit_exceeded);
}

TEST(ParsePlan, PromptCharsOfAString)
{
    // "h\u00e9llo\ud83d\ude00": h é l l o 😀 = 6 code points (10 UTF-8 bytes)
    costsim::Step s = single("llm_invoke", "prompt", R"("h\u00e9llo\ud83d\ude00")");
    EXPECT_TRUE(s.has_prompt);
    EXPECT_EQ(s.prompt_chars, 6u);
    costsim::Step empty = single("llm_invoke", "prompt", R"("")");
    EXPECT_TRUE(empty.has_prompt);
    EXPECT_EQ(empty.prompt_chars, 0u);
}

TEST(ParsePlan, PromptCharsOfANonStringIsItsCanonicalText)
{
    EXPECT_EQ(single("llm_invoke", "prompt", R"({"a":1})").prompt_chars, 7u);  // {"a":1} = 7 chars
    EXPECT_TRUE(single("llm_invoke", "prompt", R"({"a":1})").has_prompt);
    EXPECT_EQ(single("llm_invoke", "prompt", R"([1, "x"])").prompt_chars, 7u);  // [1,"x"] = 7 chars
    EXPECT_EQ(single("llm_invoke", "prompt", "12").prompt_chars, 2u);          // 12
    EXPECT_EQ(single("llm_invoke", "prompt", "4.50").prompt_chars, 3u);        // 4.5
    EXPECT_EQ(single("llm_invoke", "prompt", "true").prompt_chars, 4u);        // true
    // {"b":"\u00e9","a":1} -> {"a":1,"b":"é"}: { "a" : 1 , "b" : "é" } = 1+3+1+1+1+3+1+3+1 = 15
    EXPECT_EQ(single("llm_invoke", "prompt", R"({"b":"\u00e9","a":1})").prompt_chars, 15u);
    // {"s":"a\nb"}: the newline is the two characters \n in the text: 1+3+1+(1+1+2+1+1)+1 = 12
    EXPECT_EQ(single("llm_invoke", "prompt", R"({"s":"a\nb"})").prompt_chars, 12u);
}

TEST(ParsePlan, UrlIsLocal)
{
    EXPECT_TRUE(single("http_call", "url", R"("http://localhost:8080/x")").url_is_local);
    EXPECT_TRUE(single("http_call", "url", R"("http://localhost")").url_is_local);
    EXPECT_TRUE(single("http_call", "url", R"("http://127.0.0.1/")").url_is_local);
    EXPECT_FALSE(single("http_call", "url", R"("https://localhost")").url_is_local);
    EXPECT_FALSE(single("http_call", "url", R"("https://127.0.0.1/")").url_is_local);
    EXPECT_FALSE(single("http_call", "url", R"("https://api.example.com/v1")").url_is_local);
    EXPECT_FALSE(single("http_call", "url", R"("HTTP://LOCALHOST/")").url_is_local);  // prefix is exact
    EXPECT_FALSE(single("http_call", "url", R"(" http://localhost/")").url_is_local);
    EXPECT_FALSE(single("http_call", "url", "42").url_is_local);  // non-string
    EXPECT_FALSE(single("http_call", "url", R"(["http://localhost"])").url_is_local);
    EXPECT_FALSE(single("http_call", "other", R"("http://localhost")").url_is_local);  // missing url
}

TEST(ParsePlan, CommandChars)
{
    EXPECT_EQ(single("shell_lite", "command", R"("ls -la")").command_chars, 6u);
    EXPECT_EQ(single("shell_lite", "command", "\"" + std::string(101, 'a') + "\"").command_chars, 101u);
    EXPECT_EQ(single("shell_lite", "command", R"("\u00e9\u00e9\u00e9")").command_chars, 3u);  // 3 chars, 6 bytes
    EXPECT_EQ(single("shell_lite", "command", R"({"a":1})").command_chars, 7u);  // counted like prompt
    EXPECT_EQ(single("shell_lite", "other", R"("ls")").command_chars, 0u);
}

TEST(ParsePlan, IsAllowed)
{
    EXPECT_TRUE(costsim::is_allowed({}, "anything"));  // empty list: every skill allowed
    const costsim::AllowedSkills allowed = {"http_call", "kv_get"};
    EXPECT_TRUE(costsim::is_allowed(allowed, "http_call"));
    EXPECT_TRUE(costsim::is_allowed(allowed, "kv_get"));
    EXPECT_FALSE(costsim::is_allowed(allowed, "llm_invoke"));
    EXPECT_FALSE(costsim::is_allowed(allowed, "HTTP_CALL"));
}

TEST(ParsePlan, CheckBudget)
{
    EXPECT_NO_THROW(costsim::check_budget(0));
    EXPECT_NO_THROW(costsim::check_budget(1000));
    const std::string msg = expect_error([] { costsim::check_budget(-1); }, ErrorKind::invalid_input);
    EXPECT_TRUE(contains(msg, "budget_cents")) << msg;
}
