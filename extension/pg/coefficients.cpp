#include "core/simulator_v2.hpp"

#include <memory>
#include <string>
#include <unordered_map>

#include "pg/boundary.hpp"
#include "pg/coefficients.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
}

namespace costsim::pg {
namespace {

// One row of costsim.v2_coefficients, copied out of SPI (C phase) for the C++ phase.
struct CoefficientRow {
    char* skill;
    char* risk_type;
    double base_cost_cents, base_latency_ms, confidence, risk_factor, latency_variance_ms, cost_per_1k_input_chars,
        cost_per_1k_output_chars, latency_per_1k_input_chars_ms;
};

constexpr const char* fallback_skill = "*";
constexpr const char* select_coefficients =
    "SELECT skill, risk_type, base_cost_cents, base_latency_ms, confidence, risk_factor, latency_variance_ms, "
    "cost_per_1k_input_chars, cost_per_1k_output_chars, latency_per_1k_input_chars_ms "
    "FROM costsim.v2_coefficients WHERE model_version = $1";

// version -> model; a null model caches "no such version" until the table changes.
using Cache = std::unordered_map<std::string, std::unique_ptr<Model>>;
Cache* cache = nullptr;
bool cache_stale = false;
Oid coefficients_relid = InvalidOid;

void on_relcache_invalidation(Datum, Oid relid)
{
    // Only flags: a Model in use must stay alive until the call that holds it returns.
    if (relid == InvalidOid || relid == coefficients_relid) cache_stale = true;
}

char* spi_text(HeapTuple tuple, TupleDesc descriptor, int column)
{
    char* value = SPI_getvalue(tuple, descriptor, column);
    char* copy = static_cast<char*>(SPI_palloc(strlen(value ? value : "") + 1));
    strcpy(copy, value ? value : "");
    return copy;
}

double spi_double(HeapTuple tuple, TupleDesc descriptor, int column)
{
    bool is_null = false;
    Datum value = SPI_getbinval(tuple, descriptor, column, &is_null);
    return is_null ? 0.0 : DatumGetFloat8(value);
}

// C phase: the rows of one version, allocated in the caller's memory context.
int load_rows(const char* version, CoefficientRow** rows)
{
    coefficients_relid = get_relname_relid("v2_coefficients", get_namespace_oid("costsim", false));
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "costsim: SPI_connect failed");
    Oid types[1] = {TEXTOID};
    Datum values[1] = {CStringGetTextDatum(version)};
    if (SPI_execute_with_args(select_coefficients, 1, types, values, nullptr, true, 0) != SPI_OK_SELECT)
        elog(ERROR, "costsim: reading costsim.v2_coefficients failed");
    const int count = static_cast<int>(SPI_processed);
    *rows = static_cast<CoefficientRow*>(SPI_palloc(sizeof(CoefficientRow) * (count > 0 ? count : 1)));
    for (int i = 0; i < count; ++i) {
        HeapTuple tuple = SPI_tuptable->vals[i];
        TupleDesc descriptor = SPI_tuptable->tupdesc;
        (*rows)[i] = CoefficientRow{spi_text(tuple, descriptor, 1),   spi_text(tuple, descriptor, 2),
                                    spi_double(tuple, descriptor, 3), spi_double(tuple, descriptor, 4),
                                    spi_double(tuple, descriptor, 5), spi_double(tuple, descriptor, 6),
                                    spi_double(tuple, descriptor, 7), spi_double(tuple, descriptor, 8),
                                    spi_double(tuple, descriptor, 9), spi_double(tuple, descriptor, 10)};
    }
    SPI_finish();
    return count;
}

std::unique_ptr<Model> build_model(const char* version, const CoefficientRow* rows, int count)
{
    if (count == 0) return nullptr;
    auto model = std::make_unique<Model>();
    model->version = version;
    for (int i = 0; i < count; ++i) {
        const CoefficientRow& row = rows[i];
        SkillCoefficients coefficients{row.base_cost_cents,     row.base_latency_ms,
                                       row.confidence,          row.risk_type,
                                       row.risk_factor,         row.latency_variance_ms,
                                       row.cost_per_1k_input_chars, row.cost_per_1k_output_chars,
                                       row.latency_per_1k_input_chars_ms};
        if (std::string(row.skill) == fallback_skill)
            model->fallback = std::move(coefficients);
        else
            model->skills.emplace(row.skill, std::move(coefficients));
    }
    return model;
}

}  // namespace

const Model* v2_model(const char* version, const char** problem)
{
    static char message[256];
    const Model* model = nullptr;
    bool cached = false;
    Failure failure;
    if (!run_core(failure, [&] {
            if (!cache) cache = new Cache();
            if (cache_stale) {
                cache->clear();
                cache_stale = false;
            }
            auto found = cache->find(version);
            if (found != cache->end()) {
                cached = true;
                model = found->second.get();
            }
        }))
        raise(failure);
    if (!cached) {
        CoefficientRow* rows = nullptr;
        const int count = load_rows(version, &rows);
        if (!run_core(failure, [&] { model = ((*cache)[version] = build_model(version, rows, count)).get(); }))
            raise(failure);
        pfree(rows);
    }
    if (!model) {
        snprintf(message, sizeof message, "unknown V2 model version \"%s\"", version);
        *problem = message;
    }
    return model;
}

bool cached_v2_model(const char* version, const Model** model) noexcept
{
    if (!cache || cache_stale) return false;
    Failure failure;
    bool cached = false;
    run_core(failure, [&] {
        auto found = cache->find(version);
        if (found == cache->end() || !found->second) return;  // unknown versions take the slow path
        cached = true;
        *model = found->second.get();
    });
    return cached;
}

void coefficients_cache_install() { CacheRegisterRelcacheCallback(on_relcache_invalidation, (Datum)0); }

}  // namespace costsim::pg
