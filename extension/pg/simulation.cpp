// The SQL-callable simulation functions: simulate_v1, simulate_v2, classify_drift, compare, simulate
// (the production path with the V2 shadow) and simulate_with_comparison. See boundary.hpp for the phases.
#include "core/comparison.hpp"
#include "core/estimate.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "core/plan.hpp"
#include "core/shadow.hpp"
#include "core/simulator_v1.hpp"
#include "core/simulator_v2.hpp"

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "pg/boundary.hpp"
#include "pg/breaker.hpp"
#include "pg/coefficients.hpp"
#include "pg/jsonb_io.hpp"
#include "pg/metrics_shmem.hpp"
#include "pg/provenance.hpp"
#include "pg/request_context.hpp"
#include "pg/settings.hpp"
#include "pg/subtransaction.hpp"

extern "C" {
#include "access/toast_compression.h"
#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

namespace costsim::pg {
namespace {

using metrics::Catalogue;
using metrics::Simulator;

// ---- C phase: the arguments shared by every simulation function: (plan, budget_cents, allowed_skills) ----

struct SimulationInput {
    Datum plan = 0;  // detoasted jsonb
    char* plan_text = nullptr;
    std::int64_t budget_cents = 0;
    Datum allowed_datum = 0;  // text[] or 0
    char** allowed = nullptr;
    int allowed_count = 0;
};

[[noreturn]] void input_error(int sqlstate, const char* message)
{
    Failure failure;
    failure.set(sqlstate, message);
    raise(failure, Counting::schema_errors);
}

SimulationInput read_simulation_input(FunctionCallInfo fcinfo)
{
    SimulationInput input;
    if (PG_ARGISNULL(0)) input_error(ERRCODE_INVALID_PARAMETER_VALUE, "plan: must not be NULL");
    const Datum raw_plan = PG_GETARG_DATUM(0);
    const Size plan_bytes = toast_raw_datum_size(raw_plan);
    if (plan_bytes > static_cast<Size>(settings::max_plan_bytes)) {
        char message[256];
        snprintf(message, sizeof message, "plan is %zu bytes, more than costsim.max_plan_bytes (%d)",
                 static_cast<size_t>(plan_bytes), settings::max_plan_bytes);
        input_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, message);
    }
    input.plan = PointerGetDatum(PG_DETOAST_DATUM(raw_plan));
    input.plan_text = jsonb_text(input.plan);

    if (PG_ARGISNULL(1)) input_error(ERRCODE_INVALID_PARAMETER_VALUE, "budget_cents: must not be NULL");
    input.budget_cents = PG_GETARG_INT32(1);
    if (input.budget_cents < 0) input_error(ERRCODE_INVALID_PARAMETER_VALUE, "budget_cents: must be >= 0");

    if (!PG_ARGISNULL(2)) {
        ArrayType* array = PG_GETARG_ARRAYTYPE_P(2);
        Datum* elements = nullptr;
        bool* element_nulls = nullptr;
        deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &element_nulls, &input.allowed_count);
        input.allowed = static_cast<char**>(palloc(sizeof(char*) * (input.allowed_count + 1)));
        for (int i = 0; i < input.allowed_count; ++i) {
            if (element_nulls[i]) input_error(ERRCODE_INVALID_PARAMETER_VALUE, "allowed_skills: must not contain NULL");
            input.allowed[i] = TextDatumGetCString(elements[i]);
        }
        if (input.allowed_count > 0) input.allowed_datum = PointerGetDatum(array);
    }
    return input;
}

double read_risk_threshold(FunctionCallInfo fcinfo, int argument)
{
    if (PG_ARGISNULL(argument)) input_error(ERRCODE_INVALID_PARAMETER_VALUE, "risk_threshold: must not be NULL");
    const double threshold = PG_GETARG_FLOAT8(argument);
    if (!(threshold >= 0 && threshold <= 1))
        input_error(ERRCODE_INVALID_PARAMETER_VALUE, "risk_threshold: must be between 0 and 1");
    return threshold;
}

const Model& required_model(const char* version)
{
    const char* problem = nullptr;
    const Model* model = v2_model(version, &problem);
    if (!model) ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", problem)));
    return *model;
}

// ---- C++ phase helpers (called inside run_core only) ----

AllowedSkills allowed_of(const SimulationInput& input)
{
    return AllowedSkills(input.allowed, input.allowed + input.allowed_count);
}

json::Value plan_json(const SimulationInput& input)
{
    try {
        return json::parse(input.plan_text);
    } catch (const json::ParseError& error) {
        // jsonb's own text is always valid JSON: only its depth can be refused.
        if (error.reason() == json::ParseError::Reason::too_deep)
            throw Error(ErrorKind::limit_exceeded, "plan: nested deeper than " +
                                                       std::to_string(json::default_max_depth) + " levels");
        throw;
    }
}

Plan plan_of(const json::Value& plan)
{
    return parse_plan(plan, PlanLimits{static_cast<std::size_t>(settings::max_plan_steps)});
}

double elapsed_ms(std::chrono::steady_clock::time_point started)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

void count_run(Simulator simulator, const std::string& status, double runtime_ms)
{
    const Catalogue& catalogue = Catalogue::instance();
    metrics_count(catalogue.run_slot(simulator, status));
    metrics_observe(catalogue.runtime(simulator, runtime_ms));
}

Estimate counted_v1(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed, double risk_threshold)
{
    const auto started = std::chrono::steady_clock::now();
    Estimate estimate = simulate_v1(plan, budget_cents, allowed, risk_threshold);
    count_run(Simulator::v1, estimate.status, elapsed_ms(started));
    return estimate;
}

Estimate counted_v2(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed, const Model& model)
{
    try {
        Estimate estimate = simulate_v2(plan, budget_cents, allowed, model);
        count_run(Simulator::v2, estimate.status, static_cast<double>(estimate.runtime_us) / 1000);
        return estimate;
    } catch (...) {
        metrics_count(Catalogue::instance().run_slot(Simulator::v2, "failed"));
        throw;
    }
}

// Counts one shadowed evaluation: both runs, the verdict and the drift score.
void count_shadow(const ShadowRecord& record)
{
    const Catalogue& catalogue = Catalogue::instance();
    count_run(Simulator::v1, record.v1.status, static_cast<double>(record.v1_runtime_us) / 1000);
    if (!record.v2) {
        metrics_count(catalogue.run_slot(Simulator::v2, "failed"));
        return;
    }
    count_run(Simulator::v2, record.v2->status, static_cast<double>(record.v2->runtime_us) / 1000);
    metrics_count(catalogue.verdict_slot(record.drift->verdict));
    metrics_observe(catalogue.drift_score(record.drift->drift_score));
    metrics_observe(catalogue.cost_delta(std::fabs(static_cast<double>(record.drift->cost_delta_cents))));
}

// Fills the row's input columns (C++ phase: copy_string only).
void describe_input(ProvenanceRow& row, const SimulationInput& input, const std::string& hash, const char* source,
                    const char* tenant, const char* run_id, const char* model_version)
{
    row.tenant_id = tenant;
    row.run_id = run_id;
    row.source = source;
    row.input = input.plan;
    row.budget_cents = input.budget_cents;
    row.allowed_skills = input.allowed_datum;
    row.input_hash = copy_string(hash);
    row.v2_model_version = model_version;
}

// ---- C phase: the shadow path's PostgreSQL work, which must never disturb the production answer ----

// Writes a shadow row; a failure (e.g. a read-only transaction) is logged and counted, never raised.
void write_shadow_row(const ProvenanceRow& row)
{
    if (const char* failure = in_subtransaction([&] { insert_provenance(row); })) {
        metrics_count(Catalogue::instance().provenance_failure_slot());
        ereport(LOG, (errmsg("costsim: could not record a V2 shadow evaluation: %s", failure)));
    }
}

// Feeds the breaker's windows with a shadow evaluation's outcome (it may open the breaker; never raises).
void observe_for_breaker(const ProvenanceRow& row)
{
    if (row.has_v2)
        breaker_observe_drift(row.drift_score);
    else
        breaker_observe_v2_error();
}

// The V2 model for the shadow path: a lookup that cannot raise (a load failure becomes the V2 error).
const Model* shadow_model(const char** problem)
{
    const Model* model = nullptr;
    if (cached_v2_model(settings::v2_model_version, &model)) return model;
    if (const char* failure = in_subtransaction([&] { model = v2_model(settings::v2_model_version, problem); })) {
        *problem = failure;
        return nullptr;
    }
    return model;
}

}  // namespace
}  // namespace costsim::pg

