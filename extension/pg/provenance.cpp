#include "core/json.hpp"
#include "core/step_diff.hpp"

#include <cstring>
#include <string>
#include <string_view>

#include "pg/boundary.hpp"
#include "pg/jsonb_io.hpp"
#include "pg/provenance.hpp"
#include "pg/settings.hpp"
#include "pg/table_owner.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
}

namespace costsim::pg {
namespace {

constexpr const char* insert_sql =
    "INSERT INTO costsim.provenance (tenant_id, run_id, source, status, error, input, budget_cents, allowed_skills, "
    "input_hash, v1_model_version, v2_model_version, v1_output_hash, v2_output_hash, v1_cost_cents, v2_cost_cents, "
    "v1_duration_ms, v2_duration_ms, v1_feasible, v2_feasible, v1_status, v2_status, v2_confidence, drift_score, "
    "verdict, v1_runtime_us, v2_runtime_us) VALUES ($1, $2, $3::costsim.provenance_source, "
    "$4::costsim.provenance_status, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
    "$22, $23, $24::costsim.drift_verdict, $25, $26) RETURNING id";
constexpr int insert_arity = 26;

SPIPlanPtr insert_plan = nullptr;

}  // namespace

void describe_shadow(ProvenanceRow& row, const ShadowRecord& record)
{
    const Estimate& v1 = record.v1;
    row.v1_output_hash = copy_string(record.v1_output_hash);
    row.v1_cost_cents = static_cast<std::int64_t>(v1.estimated_cost_cents);
    row.v1_duration_ms = v1.estimated_duration_ms;
    row.v1_feasible = v1.feasible;
    row.v1_status = copy_string(v1.status);
    row.v1_runtime_us = record.v1_runtime_us;
    row.has_v2 = record.v2.has_value();
    row.status = row.has_v2 ? "ok" : "error";
    if (!row.has_v2) {
        row.error = copy_string(record.v2_error);
        return;
    }
    const Estimate& v2 = *record.v2;
    row.v2_output_hash = copy_string(record.v2_output_hash);
    row.v2_cost_cents = static_cast<std::int64_t>(v2.estimated_cost_cents);
    row.v2_duration_ms = v2.estimated_duration_ms;
    row.v2_feasible = v2.feasible;
    row.v2_status = copy_string(v2.status);
    row.v2_confidence = v2.confidence_score;
    row.v2_runtime_us = v2.runtime_us;
    row.drift_score = record.drift->drift_score;
    row.verdict = to_string(record.drift->verdict);
    if (keeps_diff(record.drift->verdict)) {
        const std::string packed = gzip(json::dump(step_diff(record.v1, v2, *record.drift)));
        row.diff_gzip = static_cast<bytea*>(allocate(VARHDRSZ + packed.size()));
        SET_VARSIZE(row.diff_gzip, VARHDRSZ + packed.size());
        memcpy(VARDATA(row.diff_gzip), packed.data(), packed.size());
    }
}

std::int64_t insert_provenance(const ProvenanceRow& row)
{
    const Oid types[insert_arity] = {TEXTOID,   TEXTOID, TEXTOID, TEXTOID,   TEXTOID,   JSONBOID, INT8OID,
                                     TEXTARRAYOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID,
                                     INT8OID,   FLOAT8OID, FLOAT8OID, BOOLOID, BOOLOID, TEXTOID, TEXTOID,
                                     FLOAT8OID, FLOAT8OID, TEXTOID, INT8OID, INT8OID};
    Datum values[insert_arity];
    char nulls[insert_arity];
    memset(nulls, ' ', sizeof nulls);
    int column = 0;
    auto text = [&](const char* value) {
        if (value)
            values[column] = CStringGetTextDatum(value);
        else
            nulls[column] = 'n';
        ++column;
    };
    auto datum = [&](Datum value, bool present) {
        values[column] = value;
        if (!present) nulls[column] = 'n';
        ++column;
    };
    text(row.tenant_id);
    text(row.run_id);
    text(row.source);
    text(row.status);
    text(row.error);
    datum(row.input, true);
    datum(Int64GetDatum(row.budget_cents), true);
    datum(row.allowed_skills, row.allowed_skills != 0);
    text(row.input_hash);
    text(v1_model_version);
    text(row.v2_model_version);
    text(row.v1_output_hash);
    text(row.v2_output_hash);
    datum(Int64GetDatum(row.v1_cost_cents), true);
    datum(Int64GetDatum(row.v2_cost_cents), row.has_v2);
    datum(Float8GetDatum(row.v1_duration_ms), true);
    datum(Float8GetDatum(row.v2_duration_ms), row.has_v2);
    datum(BoolGetDatum(row.v1_feasible), true);
    datum(BoolGetDatum(row.v2_feasible), row.has_v2);
    text(row.v1_status);
    text(row.v2_status);
    datum(Float8GetDatum(row.v2_confidence), row.has_v2);
    datum(Float8GetDatum(row.drift_score), row.has_v2);
    text(row.verdict);
    datum(Int64GetDatum(row.v1_runtime_us), true);
    datum(Int64GetDatum(row.v2_runtime_us), row.has_v2);
    Assert(column == insert_arity);

    // Write as the table's owner: callers get no privilege on provenance. An error on the way aborts the
    // (sub)transaction, which restores the user id.
    const SavedUser saved = become_owner_of("provenance");
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    if (!insert_plan) {
        SPIPlanPtr plan = SPI_prepare(insert_sql, insert_arity, const_cast<Oid*>(types));
        if (!plan) elog(ERROR, "costsim: preparing the provenance insert failed: %s", SPI_result_code_string(SPI_result));
        SPI_keepplan(plan);
        insert_plan = plan;
    }
    if (SPI_execute_plan(insert_plan, values, nulls, false, 1) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
        elog(ERROR, "costsim: writing a provenance row failed");
    bool is_null = false;
    const std::int64_t id =
        DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    if (row.diff_gzip) {
        Oid artifact_types[6] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, FLOAT8OID, BYTEAOID};
        Datum artifact[6] = {Int64GetDatum(id),
                             CStringGetTextDatum(row.tenant_id),
                             row.run_id ? CStringGetTextDatum(row.run_id) : (Datum)0,
                             CStringGetTextDatum(row.verdict),
                             Float8GetDatum(row.drift_score),
                             PointerGetDatum(row.diff_gzip)};
        const char artifact_nulls[6] = {' ', ' ', row.run_id ? ' ' : 'n', ' ', ' ', ' '};
        if (SPI_execute_with_args("INSERT INTO costsim.diff_artifacts (provenance_id, tenant_id, run_id, verdict, "
                                  "drift_score, diff_gzip) VALUES ($1, $2, $3, $4::costsim.drift_verdict, $5, $6)",
                                  6, artifact_types, artifact, artifact_nulls, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "costsim: writing a diff artifact failed");
    }
    SPI_finish();
    restore_user(saved);
    return id;
}

}  // namespace costsim::pg

extern "C" {

PG_FUNCTION_INFO_V1(costsim_diff_of);
// costsim.diff_of(diff_gzip bytea) RETURNS jsonb: the JSON of a diff artifact.
Datum costsim_diff_of(PG_FUNCTION_ARGS)
{
    constexpr std::size_t max_diff_bytes = 64 * 1024 * 1024;
    const bytea* packed = PG_GETARG_BYTEA_PP(0);
    const std::string_view data(VARDATA_ANY(packed), VARSIZE_ANY_EXHDR(packed));
    char* text = nullptr;
    costsim::pg::Failure failure;
    if (!costsim::pg::run_core(failure, [&] { text = costsim::pg::copy_string(costsim::gunzip(data, max_diff_bytes)); }))
        costsim::pg::raise(failure);
    PG_RETURN_DATUM(costsim::pg::jsonb_from_text(text));
}
}
