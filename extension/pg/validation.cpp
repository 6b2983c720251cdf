// Dataset validation and canaries in SQL (spec sections 8 and 9): compare_sample (one sample through V1 and V2,
// without the shadow path's side effects), the validation_stats aggregate, judge_canary, anonymize_plan.
#include "core/anonymize.hpp"
#include "core/canary.hpp"
#include "core/comparison.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v1.hpp"
#include "core/simulator_v2.hpp"
#include "core/step_diff.hpp"
#include "core/validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "pg/boundary.hpp"
#include "pg/coefficients.hpp"
#include "pg/jsonb_io.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace costsim::pg {
namespace {

// What compare_sample found, as C values for the C phase (strings palloc'd; nullptr = NULL).
struct SampleComparison {
    const char* v1_error = nullptr;
    const char* v2_error = nullptr;
    std::int64_t v1_cost_cents = 0, v2_cost_cents = 0;
    bool v1_feasible = false, v2_feasible = false;
    double v2_confidence = 0;
    std::optional<Drift> drift;
    bytea* diff_gzip = nullptr;
};

bytea* bytea_of(const std::string& data)
{
    auto* value = static_cast<bytea*>(allocate(VARHDRSZ + data.size()));
    SET_VARSIZE(value, VARHDRSZ + data.size());
    memcpy(VARDATA(value), data.data(), data.size());
    return value;
}

// C++ phase: each side's answer or error (a sample a simulator refuses is an outcome here, not an ERROR).
SampleComparison compare_one(const char* plan_text, std::int64_t budget_cents, const AllowedSkills& allowed,
                             const Model& model, const DriftThresholds& thresholds)
{
    SampleComparison out;
    Plan plan;
    try {
        check_budget(budget_cents);
        plan = parse_plan(json::parse(plan_text), PlanLimits{static_cast<std::size_t>(settings::max_plan_steps)});
    } catch (const Error& error) {
        out.v1_error = out.v2_error = copy_string(error.what());
        return out;
    } catch (const json::ParseError& error) {
        out.v1_error = out.v2_error = copy_string(error.what());
        return out;
    }
    const Estimate v1 = simulate_v1(plan, budget_cents, allowed);
    out.v1_cost_cents = static_cast<std::int64_t>(v1.estimated_cost_cents);
    out.v1_feasible = v1.feasible;
    std::optional<Estimate> v2;
    try {
        v2 = simulate_v2(plan, budget_cents, allowed, model);
    } catch (const Error& error) {
        out.v2_error = copy_string(error.what());
        return out;
    }
    out.v2_cost_cents = static_cast<std::int64_t>(v2->estimated_cost_cents);
    out.v2_feasible = v2->feasible;
    out.v2_confidence = v2->confidence_score;
    out.drift = classify_drift(out.v1_cost_cents, out.v2_cost_cents, v1.feasible, v2->feasible, thresholds);
    if (keeps_diff(out.drift->verdict)) out.diff_gzip = bytea_of(gzip(json::dump(step_diff(v1, *v2, *out.drift))));
    return out;
}

// ---- the validation_stats aggregate: per-sample outcomes and the thresholds of the first row ----

struct ValidationState {
    MemoryContext context;
    int64 count, capacity;
    double* abs_error;
    bool* answered;  // false: the simulator refused the sample (abs_error NULL)
    bool* missed;
    double thresholds[5];
};

}  // namespace
}  // namespace costsim::pg

using namespace costsim;
using namespace costsim::pg;

