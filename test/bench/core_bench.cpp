// Throughput of extension/core, in plan steps per second (Google Benchmark's items_per_second).
//
// Benchmarks (each on a 5-step and a 100-step plan):
//   baseline_parse_dump   json::parse + json::dump of the plan text: the floor any jsonb-in/jsonb-out path pays
//   v1_from_text          parse + parse_plan + simulate_v1 + to_json + dump: the whole simulate_v1 path
//   simulate_v1           simulate_v1 on a pre-parsed plan
//   simulate_v2           simulate_v2 (model 2.0.0) on a pre-parsed plan
//   v1_result_to_text     to_json + dump of a V1 estimate (the output half of v1_from_text)
//   run_shadow            V1 + V2 + comparison + output hashes (what the sandbox adds per call)
//
// After the runs, a summary prints ratios measured in this same run (timings are never assertions):
// v1_from_text / baseline_parse_dump, and each path against the spec target of 1,000,000 plan steps per
// second per core. The 5-step plan is the one test/bench/run.sh sends through pgbench.
#include "../model_2_0_0.hpp"
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/shadow.hpp"
#include "core/simulator_v1.hpp"
#include "core/simulator_v2.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

// Keep identical to PLAN in test/bench/run.sh.
const char* const plan_5 =
    R"([{"skill":"llm_invoke","params":{"prompt":"Summarise the incident report for the on-call engineer."}},)"
    R"({"skill":"http_call","params":{"url":"https://api.example.com/status","timeout":5}},)"
    R"({"skill":"json_transform","params":{"expr":".items[]"}},)"
    R"({"skill":"kv_set","params":{"key":"summary"},"iterations":2},)"
    R"({"skill":"email_send","params":{"to":"oncall@example.com"}}])";

// 100 steps cycling through every skill of the table plus one unknown skill, with the params each rule reads.
std::string make_plan_100()
{
    const char* const steps[] = {
        R"({"skill":"llm_invoke","params":{"prompt":"Classify this ticket by urgency and product area."}})",
        R"({"skill":"http_call","params":{"url":"http://localhost:8080/items","timeout":2}})",
        R"({"skill":"json_transform","params":{"expr":".data"}})",
        R"({"skill":"fs_read","params":{"path":"/srv/in.csv"}})",
        R"({"skill":"fs_write","params":{"path":"/srv/out.csv"},"iterations":3})",
        R"({"skill":"shell_lite","params":{"command":"wc -l /srv/out.csv"}})",
        R"({"skill":"kv_get","params":{"key":"cursor"}})",
        R"({"skill":"kv_set","params":{"key":"cursor","value":42}})",
        R"({"skill":"webhook_send","params":{"url":"https://hooks.example.com/done"}})",
        R"({"skill":"email_send","params":{"to":"team@example.com"}})",
        R"({"skill":"vector_search","params":{"k":10}})",
    };
    const std::size_t n = sizeof steps / sizeof steps[0];
    std::string text = "[";
    for (std::size_t i = 0; i < 100; ++i) {
        if (i != 0) text += ',';
        text += steps[i % n];
    }
    text += ']';
    return text;
}

const std::string& plan_text(std::int64_t steps)
{
    static const std::string five = plan_5;
    static const std::string hundred = make_plan_100();
    return steps == 5 ? five : hundred;
}

// Model 2.0.0 as tabulated in spec section 3.
const costsim::Model& model()
{
    static const costsim::Model model = costsim_test::model_2_0_0();
    return model;
}

constexpr std::int64_t budget = 1000;
const costsim::AllowedSkills every_skill;

costsim::Plan parsed_plan(std::int64_t steps)
{
    return costsim::parse_plan(costsim::json::parse(plan_text(steps)));
}

