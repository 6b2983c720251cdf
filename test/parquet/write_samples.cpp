// Writes the sample Parquet files that the JS checkers (check_duckdb.js, check_hyparquet.js) read back, through
// costsim's core writer (extension/core/parquet.cpp). Every value is a function of the row index; the same
// functions are written a second time, independently, in samples.js, and README.md states them in words.
//
//   write_samples DIR [NAME...]     NAME: empty, one_row, million, edges, wide (default: all five)
#include "core/errors.hpp"
#include "core/parquet.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <vector>

namespace parquet = costsim::parquet;
using parquet::Column;
using parquet::Type;

namespace {

constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

// ---------------------------------------------------------------------------------------------------------
// The "rows" schema (files empty, one_row, million).

const std::vector<Column> row_columns = {
    {"id", Type::int64, false},          {"big", Type::int64, true},      {"score", Type::float64, true},
    {"ratio", Type::float64, false},     {"flag", Type::boolean, false},  {"maybe", Type::boolean, true},
    {"name", Type::string, false},       {"città", Type::string, true},   {"at", Type::timestamp_us, true},
    {"created", Type::timestamp_us, false},
};

const char* const name_prefixes[] = {"", "row-", "é-", "日本語-", "😀-", "Ω≈ç√-"};

std::string repeat(const std::string& text, std::int64_t times)
{
    std::string out;
    for (std::int64_t k = 0; k < times; ++k) out += text;
    return out;
}

std::string hex(std::int64_t value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%llx", static_cast<unsigned long long>(value));
    return buffer;
}

void add_row(parquet::Writer& w, std::int64_t i)
{
    w.add_int64(i);  // id

    if (i % 7 == 3) {  // big
        w.add_null();
    } else if (i % 1000 == 1) {
        w.add_int64(int64_min);
    } else if (i % 1000 == 2) {
        w.add_int64(int64_max);
    } else {
        w.add_int64(static_cast<std::int64_t>(static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull));
    }

    if (i % 11 == 5) {  // score
        w.add_null();
    } else if (i % 1000 == 3) {
        w.add_float64(std::numeric_limits<double>::quiet_NaN());
    } else if (i % 1000 == 4) {
        w.add_float64(-0.0);
    } else if (i % 1000 == 6) {
        w.add_float64(std::numeric_limits<double>::infinity());
    } else if (i % 1000 == 8) {
        w.add_float64(-std::numeric_limits<double>::infinity());
    } else if (i % 1000 == 12) {
        w.add_float64(0.0);
    } else {
        w.add_float64(static_cast<double>(i - 500000) / 3.0);
    }

    w.add_float64(static_cast<double>(i) * 0.1 - 7.0);  // ratio

    w.add_boolean(i % 3 == 0);  // flag

    if (i % 5 == 0) {  // maybe
        w.add_null();
    } else {
        w.add_boolean(i % 2 == 1);
    }

    if (i % 1000 == 999) {  // name
        w.add_string("");
    } else {
        w.add_string(std::string(name_prefixes[i % 6]) + std::to_string(i));
    }

    if (i % 4 == 1) {  // città
        w.add_null();
    } else {
        w.add_string(repeat("ü", i % 13) + "x" + hex(i));
    }

    if (i % 9 == 4) {  // at
        w.add_null();
    } else if (i % 1000 == 10) {
        w.add_timestamp_us(-62135596800000000);  // 0001-01-01T00:00:00Z
    } else if (i % 1000 == 11) {
        w.add_timestamp_us(253402300799999999);  // 9999-12-31T23:59:59.999999Z
    } else {
        w.add_timestamp_us(1700000000000000 + (i - 500000) * 1000003);
    }

    w.add_timestamp_us((i - 500000) * 123456789);  // created

    w.end_row();
}

void add_file_metadata(parquet::Writer& w, const std::string& sample)
{
    w.add_metadata("costsim.sample", sample);
    w.add_metadata("costsim.report", "{\"drift\":0.25,\"note\":\"ünï ✓ 😀\"}");
    w.add_metadata("empty", "");
}

// ---------------------------------------------------------------------------------------------------------
// The "edges" schema: 6 rows in 3 row groups of 2, chosen for the statistics rules.

const std::vector<Column> edge_columns = {
    {"all_null", Type::int64, true},
    {"nan_zero", Type::float64, true},
    {"bytes", Type::string, false},
    {"long", Type::string, true},
    {"bits", Type::boolean, true},
};

void add_edge_row(parquet::Writer& w, std::int64_t i)
{
    w.add_null();  // all_null
    switch (i) {   // nan_zero
    case 0:
    case 1: w.add_float64(std::numeric_limits<double>::quiet_NaN()); break;
    case 2: w.add_float64(0.0); break;
    case 3: w.add_float64(-0.0); break;
    case 4: w.add_null(); break;
    default: w.add_float64(1.5); break;
    }
    const char* const bytes[] = {"\x7f", "é", "", "a", "😀", "a\xc2\x80"};
    w.add_string(bytes[i]);  // bytes
    if (i == 4) {            // long
        w.add_string(std::string(5000, 'x'));
    } else if (i % 2 == 1) {
        w.add_null();
    } else {
        w.add_string("short" + std::to_string(i));
    }
    if (i < 2) {  // bits
        w.add_boolean(true);
    } else if (i < 4) {
        w.add_boolean(i == 2);
    } else {
        w.add_null();
    }
    w.end_row();
}

// ---------------------------------------------------------------------------------------------------------
// The "wide" schema: 20 columns (Thrift lists of 15 or more elements take the long list header), 3 rows in
// row groups of 2. Column k (named c00..c19) has type k % 5 in the order int64, double, boolean, string,
// timestamp; odd columns are optional and null where (i + k) % 3 == 0.

std::vector<Column> wide_columns()
{
    const Type types[] = {Type::int64, Type::float64, Type::boolean, Type::string, Type::timestamp_us};
    std::vector<Column> columns;
    for (int k = 0; k < 20; ++k) {
        const std::string name = (k < 10 ? "c0" : "c") + std::to_string(k);
        columns.push_back({name, types[k % 5], k % 2 == 1});
    }
    return columns;
}

void add_wide_row(parquet::Writer& w, std::int64_t i)
{
    for (std::int64_t k = 0; k < 20; ++k) {
        if (k % 2 == 1 && (i + k) % 3 == 0) {
            w.add_null();
            continue;
        }
        switch (k % 5) {
        case 0: w.add_int64(k * 1000 + i); break;
        case 1: w.add_float64(static_cast<double>(k) + static_cast<double>(i) / 4.0); break;
        case 2: w.add_boolean((i + k) % 2 == 0); break;
        case 3: w.add_string("c" + std::to_string(k) + "-" + std::to_string(i)); break;
        default: w.add_timestamp_us(k * 1000000 + i); break;
        }
    }
    w.end_row();
}

// ---------------------------------------------------------------------------------------------------------

void write_file(const std::string& path, const std::vector<Column>& columns, std::size_t rows_per_group,
                std::int64_t rows, void (*row)(parquet::Writer&, std::int64_t), const std::string& sample)
{
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error(path + ": " + std::strerror(errno));
    try {
        parquet::Writer w(
            columns,
            [&](const char* data, std::size_t size) {
                if (std::fwrite(data, 1, size, file) != size) throw std::runtime_error(path + ": write failed");
            },
            rows_per_group);
        add_file_metadata(w, sample);
        for (std::int64_t i = 0; i < rows; ++i) row(w, i);
        w.finish();
        if (w.rows_written() != static_cast<std::size_t>(rows)) throw std::runtime_error(path + ": row count");
    } catch (...) {
        std::fclose(file);
        throw;
    }
    if (std::fclose(file) != 0) throw std::runtime_error(path + ": close failed");
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [empty|one_row|million|edges|wide ...]\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    std::vector<std::string> names(argv + 2, argv + argc);
    if (names.empty()) names = {"empty", "one_row", "million", "edges", "wide"};
    try {
        for (const std::string& name : names) {
            const std::string path = dir + "/" + name + ".parquet";
            if (name == "empty") {
                write_file(path, row_columns, 1000, 0, add_row, name);
            } else if (name == "one_row") {
                write_file(path, row_columns, 1000, 1, add_row, name);
            } else if (name == "million") {
                write_file(path, row_columns, 300000, 1000000, add_row, name);
            } else if (name == "edges") {
                write_file(path, edge_columns, 2, 6, add_edge_row, name);
            } else if (name == "wide") {
                write_file(path, wide_columns(), 2, 3, add_wide_row, name);
            } else {
                std::fprintf(stderr, "unknown sample: %s\n", name.c_str());
                return 2;
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "write_samples: %s\n", e.what());
        return 1;
    }
    return 0;
}