using namespace costsim;
using namespace costsim::pg;

extern "C" {

PG_FUNCTION_INFO_V1(costsim_simulate_v1);
// costsim.simulate_v1(plan jsonb, budget_cents integer, allowed_skills text[], risk_threshold float8) RETURNS jsonb
Datum costsim_simulate_v1(PG_FUNCTION_ARGS)
{
    const SimulationInput input = read_simulation_input(fcinfo);
    const double risk_threshold = read_risk_threshold(fcinfo, 3);
    Datum output = 0;
    Failure failure;
    if (!run_core(failure, [&] {
            const Estimate estimate =
                counted_v1(plan_of(plan_json(input)), input.budget_cents, allowed_of(input), risk_threshold);
            output = to_jsonb(to_json(estimate));
        }))
        raise(failure, Counting::schema_errors);
    PG_RETURN_DATUM(output);
}

PG_FUNCTION_INFO_V1(costsim_simulate_v2);
// costsim.simulate_v2(plan jsonb, budget_cents integer, allowed_skills text[], model_version text) RETURNS jsonb
Datum costsim_simulate_v2(PG_FUNCTION_ARGS)
{
    const SimulationInput input = read_simulation_input(fcinfo);
    const char* version = PG_ARGISNULL(3) ? settings::v2_model_version : text_to_cstring(PG_GETARG_TEXT_PP(3));
    const Model& model = required_model(version);
    Datum output = 0;
    Failure failure;
    if (!run_core(failure, [&] {
            const Estimate estimate =
                counted_v2(plan_of(plan_json(input)), input.budget_cents, allowed_of(input), model);
            output = to_jsonb(to_json(estimate));
        }))
        raise(failure, Counting::schema_errors);
    PG_RETURN_DATUM(output);
}

PG_FUNCTION_INFO_V1(costsim_classify_drift);
// costsim.classify_drift(v1_cost_cents bigint, v2_cost_cents bigint, v1_feasible boolean, v2_feasible boolean)
//   RETURNS TABLE(drift_score float8, verdict text, cost_delta_cents bigint, cost_delta_pct float8, feasibility_match boolean)
Datum costsim_classify_drift(PG_FUNCTION_ARGS)
{
    TupleDesc descriptor = result_descriptor(fcinfo);
    Drift drift;
    Failure failure;
    if (!run_core(failure, [&] {
            drift = classify_drift(PG_GETARG_INT64(0), PG_GETARG_INT64(1), PG_GETARG_BOOL(2), PG_GETARG_BOOL(3),
                                   settings::drift_thresholds());
        }))
        raise(failure);
    const Oid verdict_type = TupleDescAttr(descriptor, 1)->atttypid;  // costsim.drift_verdict
    Datum values[5] = {Float8GetDatum(drift.drift_score),
                       DirectFunctionCall2(enum_in, CStringGetDatum(to_string(drift.verdict)),
                                           ObjectIdGetDatum(verdict_type)),
                       Int64GetDatum(drift.cost_delta_cents), Float8GetDatum(drift.cost_delta_pct),
                       BoolGetDatum(drift.feasibility_match)};
    bool nulls[5] = {false, false, false, false, false};
    PG_RETURN_DATUM(result_row(descriptor, values, nulls));
}

PG_FUNCTION_INFO_V1(costsim_compare);
// costsim.compare(v1 jsonb, v2 jsonb) RETURNS jsonb
Datum costsim_compare(PG_FUNCTION_ARGS)
{
    const char* v1_text = jsonb_text(PG_GETARG_DATUM(0));
    const char* v2_text = jsonb_text(PG_GETARG_DATUM(1));
    Datum output = 0;
    Failure failure;
    if (!run_core(failure, [&] {
            output = to_jsonb(compare(json::parse(v1_text), json::parse(v2_text), settings::drift_thresholds()));
        }))
        raise(failure);
    PG_RETURN_DATUM(output);
}

PG_FUNCTION_INFO_V1(costsim_simulate);
// costsim.simulate(plan jsonb, budget_cents integer, allowed_skills text[], run_id text) RETURNS jsonb
// The production path: always V1's answer; with costsim.v2_sandbox on, V2 is shadowed on a sample.
Datum costsim_simulate(PG_FUNCTION_ARGS)
{
    const SimulationInput input = read_simulation_input(fcinfo);
    const bool shadowing = settings::v2_sandbox && settings::v2_sample_rate > 0 && v2_may_shadow();
    const char* model_problem = nullptr;
    const Model* model = shadowing ? shadow_model(&model_problem) : nullptr;
    const char* tenant = shadowing ? current_tenant() : nullptr;
    const char* run_id = PG_ARGISNULL(3) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(3));

    Datum output = 0;
    ProvenanceRow row;
    bool sampled = false;
    Failure failure;
    if (!run_core(failure, [&] {
            const json::Value plan_value = plan_json(input);
            const costsim::Plan plan = plan_of(plan_value);
            const AllowedSkills allowed = allowed_of(input);
            std::string hash;
            if (shadowing) {
                hash = input_hash(plan_value, input.budget_cents, allowed);
                sampled = in_sample(hash, settings::v2_sample_rate);
            }
            if (!sampled) {
                output = to_jsonb(to_json(counted_v1(plan, input.budget_cents, allowed, default_risk_threshold)));
                return;
            }
            const ShadowRecord record =
                run_shadow(plan, input.budget_cents, allowed, default_risk_threshold, model,
                           model_problem ? model_problem : "", settings::drift_thresholds());
            count_shadow(record);
            describe_input(row, input, hash, "simulate", tenant, run_id, settings::v2_model_version);
            describe_shadow(row, record);
            output = to_jsonb(record.v1_result);
        }))
        raise(failure, Counting::schema_errors);
    if (sampled) {
        write_shadow_row(row);
        observe_for_breaker(row);
    }
    PG_RETURN_DATUM(output);
}

