// SQL functions of the drift statistics and the divergence report: array functions, the drift_stats
// aggregate, and divergence_export. See boundary.hpp for the phases.
#include "core/divergence_export.hpp"
#include "core/errors.hpp"
#include "core/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "pg/boundary.hpp"
#include "pg/bytea_buffer.hpp"
#include "pg/settings.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace costsim::pg {
namespace {

namespace stats = costsim::statistics;

// ---- C phase: arguments ----

struct Sample {  // an array argument, copied out
    double* values = nullptr;
    int count = 0;
};

[[noreturn]] void bad_argument(const char* name, const char* problem)
{
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: %s", name, problem)));
    pg_unreachable();
}

Sample float8_array(FunctionCallInfo fcinfo, int argument, const char* name)
{
    if (PG_ARGISNULL(argument)) bad_argument(name, "must not be NULL");
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(argument);
    Datum* elements = nullptr;
    bool* nulls = nullptr;
    Sample sample;
    deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elements, &nulls,
                      &sample.count);
    sample.values = static_cast<double*>(palloc(sizeof(double) * (sample.count + 1)));
    for (int i = 0; i < sample.count; ++i) {
        if (nulls[i]) bad_argument(name, "must not contain NULL");
        sample.values[i] = DatumGetFloat8(elements[i]);
    }
    return sample;
}

int bins_argument(FunctionCallInfo fcinfo, int argument)
{
    if (PG_ARGISNULL(argument)) bad_argument("bins", "must not be NULL");
    const int bins = PG_GETARG_INT32(argument);
    if (bins < 1 || bins > 10000) bad_argument("bins", "must be between 1 and 10000");
    return bins;
}

std::vector<double> vector_of(const Sample& sample) { return std::vector<double>(sample.values, sample.values + sample.count); }

// ---- results copied out of the C++ phase as plain values (palloc'd), for the C phase to return ----

struct KlOut {
    double value, smoothing, noise_floor, critical_value;
    bool significant;
    char* method;
    char* direction;
    Sample edges;
};

struct ReportOut {
    int64 sample_count, outlier_count;
    double delta_p50, delta_p90, kl_legacy, fail_ratio, matching_rate, psi, js_distance, ks_statistic, ks_pvalue,
        wasserstein, drift_threshold;
    KlOut kl;
};

// C++ phase.
KlOut kl_out(const stats::KlResult& kl)
{
    KlOut out{kl.value, kl.smoothing, kl.noise_floor, kl.critical_value, kl.significant,
              copy_string(kl.method), copy_string(kl.direction), Sample{}};
    out.edges.count = static_cast<int>(kl.bins.edges.size());
    out.edges.values = allocate_array<double>(kl.bins.edges.size());
    std::copy(kl.bins.edges.begin(), kl.bins.edges.end(), out.edges.values);
    return out;
}

ReportOut report_out(const stats::DriftReport& r, double drift_threshold)
{
    return ReportOut{static_cast<int64>(r.sample_count), static_cast<int64>(r.outlier_count), r.delta_p50,
                     r.delta_p90, r.kl_legacy.value, r.fail_ratio, r.matching_rate, r.psi, r.js_distance,
                     r.ks.statistic, r.ks.p_value, r.wasserstein, drift_threshold, kl_out(r.kl)};
}