extern "C" {

PG_FUNCTION_INFO_V1(costsim_compare_sample);
// costsim.compare_sample(plan jsonb, budget_cents bigint, allowed_skills text[], model_version text,
//   drift_threshold float8) RETURNS record (v1_cost_cents, v1_feasible, v1_error, v2_cost_cents, v2_feasible,
//   v2_confidence, v2_error, drift_score, verdict, diff_gzip)
Datum costsim_compare_sample(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(3))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("model_version: must not be NULL")));
    if (PG_ARGISNULL(4) || !(PG_GETARG_FLOAT8(4) > 0 && PG_GETARG_FLOAT8(4) <= 1))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("drift_threshold: must be in (0, 1]")));
    const char* problem = nullptr;
    const Model* model = v2_model(text_to_cstring(PG_GETARG_TEXT_PP(3)), &problem);
    if (!model) ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", problem)));
    const double drift_threshold = PG_GETARG_FLOAT8(4);
    const char* plan_text = PG_ARGISNULL(0) ? nullptr : jsonb_text(PG_GETARG_DATUM(0));
    const bool budget_null = PG_ARGISNULL(1);
    const std::int64_t budget_cents = budget_null ? 0 : PG_GETARG_INT64(1);
    Datum* allowed_elements = nullptr;
    int allowed_count = 0;
    if (!PG_ARGISNULL(2)) {
        bool* element_nulls = nullptr;
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, -1, false, TYPALIGN_INT, &allowed_elements,
                          &element_nulls, &allowed_count);
        for (int i = 0; i < allowed_count; ++i)
            if (element_nulls[i])
                ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("allowed_skills: must not contain NULL")));
    }
    char** allowed = static_cast<char**>(palloc(sizeof(char*) * (allowed_count + 1)));
    for (int i = 0; i < allowed_count; ++i) allowed[i] = TextDatumGetCString(allowed_elements[i]);

    SampleComparison out;
    Failure failure;
    if (!run_core(failure, [&] {
            if (!plan_text || budget_null) {
                out.v1_error = out.v2_error = plan_text ? "budget_cents: must not be NULL" : "plan: must not be NULL";
                return;
            }
            const DriftThresholds thresholds{std::min(settings::drift_warning_threshold, drift_threshold),
                                             drift_threshold};
            out = compare_one(plan_text, budget_cents, AllowedSkills(allowed, allowed + allowed_count), *model,
                              thresholds);
        }))
        raise(failure);

    TupleDesc descriptor = result_descriptor(fcinfo);
    const bool compared = out.drift.has_value();
    Datum values[10] = {Int64GetDatum(out.v1_cost_cents), BoolGetDatum(out.v1_feasible),
                        out.v1_error ? CStringGetTextDatum(out.v1_error) : (Datum)0, Int64GetDatum(out.v2_cost_cents),
                        BoolGetDatum(out.v2_feasible), Float8GetDatum(out.v2_confidence),
                        out.v2_error ? CStringGetTextDatum(out.v2_error) : (Datum)0,
                        Float8GetDatum(compared ? out.drift->drift_score : 0),
                        compared ? DirectFunctionCall2(enum_in, CStringGetDatum(to_string(out.drift->verdict)),
                                                       ObjectIdGetDatum(TupleDescAttr(descriptor, 8)->atttypid))
                                 : (Datum)0,
                        PointerGetDatum(out.diff_gzip)};
    const bool v1_failed = out.v1_error != nullptr, v2_failed = out.v2_error != nullptr;
    bool nulls[10] = {v1_failed, v1_failed, !v1_failed, v2_failed, v2_failed, v2_failed, !v2_failed, !compared,
                      !compared, out.diff_gzip == nullptr};
    PG_RETURN_DATUM(result_row(descriptor, values, nulls));
}