PG_FUNCTION_INFO_V1(costsim_simulate_with_comparison);
// costsim.simulate_with_comparison(plan jsonb, budget_cents integer, allowed_skills text[]) RETURNS jsonb
// V2 in the sandbox on demand: {"result": V2's result, "comparison": compare(V1, V2), "provenance_id": id}.
Datum costsim_simulate_with_comparison(PG_FUNCTION_ARGS)
{
    if (!settings::v2_sandbox)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE), errmsg("V2 sandbox is disabled"),
                        errhint("SET costsim.v2_sandbox = on to run V2 in the sandbox.")));
    if (!v2_breaker_closed())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("V2 is disabled by its circuit breaker"),
                        errhint("See costsim.v2_status(); costsim.enable_v2() closes the breaker.")));
    const SimulationInput input = read_simulation_input(fcinfo);
    const Model& model = required_model(settings::v2_model_version);
    const char* tenant = current_tenant();

    char* result = nullptr;
    char* comparison = nullptr;
    ProvenanceRow row;
    Failure failure;
    if (!run_core(failure, [&] {
            const json::Value plan_value = plan_json(input);
            const costsim::Plan plan = plan_of(plan_value);
            const AllowedSkills allowed = allowed_of(input);
            const ShadowRecord record = run_shadow(plan, input.budget_cents, allowed, default_risk_threshold,
                                                   &model, "", settings::drift_thresholds(), V2Errors::escape);
            count_shadow(record);
            describe_input(row, input, input_hash(plan_value, input.budget_cents, allowed), "simulate_with_comparison",
                           tenant, nullptr, model.version.c_str());
            describe_shadow(row, record);
            result = copy_string(json::dump(record.v2_result));
            comparison = copy_string(
                json::dump(compare(record.v1_result, record.v2_result, settings::drift_thresholds())));
        }))
        raise(failure, Counting::schema_errors);
    const std::int64_t id = insert_provenance(row);
    observe_for_breaker(row);
    PG_RETURN_DATUM(jsonb_from_text(
        psprintf("{\"result\":%s,\"comparison\":%s,\"provenance_id\":" INT64_FORMAT "}", result, comparison, id)));
}
}