void baseline_parse_dump(benchmark::State& state)
{
    const std::string& text = plan_text(state.range(0));
    for (auto _ : state) {
        std::string out = costsim::json::dump(costsim::json::parse(text));
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void v1_from_text(benchmark::State& state)
{
    const std::string& text = plan_text(state.range(0));
    for (auto _ : state) {
        const costsim::json::Value input = costsim::json::parse(text);
        const costsim::Plan plan = costsim::parse_plan(input);
        std::string out = costsim::json::dump(costsim::to_json(costsim::simulate_v1(plan, budget, every_skill)));
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void simulate_v1(benchmark::State& state)
{
    const costsim::Plan plan = parsed_plan(state.range(0));
    for (auto _ : state) {
        costsim::Estimate e = costsim::simulate_v1(plan, budget, every_skill);
        benchmark::DoNotOptimize(e);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void v1_result_to_text(benchmark::State& state)
{
    const costsim::Estimate estimate = costsim::simulate_v1(parsed_plan(state.range(0)), budget, every_skill);
    for (auto _ : state) {
        std::string out = costsim::json::dump(costsim::to_json(estimate));
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void simulate_v2(benchmark::State& state)
{
    const costsim::Plan plan = parsed_plan(state.range(0));
    const costsim::Model& m = model();
    for (auto _ : state) {
        costsim::Estimate e = costsim::simulate_v2(plan, budget, every_skill, m);
        benchmark::DoNotOptimize(e);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void run_shadow(benchmark::State& state)
{
    const costsim::Plan plan = parsed_plan(state.range(0));
    const costsim::Model& m = model();
    for (auto _ : state) {
        costsim::ShadowRecord r = costsim::run_shadow(plan, budget, every_skill, costsim::default_risk_threshold,
                                                      &m, "", costsim::DriftThresholds{});
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(baseline_parse_dump)->Arg(5)->Arg(100);
BENCHMARK(v1_from_text)->Arg(5)->Arg(100);
BENCHMARK(simulate_v1)->Arg(5)->Arg(100);
BENCHMARK(v1_result_to_text)->Arg(5)->Arg(100);
BENCHMARK(simulate_v2)->Arg(5)->Arg(100);
BENCHMARK(run_shadow)->Arg(5)->Arg(100);

// Prints the usual console table and remembers items_per_second per benchmark for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    SummaryReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}
    std::map<std::string, double> steps_per_second;

    void ReportRuns(const std::vector<Run>& runs) override
    {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
            const auto it = run.counters.find("items_per_second");
            if (it != run.counters.end()) steps_per_second[run.benchmark_name()] = it->second.value;
        }
    }
};

constexpr double target_steps_per_second = 1'000'000;  // spec: the core alone, per core

const char* verdict(double ratio) { return ratio >= 1.0 ? "PASS" : "short of target"; }

void print_summary(const std::map<std::string, double>& rate)
{
    auto get = [&](const std::string& name) {
        const auto it = rate.find(name);
        return it == rate.end() ? 0.0 : it->second;
    };
    std::printf("\n== costsim core: plan steps per second (one thread; CPU time), ratios from this run ==\n");
    std::printf("%-22s %14s %14s   %s\n", "path", "5-step plan", "100-step plan",
                "ratio to the 1,000,000 steps/s target (5 / 100 steps)");
    const char* const paths[] = {"baseline_parse_dump", "v1_from_text", "simulate_v1", "v1_result_to_text",
                                 "simulate_v2", "run_shadow"};
    for (const char* path : paths) {
        const double r5 = get(std::string(path) + "/5");
        const double r100 = get(std::string(path) + "/100");
        if (r5 == 0 && r100 == 0) continue;  // filtered out
        std::printf("%-22s %14.0f %14.0f   %5.2f / %5.2f  %s\n", path, r5, r100, r5 / target_steps_per_second,
                    r100 / target_steps_per_second,
                    std::string(path) == "baseline_parse_dump"
                        ? "(baseline)"
                        : verdict(std::min(r5, r100) / target_steps_per_second));
    }
    for (const char* size : {"5", "100"}) {
        const double base = get(std::string("baseline_parse_dump/") + size);
        const double full = get(std::string("v1_from_text/") + size);
        if (base > 0 && full > 0)
            std::printf("ratio v1_from_text / baseline_parse_dump (%s steps): %.3f\n", size, full / base);
    }
    std::printf("target: the core alone >= 1,000,000 plan steps/s per core (spec); simulate_v1 is the simulator\n"
                "on a parsed plan, v1_from_text adds JSON text in and out. Informational, never a test assertion.\n");
}

}  // namespace

int main(int argc, char** argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    // Fail loudly (not with a silent 0 steps/s) if the core rejects the benchmark plans.
    try {
        (void)parsed_plan(5);
        (void)parsed_plan(100);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "core_bench: the benchmark plans do not parse: %s\n", e.what());
        return 1;
    }
    SummaryReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    print_summary(reporter.steps_per_second);
    return 0;
}