// C phase.
Datum float8_array_datum(const Sample& sample)
{
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (sample.count + 1)));
    for (int i = 0; i < sample.count; ++i) elements[i] = Float8GetDatum(sample.values[i]);
    return PointerGetDatum(
        construct_array(elements, sample.count, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// ---- the drift_stats aggregate: its state is four plain arrays in the aggregate's memory context ----

struct Accumulator {
    MemoryContext context;
    int64 count, capacity;
    double* v1;
    double* v2;
    double* drift_score;
    bool* match;
};

template <class T>
T* grown(MemoryContext context, T* old, int64 count, int64 capacity)
{
    auto* bigger = static_cast<T*>(MemoryContextAllocHuge(context, sizeof(T) * capacity));
    if (old) {
        memcpy(bigger, old, sizeof(T) * count);
        pfree(old);
    }
    return bigger;
}

// C++ phase: the samples of an accumulator.
std::vector<stats::PairedSample> samples_of(const Accumulator* state)
{
    std::vector<stats::PairedSample> samples;
    if (!state) return samples;
    samples.reserve(static_cast<std::size_t>(state->count));
    for (int64 i = 0; i < state->count; ++i)
        samples.push_back(stats::PairedSample{state->v1[i], state->v2[i], state->drift_score[i], state->match[i]});
    return samples;
}

// C phase: a costsim.drift_report row.
Datum report_datum(FunctionCallInfo fcinfo, const ReportOut& r)
{
    TupleDesc descriptor = result_descriptor(fcinfo);
    if (descriptor->natts != 21) elog(ERROR, "costsim: costsim.drift_report has %d columns, expected 21", descriptor->natts);
    Datum values[21] = {Int64GetDatum(r.sample_count),      Float8GetDatum(r.delta_p50),
                        Float8GetDatum(r.delta_p90),        Float8GetDatum(r.kl.value),
                        CStringGetTextDatum(r.kl.method),   CStringGetTextDatum(r.kl.direction),
                        float8_array_datum(r.kl.edges),     Float8GetDatum(r.kl.smoothing),
                        Float8GetDatum(r.kl.noise_floor),   Float8GetDatum(r.kl.critical_value),
                        BoolGetDatum(r.kl.significant),     Float8GetDatum(r.kl_legacy),
                        Int64GetDatum(r.outlier_count),     Float8GetDatum(r.fail_ratio),
                        Float8GetDatum(r.matching_rate),    Float8GetDatum(r.psi),
                        Float8GetDatum(r.js_distance),      Float8GetDatum(r.ks_statistic),
                        Float8GetDatum(r.ks_pvalue),        Float8GetDatum(r.wasserstein),
                        Float8GetDatum(r.drift_threshold)};
    bool nulls[21] = {false};
    return result_row(descriptor, values, nulls);
}

// ---- divergence_export: rows from an SPI cursor, in batches ----

constexpr const char* export_query =
    "SELECT created_at, input_hash, v1_cost_cents, v2_cost_cents, drift_score, verdict::text "
    "FROM costsim.divergence_samples($1, $2, $3, $4) ORDER BY created_at, id";
constexpr long export_batch = 10000;

// One fetched batch as plain C values.
struct Batch {
    int count;
    int64* created_at_us;
    char** input_hash;
    int64* v1;
    int64* v2;
    double* drift_score;
    char** verdict;
};

// C calls only (run inside pg_guard).
void read_batch(Batch& batch)
{
    const int n = static_cast<int>(SPI_processed);
    batch.count = n;
    batch.created_at_us = static_cast<int64*>(palloc(sizeof(int64) * (n + 1)));
    batch.input_hash = static_cast<char**>(palloc(sizeof(char*) * (n + 1)));
    batch.v1 = static_cast<int64*>(palloc(sizeof(int64) * (n + 1)));
    batch.v2 = static_cast<int64*>(palloc(sizeof(int64) * (n + 1)));
    batch.drift_score = static_cast<double*>(palloc(sizeof(double) * (n + 1)));
    batch.verdict = static_cast<char**>(palloc(sizeof(char*) * (n + 1)));
    TupleDesc descriptor = SPI_tuptable->tupdesc;
    for (int i = 0; i < n; ++i) {
        HeapTuple row = SPI_tuptable->vals[i];
        bool is_null = false;
        batch.created_at_us[i] = unix_microseconds(DatumGetTimestampTz(SPI_getbinval(row, descriptor, 1, &is_null)));
        batch.input_hash[i] = SPI_getvalue(row, descriptor, 2);
        batch.v1[i] = DatumGetInt64(SPI_getbinval(row, descriptor, 3, &is_null));
        batch.v2[i] = DatumGetInt64(SPI_getbinval(row, descriptor, 4, &is_null));
        batch.drift_score[i] = DatumGetFloat8(SPI_getbinval(row, descriptor, 5, &is_null));
        batch.verdict[i] = SPI_getvalue(row, descriptor, 6);
    }
}

void free_batch(Batch& batch)
{
    for (int i = 0; i < batch.count; ++i) {
        pfree(batch.input_hash[i]);
        pfree(batch.verdict[i]);
    }
    pfree(batch.created_at_us);
    pfree(batch.input_hash);
    pfree(batch.v1);
    pfree(batch.v2);
    pfree(batch.drift_score);
    pfree(batch.verdict);
    SPI_freetuptable(SPI_tuptable);
}

// A statistic of two samples on `bins` bins: (v1 float8[], v2 float8[], bins integer) RETURNS float8.
template <class Statistic>
Datum binned_statistic(FunctionCallInfo fcinfo, Statistic statistic)
{
    const Sample v1 = float8_array(fcinfo, 0, "v1"), v2 = float8_array(fcinfo, 1, "v2");
    const int bins = bins_argument(fcinfo, 2);
    double value = 0;
    Failure failure;
    if (!run_core(failure, [&] { value = statistic(vector_of(v1), vector_of(v2), static_cast<std::size_t>(bins)); }))
        raise(failure);
    PG_RETURN_FLOAT8(value);
}

}  // namespace
}  // namespace costsim::pg

using namespace costsim;
using namespace costsim::pg;