PG_FUNCTION_INFO_V1(costsim_validation_accumulate);
// Transition of costsim.validation_stats(abs_error, missed, max_mean, max_median, max_std, max_outlier_rate,
// max_drift_score).
Datum costsim_validation_accumulate(PG_FUNCTION_ARGS)
{
    MemoryContext aggregate_context;
    if (!AggCheckCallContext(fcinfo, &aggregate_context))
        elog(ERROR, "costsim.validation_accumulate called outside an aggregate");
    double thresholds[5];
    for (int i = 0; i < 5; ++i) {
        if (PG_ARGISNULL(3 + i))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("validation_stats: thresholds must not be NULL")));
        thresholds[i] = PG_GETARG_FLOAT8(3 + i);
    }
    auto* state = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<ValidationState*>(PG_GETARG_POINTER(0));
    if (!state) {
        state = static_cast<ValidationState*>(MemoryContextAllocZero(aggregate_context, sizeof(ValidationState)));
        state->context = aggregate_context;
        memcpy(state->thresholds, thresholds, sizeof thresholds);
    } else if (memcmp(state->thresholds, thresholds, sizeof thresholds) != 0) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("validation_stats: the thresholds must be the same on every row")));
    }
    if (PG_ARGISNULL(1) && PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("validation_stats: abs_error and missed must not both be NULL")));
    if (state->count == state->capacity) {
        const int64 capacity = state->capacity ? state->capacity * 2 : 256;
        auto* abs_error = static_cast<double*>(MemoryContextAllocHuge(state->context, sizeof(double) * capacity));
        auto* answered = static_cast<bool*>(MemoryContextAllocHuge(state->context, sizeof(bool) * capacity));
        auto* missed = static_cast<bool*>(MemoryContextAllocHuge(state->context, sizeof(bool) * capacity));
        if (state->count > 0) {
            memcpy(abs_error, state->abs_error, sizeof(double) * state->count);
            memcpy(answered, state->answered, sizeof(bool) * state->count);
            memcpy(missed, state->missed, sizeof(bool) * state->count);
        }
        state->abs_error = abs_error;
        state->answered = answered;
        state->missed = missed;
        state->capacity = capacity;
    }
    // A sample the simulator failed on has no cost: NULL abs_error, and it counts as missed.
    if (!PG_ARGISNULL(1) && !(std::isfinite(PG_GETARG_FLOAT8(1)) && PG_GETARG_FLOAT8(1) >= 0))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("validation_stats: abs_error must be a finite number >= 0")));
    state->answered[state->count] = !PG_ARGISNULL(1);
    state->abs_error[state->count] = PG_ARGISNULL(1) ? 0 : PG_GETARG_FLOAT8(1);
    state->missed[state->count] = PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_GETARG_BOOL(2);
    ++state->count;
    PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(costsim_validation_report);
// Final function of costsim.validation_stats: a costsim.validation_metrics row.
Datum costsim_validation_report(PG_FUNCTION_ARGS)
{
    const auto* state = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<const ValidationState*>(PG_GETARG_POINTER(0));
    validation::Metrics metrics;
    Failure failure;
    if (state && !run_core(failure, [&] {
            std::vector<validation::Outcome> outcomes;
            outcomes.reserve(static_cast<std::size_t>(state->count));
            for (int64 i = 0; i < state->count; ++i) {
                validation::Outcome outcome;
                if (state->answered[i]) outcome.abs_error = state->abs_error[i];
                outcome.missed = state->missed[i];
                outcomes.push_back(outcome);
            }
            const double* t = state->thresholds;
            metrics = validation::evaluate(outcomes, validation::Thresholds{t[0], t[1], t[2], t[3], t[4]});
        }))
        raise(failure);
    Datum values[7] = {Int32GetDatum(static_cast<int32>(metrics.sample_count)), Float8GetDatum(metrics.mean_abs_error),
                       Float8GetDatum(metrics.median_abs_error), Float8GetDatum(metrics.std_abs_error),
                       Float8GetDatum(metrics.outlier_rate), Float8GetDatum(metrics.drift_score),
                       CStringGetTextDatum(metrics.acceptable ? "acceptable" : "unacceptable")};
    bool nulls[7] = {false, false, false, false, false, false, false};
    PG_RETURN_DATUM(result_row(result_descriptor(fcinfo), values, nulls));
}