extern "C" {

PG_FUNCTION_INFO_V1(costsim_kl_divergence);
// costsim.kl_divergence(v1 float8[], v2 float8[], method text, bins integer) RETURNS record
Datum costsim_kl_divergence(PG_FUNCTION_ARGS)
{
    const Sample v1 = float8_array(fcinfo, 0, "v1"), v2 = float8_array(fcinfo, 1, "v2");
    if (PG_ARGISNULL(2)) bad_argument("method", "must not be NULL");
    const char* method = text_to_cstring(PG_GETARG_TEXT_PP(2));
    const bool legacy = strcmp(method, "legacy") == 0;
    if (!legacy && strcmp(method, "robust") != 0) bad_argument("method", "must be 'robust' or 'legacy'");
    const int bins = bins_argument(fcinfo, 3);
    KlOut kl{};
    Failure failure;
    if (!run_core(failure, [&] {
            kl = kl_out(legacy ? stats::kl_legacy(vector_of(v1), vector_of(v2))
                               : stats::kl_robust(vector_of(v1), vector_of(v2), static_cast<std::size_t>(bins)));
        }))
        raise(failure);
    Datum values[8] = {Float8GetDatum(kl.value),          CStringGetTextDatum(kl.method),
                       CStringGetTextDatum(kl.direction), float8_array_datum(kl.edges),
                       Float8GetDatum(kl.smoothing),      Float8GetDatum(kl.noise_floor),
                       Float8GetDatum(kl.critical_value), BoolGetDatum(kl.significant)};
    bool nulls[8] = {false};
    PG_RETURN_DATUM(result_row(result_descriptor(fcinfo), values, nulls));
}

PG_FUNCTION_INFO_V1(costsim_psi);
// costsim.psi(v1 float8[], v2 float8[], bins integer) RETURNS float8
Datum costsim_psi(PG_FUNCTION_ARGS) { return binned_statistic(fcinfo, stats::psi); }

PG_FUNCTION_INFO_V1(costsim_js_distance);
// costsim.js_distance(v1 float8[], v2 float8[], bins integer) RETURNS float8
Datum costsim_js_distance(PG_FUNCTION_ARGS) { return binned_statistic(fcinfo, stats::js_distance); }

PG_FUNCTION_INFO_V1(costsim_ks_test);
// costsim.ks_test(v1 float8[], v2 float8[]) RETURNS (statistic float8, p_value float8)
Datum costsim_ks_test(PG_FUNCTION_ARGS)
{
    const Sample v1 = float8_array(fcinfo, 0, "v1"), v2 = float8_array(fcinfo, 1, "v2");
    stats::KsResult ks;
    Failure failure;
    if (!run_core(failure, [&] { ks = stats::ks_two_sample(vector_of(v1), vector_of(v2)); })) raise(failure);
    Datum values[2] = {Float8GetDatum(ks.statistic), Float8GetDatum(ks.p_value)};
    bool nulls[2] = {false, false};
    PG_RETURN_DATUM(result_row(result_descriptor(fcinfo), values, nulls));
}

PG_FUNCTION_INFO_V1(costsim_wasserstein);
// costsim.wasserstein(v1 float8[], v2 float8[]) RETURNS float8
Datum costsim_wasserstein(PG_FUNCTION_ARGS)
{
    const Sample v1 = float8_array(fcinfo, 0, "v1"), v2 = float8_array(fcinfo, 1, "v2");
    double value = 0;
    Failure failure;
    if (!run_core(failure, [&] { value = stats::wasserstein(vector_of(v1), vector_of(v2)); })) raise(failure);
    PG_RETURN_FLOAT8(value);
}

PG_FUNCTION_INFO_V1(costsim_modified_z_outliers);
// costsim.modified_z_outliers(vals float8[]) RETURNS integer[] (1-based positions)
Datum costsim_modified_z_outliers(PG_FUNCTION_ARGS)
{
    const Sample values = float8_array(fcinfo, 0, "vals");
    Datum* positions = nullptr;
    int count = 0;
    Failure failure;
    if (!run_core(failure, [&] {
            const std::vector<std::size_t> outliers = stats::modified_z_outliers(vector_of(values));
            positions = allocate_array<Datum>(outliers.size());
            for (std::size_t index : outliers) positions[count++] = Int32GetDatum(static_cast<int32>(index + 1));
        }))
        raise(failure);
    PG_RETURN_ARRAYTYPE_P(construct_array(positions, count, INT4OID, sizeof(int32), true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(costsim_drift_stats_accumulate);
// Transition of costsim.drift_stats(v1_cost, v2_cost, drift_score, is_match): rows with a NULL cost are skipped.
Datum costsim_drift_stats_accumulate(PG_FUNCTION_ARGS)
{
    MemoryContext aggregate_context;
    if (!AggCheckCallContext(fcinfo, &aggregate_context)) elog(ERROR, "costsim.drift_stats_accumulate called outside an aggregate");
    auto* state = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<Accumulator*>(PG_GETARG_POINTER(0));
    if (!state) {
        state = static_cast<Accumulator*>(MemoryContextAllocZero(aggregate_context, sizeof(Accumulator)));
        state->context = aggregate_context;
    }
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_POINTER(state);
    const double v1 = PG_GETARG_FLOAT8(1), v2 = PG_GETARG_FLOAT8(2);
    const double drift_score = PG_ARGISNULL(3) ? 0 : PG_GETARG_FLOAT8(3);
    if (!std::isfinite(v1) || !std::isfinite(v2) || !std::isfinite(drift_score))
        bad_argument("drift_stats", "costs and drift scores must be finite numbers");
    if (state->count == state->capacity) {
        const int64 capacity = state->capacity ? state->capacity * 2 : 1024;
        state->v1 = grown(state->context, state->v1, state->count, capacity);
        state->v2 = grown(state->context, state->v2, state->count, capacity);
        state->drift_score = grown(state->context, state->drift_score, state->count, capacity);
        state->match = grown(state->context, state->match, state->count, capacity);
        state->capacity = capacity;
    }
    state->v1[state->count] = v1;
    state->v2[state->count] = v2;
    state->drift_score[state->count] = drift_score;
    state->match[state->count] = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
    ++state->count;
    PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(costsim_drift_stats_report);
// Final function of costsim.drift_stats: the report, with costsim.drift_threshold for fail_ratio.
Datum costsim_drift_stats_report(PG_FUNCTION_ARGS)
{
    const auto* state = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<const Accumulator*>(PG_GETARG_POINTER(0));
    const double threshold = settings::drift_threshold;
    ReportOut report{};
    Failure failure;
    if (!run_core(failure, [&] { report = report_out(stats::drift_report(samples_of(state), threshold), threshold); }))
        raise(failure);
    PG_RETURN_DATUM(report_datum(fcinfo, report));
}

PG_FUNCTION_INFO_V1(costsim_divergence_export);
// costsim.divergence_export(format text, start_at timestamptz, end_at timestamptz, model_version text,
//   tenant_id text) RETURNS bytea: one pass over one snapshot, rows fetched through a cursor in batches.
Datum costsim_divergence_export(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(0)) bad_argument("format", "must not be NULL");
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) bad_argument("start_at and end_at", "must not be NULL");
    const char* format_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    Oid types[4] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
    Datum arguments[4] = {PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), PG_ARGISNULL(3) ? (Datum)0 : PG_GETARG_DATUM(3),
                          PG_ARGISNULL(4) ? (Datum)0 : PG_GETARG_DATUM(4)};
    char nulls[4] = {' ', ' ', PG_ARGISNULL(3) ? 'n' : ' ', PG_ARGISNULL(4) ? 'n' : ' '};
    const double threshold = settings::drift_threshold;
    MemoryContext function_context = CurrentMemoryContext;
    bytea* result = nullptr;
    Failure failure;
    if (!run_core(failure, [&] {
            const ExportFormat format = export_format(format_name);
            ByteaBuffer output("the export is larger than 1 GB: narrow the time window", function_context);
            DivergenceExport exporter(format, [&](const char* data, std::size_t size) { output.append(data, size); });
            std::vector<stats::PairedSample> samples;
            Portal portal = nullptr;
            pg_guard([&] {
                if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
                SPIPlanPtr plan = SPI_prepare(export_query, 4, types);
                if (!plan) elog(ERROR, "costsim: preparing the export query failed");
                portal = SPI_cursor_open(nullptr, plan, arguments, nulls, true);
            });
            for (;;) {
                Batch batch{};
                pg_guard([&] {
                    SPI_cursor_fetch(portal, true, export_batch);
                    read_batch(batch);
                });
                if (batch.count == 0) break;
                for (int i = 0; i < batch.count; ++i) {
                    const bool match = strcmp(batch.verdict[i], "match") == 0;
                    samples.push_back(stats::PairedSample{static_cast<double>(batch.v1[i]),
                                                          static_cast<double>(batch.v2[i]), batch.drift_score[i], match});
                    exporter.add(DivergenceSample{batch.created_at_us[i], batch.input_hash[i], batch.v1[i], batch.v2[i],
                                                  batch.drift_score[i], batch.verdict[i]});
                }
                pg_guard([&] { free_batch(batch); });
            }
            pg_guard([&] {
                SPI_cursor_close(portal);
                SPI_finish();
            });
            exporter.finish(stats::drift_report(samples, threshold), threshold);
            result = output.finish();
        }))
        raise(failure);
    PG_RETURN_BYTEA_P(result);
}
}