PG_FUNCTION_INFO_V1(costsim_judge_canary);
// costsim.judge_canary(match, minor_drift, major_drift, mismatch, v2_errors, outliers integer,
//   statistics costsim.drift_report, golden_datasets text[], golden_acceptable boolean[])
//   RETURNS (status costsim.canary_status, failure_reasons text[])
Datum costsim_judge_canary(PG_FUNCTION_ARGS)
{
    int32 counts[6];
    for (int i = 0; i < 6; ++i) {
        if (PG_ARGISNULL(i) || PG_GETARG_INT32(i) < 0)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("judge_canary: counts must be >= 0")));
        counts[i] = PG_GETARG_INT32(i);
    }
    statistics::KlResult kl;
    if (!PG_ARGISNULL(6)) {
        HeapTupleHeader report = PG_GETARG_HEAPTUPLEHEADER(6);
        bool is_null = false;
        const Datum value = GetAttributeByName(report, "kl_divergence", &is_null);
        if (!is_null) kl.value = DatumGetFloat8(value);
        const Datum critical = GetAttributeByName(report, "kl_critical_value", &is_null);
        if (!is_null) kl.critical_value = DatumGetFloat8(critical);
    }
    Datum* names = nullptr;
    bool* name_nulls = nullptr;
    int name_count = 0;
    Datum* verdicts = nullptr;
    bool* verdict_nulls = nullptr;
    int verdict_count = 0;
    if (!PG_ARGISNULL(7))
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(7), TEXTOID, -1, false, TYPALIGN_INT, &names, &name_nulls, &name_count);
    if (!PG_ARGISNULL(8))
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(8), BOOLOID, 1, true, TYPALIGN_CHAR, &verdicts, &verdict_nulls,
                          &verdict_count);
    if (name_count != verdict_count)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("judge_canary: golden_datasets and golden_acceptable differ in length")));
    char** golden_names = static_cast<char**>(palloc(sizeof(char*) * (name_count + 1)));
    bool* golden_acceptable = static_cast<bool*>(palloc(sizeof(bool) * (name_count + 1)));
    for (int i = 0; i < name_count; ++i) {
        golden_names[i] = name_nulls[i] ? pstrdup("") : TextDatumGetCString(names[i]);
        golden_acceptable[i] = !verdict_nulls[i] && DatumGetBool(verdicts[i]);
    }
    const char* status = nullptr;
    char** reasons = nullptr;
    int reason_count = 0;
    Failure failure;
    if (!run_core(failure, [&] {
            canary::Counts tally;
            tally.match = counts[0];
            tally.minor_drift = counts[1];
            tally.major_drift = counts[2];
            tally.mismatch = counts[3];
            tally.v2_errors = counts[4];
            tally.outliers = counts[5];
            std::vector<canary::GoldenResult> golden;
            for (int i = 0; i < name_count; ++i) golden.push_back({golden_names[i], golden_acceptable[i]});
            canary::Criteria criteria;
            criteria.min_samples = static_cast<std::size_t>(settings::canary_min_samples);
            criteria.kl_threshold = settings::canary_kl_threshold;
            const canary::Judgement judgement = canary::judge(tally, kl, golden, criteria);
            status = canary::to_string(judgement.status);
            reasons = allocate_array<char*>(judgement.failure_reasons.size());
            for (const std::string& reason : judgement.failure_reasons) reasons[reason_count++] = copy_string(reason);
        }))
        raise(failure);
    Datum* reason_texts = static_cast<Datum*>(palloc(sizeof(Datum) * (reason_count + 1)));
    for (int i = 0; i < reason_count; ++i) reason_texts[i] = CStringGetTextDatum(reasons[i]);
    TupleDesc descriptor = result_descriptor(fcinfo);
    Datum values[2] = {DirectFunctionCall2(enum_in, CStringGetDatum(status),
                                           ObjectIdGetDatum(TupleDescAttr(descriptor, 0)->atttypid)),
                       PointerGetDatum(construct_array(reason_texts, reason_count, TEXTOID, -1, false, TYPALIGN_INT))};
    bool nulls[2] = {false, false};
    PG_RETURN_DATUM(result_row(descriptor, values, nulls));
}

PG_FUNCTION_INFO_V1(costsim_anonymize_plan);
// costsim.anonymize_plan(plan jsonb) RETURNS jsonb
Datum costsim_anonymize_plan(PG_FUNCTION_ARGS)
{
    const char* text = jsonb_text(PG_GETARG_DATUM(0));
    Datum output = 0;
    Failure failure;
    if (!run_core(failure, [&] {
            const json::Value anonymized = anonymize_plan(json::parse(text));
            output = anonymized.is_array() || anonymized.is_object() ? to_jsonb(anonymized)
                                                                     : PointerGetDatum(nullptr);
            if (!output) throw Error(ErrorKind::invalid_input, "plan: must be a JSON array");
        }))
        raise(failure);
    PG_RETURN_DATUM(output);
}
}
