// Apache Parquet writer (see parquet.hpp). Written from the format specification (parquet-format's
// parquet.thrift and Encodings.md), not from another implementation. What a file holds:
//
//   "PAR1"
//   per row group, per column: one column chunk = one or more v1 data pages, each a Thrift PageHeader then
//     [optional column: u32 LE byte length + definition levels, RLE/bit-packed hybrid, bit width 1]
//     the non-null values, PLAIN (int64/timestamp: 8 bytes LE; double: IEEE 754 8 bytes LE;
//     boolean: bit-packed, LSB first; string: u32 LE length + bytes), uncompressed
//   FileMetaData (Thrift Compact Protocol), its byte length (u32 LE), "PAR1"
//
// Statistics (per column chunk): null_count, and min_value/max_value PLAIN-encoded (string: the bytes
// without a length prefix) in the type-defined order that the footer's column_orders declares: signed for
// int64 and timestamps, false < true, unsigned byte-wise for strings, numeric for doubles. Doubles follow
// the specification's rules for TYPE_ORDER floating point: nan_count is always written (0 included), NaN
// never enters min/max (NaN values themselves are written as data), a chunk whose non-null values are all
// NaN has no min/max, a zero minimum is written as -0.0 and a zero maximum as +0.0. A string chunk whose min
// or max is longer than max_statistics_bytes gets no min/max (the footer would otherwise repeat huge values;
// truncating would need the is_exact flags). The deprecated Statistics.min/max are never written: their
// order for strings is signed bytes, which no reader should have to trust. ColumnChunk.file_offset
// (deprecated) is 0, as the specification asks of writers that put no ColumnMetaData outside the footer;
// RowGroup.file_offset is the offset of the group's first page.
//
// Errors: API misuse (wrong type, null in a required column, a row too short or too long, any call after
// finish(), a string that is not UTF-8, a bad schema) throws Error(internal) before anything changes, so the
// writer stays usable. A string over max_value_bytes throws Error(limit_exceeded), also before any change.
// If the sink (or an allocation) throws while bytes are being produced, the exception propagates and the
// writer refuses every later call: the bytes already handed to the sink are not a valid file.
#include "core/parquet.hpp"

#include "core/errors.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace costsim::parquet {
namespace {

// ---------------------------------------------------------------------------------------------------------
// Numbers from parquet.thrift.

constexpr std::int32_t physical_boolean = 0;
constexpr std::int32_t physical_int64 = 2;
constexpr std::int32_t physical_double = 5;
constexpr std::int32_t physical_byte_array = 6;

constexpr std::int32_t converted_utf8 = 0;
constexpr std::int32_t converted_timestamp_micros = 10;

constexpr std::int32_t repetition_required = 0;
constexpr std::int32_t repetition_optional = 1;

constexpr std::int32_t encoding_plain = 0;
constexpr std::int32_t encoding_rle = 3;

constexpr std::int32_t codec_uncompressed = 0;
constexpr std::int32_t page_type_data_page = 0;

// FileMetaData.version: 1, since nothing beyond v1 data pages and PLAIN/RLE encodings is used.
constexpr std::int32_t file_version = 1;
constexpr std::string_view magic = "PAR1";
constexpr std::string_view created_by = "costsim";

// ---------------------------------------------------------------------------------------------------------
// Writer limits.

// A page is closed once its values reach this many bytes or this many values (nulls included).
constexpr std::size_t page_value_bytes = std::size_t{1} << 20;
constexpr std::size_t page_max_values = 20000;
// One string value; keeps every page size within Thrift's i32 (PostgreSQL's own limit is 1 GB too).
constexpr std::size_t max_value_bytes = std::size_t{1} << 30;
// Strings longer than this are kept out of the chunk statistics.
constexpr std::size_t max_statistics_bytes = 4096;

// ---------------------------------------------------------------------------------------------------------
// Byte helpers.

void append_u32_le(std::string& out, std::uint32_t value)
{
    const char bytes[4] = {static_cast<char>(value & 0xFF), static_cast<char>((value >> 8) & 0xFF),
                           static_cast<char>((value >> 16) & 0xFF), static_cast<char>((value >> 24) & 0xFF)};
    out.append(bytes, 4);
}

void append_u64_le(std::string& out, std::uint64_t value)
{
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
    out.append(bytes, 8);
}

std::string plain_int64(std::int64_t value)
{
    std::string out;
    append_u64_le(out, static_cast<std::uint64_t>(value));
    return out;
}

std::string plain_double(double value)
{
    static_assert(sizeof(double) == 8 && std::numeric_limits<double>::is_iec559, "Parquet DOUBLE is IEEE 754 binary64");
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    std::string out;
    append_u64_le(out, bits);
    return out;
}

// Unsigned LEB128, as Thrift's compact protocol and the RLE/bit-packed hybrid use.
void append_varint(std::string& out, std::uint64_t value)
{
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

// ZigZag: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ...
std::uint64_t zigzag(std::int64_t value)
{
    const std::uint64_t bits = static_cast<std::uint64_t>(value);
    return value < 0 ? ~(bits << 1) : (bits << 1);
}

bool is_utf8(std::string_view text)
{
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    std::size_t i = 0;
    while (i < size) {
        const unsigned char lead = bytes[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t code_point = 0;
        std::uint32_t smallest = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2, code_point = lead & 0x1F, smallest = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, code_point = lead & 0x0F, smallest = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, code_point = lead & 0x07, smallest = 0x10000;
        } else {
            return false;
        }
        if (size - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const unsigned char next = bytes[i + k];
            if ((next & 0xC0) != 0x80) return false;
            code_point = (code_point << 6) | (next & 0x3F);
        }
        if (code_point < smallest || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------------------
// Thrift Compact Protocol, write side: only what the Parquet structures need.

enum CompactType : std::uint8_t {
    compact_true = 1,
    compact_false = 2,
    compact_i32 = 5,
    compact_i64 = 6,
    compact_binary = 8,
    compact_list = 9,
    compact_struct = 12,
};

class CompactWriter {
public:
    explicit CompactWriter(std::string& out) : out_(out) {}

    void field_i32(std::int16_t id, std::int32_t value)
    {
        field_header(id, compact_i32);
        append_varint(out_, zigzag(value));
    }
    void field_i64(std::int16_t id, std::int64_t value)
    {
        field_header(id, compact_i64);
        append_varint(out_, zigzag(value));
    }
    // A boolean field carries its value in the type nibble.
    void field_bool(std::int16_t id, bool value) { field_header(id, value ? compact_true : compact_false); }
    void field_binary(std::int16_t id, std::string_view value)
    {
        field_header(id, compact_binary);
        element_binary(value);
    }
    void begin_struct_field(std::int16_t id)
    {
        field_header(id, compact_struct);
        begin_struct();
    }
    void begin_list_field(std::int16_t id, CompactType element_type, std::size_t size)
    {
        field_header(id, compact_list);
        if (size < 15) {
            out_.push_back(static_cast<char>((size << 4) | element_type));
        } else {
            out_.push_back(static_cast<char>(0xF0 | element_type));
            append_varint(out_, size);
        }
    }
    void element_i32(std::int32_t value) { append_varint(out_, zigzag(value)); }
    void element_binary(std::string_view value)
    {
        append_varint(out_, value.size());
        out_.append(value.data(), value.size());
    }
    // A struct, as a list element or after begin_struct_field: field ids restart at 0 inside it.
    void begin_struct()
    {
        enclosing_.push_back(last_id_);
        last_id_ = 0;
    }
    void end_struct()
    {
        out_.push_back(0);  // STOP
        last_id_ = enclosing_.back();
        enclosing_.pop_back();
    }

private:
    // Short form: (id delta << 4) | type when the delta from the previous field is 1..15; long form: the type,
    // then the id as a zigzag varint.
    void field_header(std::int16_t id, CompactType type)
    {
        const int delta = id - last_id_;
        if (delta > 0 && delta <= 15) {
            out_.push_back(static_cast<char>((delta << 4) | type));
        } else {
            out_.push_back(static_cast<char>(type));
            append_varint(out_, zigzag(id));
        }
        last_id_ = id;
    }

    std::string& out_;
    std::int16_t last_id_ = 0;
    std::vector<std::int16_t> enclosing_;
};

// ---------------------------------------------------------------------------------------------------------
// Definition levels: RLE/bit-packed hybrid with bit width 1. A run of 8 or more equal levels is an RLE run
// (header run_length << 1, then the value in one byte); anything else goes into bit-packed runs (header
// groups << 1 | 1, then 8 levels per byte, LSB first). Only the last group of the page may be padded.

void encode_levels(const std::vector<std::uint8_t>& levels, std::string& out)
{
    const std::size_t size = levels.size();
    auto run_at = [&](std::size_t start) {
        std::size_t end = start + 1;
        while (end < size && levels[end] == levels[start]) ++end;
        return end - start;
    };
    std::size_t i = 0;
    while (i < size) {
        const std::size_t run = run_at(i);
        if (run >= 8) {
            append_varint(out, std::uint64_t{run} << 1);
            out.push_back(static_cast<char>(levels[i]));
            i += run;
            continue;
        }
        const std::size_t start = i;
        std::size_t groups = 0;
        do {
            i += 8;
            ++groups;
        } while (i < size && run_at(i) < 8);
        append_varint(out, (std::uint64_t{groups} << 1) | 1);
        for (std::size_t g = 0; g < groups; ++g) {
            unsigned char byte = 0;
            for (std::size_t bit = 0; bit < 8; ++bit) {
                const std::size_t index = start + g * 8 + bit;
                if (index < size && levels[index] != 0) byte |= static_cast<unsigned char>(1u << bit);
            }
            out.push_back(static_cast<char>(byte));
        }
    }
}

const char* type_name(Type type)
{
    switch (type) {
    case Type::int64: return "int64";
    case Type::float64: return "float64";
    case Type::boolean: return "boolean";
    case Type::string: return "string";
    case Type::timestamp_us: return "timestamp_us";
    }
    return "unknown";
}

std::int32_t physical_type(Type type)
{
    switch (type) {
    case Type::int64:
    case Type::timestamp_us: return physical_int64;
    case Type::float64: return physical_double;
    case Type::boolean: return physical_boolean;
    case Type::string: return physical_byte_array;
    }
    throw Error(ErrorKind::internal, "parquet: unknown column type");
}

// Min/max of one column chunk, in the column's type-defined order, over non-null (and non-NaN) values.
struct Extremes {
    bool seen = false;
    std::int64_t min_int = 0, max_int = 0;
    double min_double = 0, max_double = 0;
    bool min_bool = false, max_bool = false;
    std::string min_string, max_string;
};

// What the footer needs of one column chunk.
struct ChunkMeta {
    std::int64_t offset = 0;  // of its first page
    std::int64_t size = 0;    // bytes, page headers included
    std::int64_t num_values = 0;
    std::int64_t null_count = 0;
    std::int64_t nan_count = -1;  // doubles only; -1: not written
    bool has_min_max = false;
    std::string min_value, max_value;  // PLAIN-encoded
};

struct RowGroupMeta {
    std::int64_t num_rows = 0;
    std::int64_t offset = 0;
    std::int64_t size = 0;
    std::vector<ChunkMeta> chunks;
};

struct ColumnBuffer {
    // Finished pages of the row group being buffered.
    std::string chunk;
    // The open page: PLAIN values of its non-null values, its definition levels (optional columns only),
    // its number of values (nulls included) and of non-null values.
    std::string values;
    std::vector<std::uint8_t> levels;
    std::size_t page_values = 0;
    std::size_t page_non_null = 0;
    // The row group being buffered.
    std::int64_t chunk_values = 0;
    std::int64_t null_count = 0;
    std::int64_t nan_count = 0;
    Extremes extremes;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Writer

struct Writer::State {
    std::vector<Column> columns;
    Sink sink;
    std::size_t rows_per_group = 0;

    std::vector<ColumnBuffer> buffers;
    std::size_t next_column = 0;  // of the row being added
    std::size_t group_rows = 0;   // complete rows buffered
    std::size_t rows = 0;         // complete rows, buffered or flushed

    std::int64_t offset = 0;  // bytes handed to the sink
    std::vector<RowGroupMeta> row_groups;
    std::vector<std::pair<std::string, std::string>> metadata;
    bool finished = false;
    bool broken = false;

    void check_usable(const char* call) const
    {
        if (broken) throw Error(ErrorKind::internal, std::string("parquet: ") + call + " after a failed write");
        if (finished) throw Error(ErrorKind::internal, std::string("parquet: ") + call + " after finish()");
    }

    // The column the next value goes to, checked against the value's type.
    // INT64 physical values (int64 and timestamp_us columns): PLAIN little-endian, integer min/max.
    void add_int64_value(Type type, const char* call, std::int64_t value)
    {
        ColumnBuffer& buffer = expect(type, call);
        producing([&] {
            append_u64_le(buffer.values, static_cast<std::uint64_t>(value));
            Extremes& e = buffer.extremes;
            if (!e.seen || value < e.min_int) e.min_int = value;
            if (!e.seen || value > e.max_int) e.max_int = value;
            e.seen = true;
            after_value(buffer, false);
        });
    }

    ColumnBuffer& expect(Type type, const char* call)
    {
        check_usable(call);
        if (next_column >= columns.size()) {
            throw Error(ErrorKind::internal, "parquet: " + std::string(call) + " on a row that already has all " +
                                                 std::to_string(columns.size()) + " values (call end_row())");
        }
        const Column& column = columns[next_column];
        if (column.type != type) {
            throw Error(ErrorKind::internal, "parquet: " + std::string(call) + " for column \"" + column.name +
                                                 "\" of type " + type_name(column.type));
        }
        return buffers[next_column];
    }

    // Records one value (or a null) in the open page of the current column; closes the page when full.
    void after_value(ColumnBuffer& buffer, bool is_null)
    {
        if (columns[next_column].nullable) buffer.levels.push_back(is_null ? 0 : 1);
        ++buffer.page_values;
        ++buffer.chunk_values;
        if (is_null) {
            ++buffer.null_count;
        } else {
            ++buffer.page_non_null;
        }
        if (buffer.values.size() >= page_value_bytes || buffer.page_values >= page_max_values) {
            close_page(next_column);
        }
        ++next_column;
    }

    void close_page(std::size_t index)
    {
        ColumnBuffer& buffer = buffers[index];
        if (buffer.page_values == 0) return;
        std::string levels;
        if (columns[index].nullable) encode_levels(buffer.levels, levels);
        const std::size_t body =
            (columns[index].nullable ? 4 + levels.size() : std::size_t{0}) + buffer.values.size();
        if (body > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
            throw Error(ErrorKind::internal, "parquet: data page over 2 GiB");
        }
        std::string& out = buffer.chunk;
        CompactWriter header(out);  // PageHeader
        header.field_i32(1, page_type_data_page);
        header.field_i32(2, static_cast<std::int32_t>(body));  // uncompressed_page_size
        header.field_i32(3, static_cast<std::int32_t>(body));  // compressed_page_size
        header.begin_struct_field(5);                          // data_page_header: DataPageHeader
        header.field_i32(1, static_cast<std::int32_t>(buffer.page_values));  // num_values, nulls included
        header.field_i32(2, encoding_plain);
        header.field_i32(3, encoding_rle);  // definition_level_encoding
        header.field_i32(4, encoding_rle);  // repetition_level_encoding (no repetition levels: flat schema)
        header.end_struct();
        out.push_back(0);  // PageHeader STOP
        if (columns[index].nullable) {
            append_u32_le(out, static_cast<std::uint32_t>(levels.size()));
            out += levels;
        }
        out += buffer.values;
        buffer.values.clear();
        buffer.levels.clear();
        buffer.page_values = 0;
        buffer.page_non_null = 0;
    }

    void emit(const char* data, std::size_t size)
    {
        sink(data, size);
        offset += static_cast<std::int64_t>(size);
    }

    void emit_magic_once()
    {
        if (offset == 0) emit(magic.data(), magic.size());
    }

    ChunkMeta chunk_meta(std::size_t index) const
    {
        const ColumnBuffer& buffer = buffers[index];
        ChunkMeta meta;
        meta.size = static_cast<std::int64_t>(buffer.chunk.size());
        meta.num_values = buffer.chunk_values;
        meta.null_count = buffer.null_count;
        if (columns[index].type == Type::float64) meta.nan_count = buffer.nan_count;
        const Extremes& e = buffer.extremes;
        if (!e.seen) return meta;
        switch (columns[index].type) {
        case Type::int64:
        case Type::timestamp_us:
            meta.min_value = plain_int64(e.min_int);
            meta.max_value = plain_int64(e.max_int);
            break;
        case Type::float64:
            // Zero bounds are written as -0.0 (min) and +0.0 (max), whichever zero was seen.
            meta.min_value = plain_double(e.min_double == 0 ? -0.0 : e.min_double);
            meta.max_value = plain_double(e.max_double == 0 ? +0.0 : e.max_double);
            break;
        case Type::boolean:
            meta.min_value = std::string(1, e.min_bool ? '\1' : '\0');
            meta.max_value = std::string(1, e.max_bool ? '\1' : '\0');
            break;
        case Type::string:
            if (e.min_string.size() > max_statistics_bytes || e.max_string.size() > max_statistics_bytes) {
                return meta;
            }
            meta.min_value = e.min_string;
            meta.max_value = e.max_string;
            break;
        }
        meta.has_min_max = true;
        return meta;
    }

    void flush_row_group()
    {
        if (group_rows == 0) return;
        for (std::size_t i = 0; i < buffers.size(); ++i) close_page(i);
        emit_magic_once();
        RowGroupMeta group;
        group.num_rows = static_cast<std::int64_t>(group_rows);
        group.offset = offset;
        for (std::size_t i = 0; i < buffers.size(); ++i) {
            ColumnBuffer& buffer = buffers[i];
            ChunkMeta meta = chunk_meta(i);
            meta.offset = offset;
            group.size += meta.size;
            group.chunks.push_back(std::move(meta));
            emit(buffer.chunk.data(), buffer.chunk.size());
            buffer.chunk.clear();
            buffer.chunk_values = 0;
            buffer.null_count = 0;
            buffer.nan_count = 0;
            buffer.extremes = Extremes{};
        }
        row_groups.push_back(std::move(group));
        group_rows = 0;
    }

    std::string footer() const
    {
        std::string out;
        CompactWriter w(out);  // FileMetaData
        w.field_i32(1, file_version);
        w.begin_list_field(2, compact_struct, columns.size() + 1);  // schema: the root, then the columns
        w.begin_struct();
        w.field_binary(4, "schema");
        w.field_i32(5, static_cast<std::int32_t>(columns.size()));  // num_children
        w.end_struct();
        for (const Column& column : columns) {
            w.begin_struct();  // SchemaElement
            w.field_i32(1, physical_type(column.type));
            w.field_i32(3, column.nullable ? repetition_optional : repetition_required);
            w.field_binary(4, column.name);
            if (column.type == Type::string) {
                w.field_i32(6, converted_utf8);
                w.begin_struct_field(10);  // logicalType: LogicalType union
                w.begin_struct_field(1);   // STRING: StringType {}
                w.end_struct();
                w.end_struct();
            } else if (column.type == Type::timestamp_us) {
                w.field_i32(6, converted_timestamp_micros);
                w.begin_struct_field(10);  // logicalType: LogicalType union
                w.begin_struct_field(8);   // TIMESTAMP: TimestampType
                w.field_bool(1, true);     // isAdjustedToUTC
                w.begin_struct_field(2);   // unit: TimeUnit union
                w.begin_struct_field(2);   // MICROS: MicroSeconds {}
                w.end_struct();
                w.end_struct();
                w.end_struct();
                w.end_struct();
            }
            w.end_struct();
        }
        std::int64_t total_rows = 0;
        for (const RowGroupMeta& group : row_groups) total_rows += group.num_rows;
        w.field_i64(3, total_rows);
        w.begin_list_field(4, compact_struct, row_groups.size());
        for (const RowGroupMeta& group : row_groups) {
            w.begin_struct();  // RowGroup
            w.begin_list_field(1, compact_struct, group.chunks.size());
            for (std::size_t i = 0; i < group.chunks.size(); ++i) {
                const ChunkMeta& chunk = group.chunks[i];
                w.begin_struct();             // ColumnChunk
                w.field_i64(2, 0);            // file_offset: deprecated, 0 (no ColumnMetaData outside the footer)
                w.begin_struct_field(3);      // meta_data: ColumnMetaData
                w.field_i32(1, physical_type(columns[i].type));
                w.begin_list_field(2, compact_i32, 2);  // encodings
                w.element_i32(encoding_plain);
                w.element_i32(encoding_rle);
                w.begin_list_field(3, compact_binary, 1);  // path_in_schema
                w.element_binary(columns[i].name);
                w.field_i32(4, codec_uncompressed);
                w.field_i64(5, chunk.num_values);
                w.field_i64(6, chunk.size);  // total_uncompressed_size
                w.field_i64(7, chunk.size);  // total_compressed_size
                w.field_i64(9, chunk.offset);  // data_page_offset
                w.begin_struct_field(12);      // statistics: Statistics
                w.field_i64(3, chunk.null_count);
                if (chunk.has_min_max) {
                    w.field_binary(5, chunk.max_value);
                    w.field_binary(6, chunk.min_value);
                }
                if (chunk.nan_count >= 0) w.field_i64(9, chunk.nan_count);
                w.end_struct();
                w.end_struct();  // ColumnMetaData
                w.end_struct();  // ColumnChunk
            }
            w.field_i64(2, group.size);  // total_byte_size (uncompressed)
            w.field_i64(3, group.num_rows);
            w.field_i64(5, group.offset);  // file_offset
            w.field_i64(6, group.size);    // total_compressed_size
            w.end_struct();
        }
        if (!metadata.empty()) {
            w.begin_list_field(5, compact_struct, metadata.size());  // key_value_metadata
            for (const auto& [key, value] : metadata) {
                w.begin_struct();  // KeyValue
                w.field_binary(1, key);
                w.field_binary(2, value);
                w.end_struct();
            }
        }
        w.field_binary(6, created_by);
        // column_orders: TYPE_ORDER for every column; without it min_value/max_value have no defined meaning.
        w.begin_list_field(7, compact_struct, columns.size());
        for (std::size_t i = 0; i < columns.size(); ++i) {
            w.begin_struct();           // ColumnOrder union
            w.begin_struct_field(1);    // TYPE_ORDER: TypeDefinedOrder {}
            w.end_struct();
            w.end_struct();
        }
        out.push_back(0);  // FileMetaData STOP
        return out;
    }

    // Runs a step that produces bytes; if it throws, the writer is unusable from then on.
    template <typename Step>
    void producing(Step&& step)
    {
        try {
            step();
        } catch (...) {
            broken = true;
            throw;
        }
    }
};

Writer::Writer(std::vector<Column> columns, Sink sink, std::size_t rows_per_group) : state_(std::make_unique<State>())
{
    if (columns.empty()) throw Error(ErrorKind::internal, "parquet: a file needs at least one column");
    if (!sink) throw Error(ErrorKind::internal, "parquet: no sink");
    if (rows_per_group == 0) throw Error(ErrorKind::internal, "parquet: rows_per_group must be at least 1");
    if (columns.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max() - 1)) {
        throw Error(ErrorKind::internal, "parquet: too many columns");
    }
    std::unordered_set<std::string> names;
    for (const Column& column : columns) {
        if (column.name.empty() || !is_utf8(column.name)) {
            throw Error(ErrorKind::internal, "parquet: a column name must be non-empty UTF-8");
        }
        if (!names.insert(column.name).second) {
            throw Error(ErrorKind::internal, "parquet: duplicate column name \"" + column.name + "\"");
        }
        physical_type(column.type);  // rejects an out-of-range enum value
    }
    state_->buffers.resize(columns.size());
    state_->columns = std::move(columns);
    state_->sink = std::move(sink);
    state_->rows_per_group = rows_per_group;
}

Writer::~Writer() = default;

void Writer::add_int64(std::int64_t value) { state_->add_int64_value(Type::int64, "add_int64", value); }

void Writer::add_timestamp_us(std::int64_t microseconds_since_epoch)
{
    state_->add_int64_value(Type::timestamp_us, "add_timestamp_us", microseconds_since_epoch);
}

void Writer::add_float64(double value)
{
    State& s = *state_;
    ColumnBuffer& buffer = s.expect(Type::float64, "add_float64");
    s.producing([&] {
        buffer.values += plain_double(value);
        Extremes& e = buffer.extremes;
        if (std::isnan(value)) {
            ++buffer.nan_count;
        } else {
            if (!e.seen || value < e.min_double) e.min_double = value;
            if (!e.seen || value > e.max_double) e.max_double = value;
            e.seen = true;
        }
        s.after_value(buffer, false);
    });
}

void Writer::add_boolean(bool value)
{
    State& s = *state_;
    ColumnBuffer& buffer = s.expect(Type::boolean, "add_boolean");
    s.producing([&] {
        const std::size_t bit = buffer.page_non_null % 8;
        if (bit == 0) buffer.values.push_back(0);
        if (value) {
            const auto byte = static_cast<unsigned char>(buffer.values.back());
            buffer.values.back() = static_cast<char>(byte | (1u << bit));
        }
        Extremes& e = buffer.extremes;
        if (!e.seen) {
            e.min_bool = e.max_bool = value;
        } else {
            e.min_bool = e.min_bool && value;
            e.max_bool = e.max_bool || value;
        }
        e.seen = true;
        s.after_value(buffer, false);
    });
}

void Writer::add_string(std::string_view utf8)
{
    State& s = *state_;
    ColumnBuffer& buffer = s.expect(Type::string, "add_string");
    if (utf8.size() > max_value_bytes) {
        throw Error(ErrorKind::limit_exceeded, "parquet: a string value over " + std::to_string(max_value_bytes) +
                                                   " bytes in column \"" + s.columns[s.next_column].name + "\"");
    }
    if (!is_utf8(utf8)) {
        throw Error(ErrorKind::internal,
                    "parquet: a string that is not valid UTF-8 in column \"" + s.columns[s.next_column].name + "\"");
    }
    s.producing([&] {
        append_u32_le(buffer.values, static_cast<std::uint32_t>(utf8.size()));
        buffer.values.append(utf8.data(), utf8.size());
        Extremes& e = buffer.extremes;
        // std::string_view compares as unsigned char: byte-wise unsigned order, as Parquet defines for UTF-8.
        if (!e.seen || utf8 < std::string_view(e.min_string)) e.min_string.assign(utf8.data(), utf8.size());
        if (!e.seen || utf8 > std::string_view(e.max_string)) e.max_string.assign(utf8.data(), utf8.size());
        e.seen = true;
        s.after_value(buffer, false);
    });
}

void Writer::add_null()
{
    State& s = *state_;
    s.check_usable("add_null");
    if (s.next_column >= s.columns.size()) {
        throw Error(ErrorKind::internal, "parquet: add_null on a row that already has all " +
                                             std::to_string(s.columns.size()) + " values (call end_row())");
    }
    if (!s.columns[s.next_column].nullable) {
        throw Error(ErrorKind::internal, "parquet: null in required column \"" + s.columns[s.next_column].name + "\"");
    }
    ColumnBuffer& buffer = s.buffers[s.next_column];
    s.producing([&] { s.after_value(buffer, true); });
}

void Writer::end_row()
{
    State& s = *state_;
    s.check_usable("end_row");
    if (s.next_column != s.columns.size()) {
        throw Error(ErrorKind::internal, "parquet: end_row after " + std::to_string(s.next_column) + " of " +
                                             std::to_string(s.columns.size()) + " values");
    }
    s.next_column = 0;
    ++s.group_rows;
    ++s.rows;
    if (s.group_rows >= s.rows_per_group) s.producing([&] { s.flush_row_group(); });
}

void Writer::add_metadata(std::string key, std::string value)
{
    State& s = *state_;
    s.check_usable("add_metadata");
    if (!is_utf8(key) || !is_utf8(value)) {
        throw Error(ErrorKind::internal, "parquet: key-value metadata must be UTF-8 (Thrift strings)");
    }
    // A key given again replaces its value: readers disagree on which of two equal keys wins.
    for (auto& entry : s.metadata) {
        if (entry.first == key) {
            entry.second = std::move(value);
            return;
        }
    }
    s.metadata.emplace_back(std::move(key), std::move(value));
}

void Writer::finish()
{
    State& s = *state_;
    s.check_usable("finish");
    if (s.next_column != 0) {
        throw Error(ErrorKind::internal, "parquet: finish in the middle of a row (" + std::to_string(s.next_column) +
                                             " of " + std::to_string(s.columns.size()) + " values)");
    }
    s.producing([&] {
        s.flush_row_group();
        s.emit_magic_once();
        std::string tail = s.footer();
        if (tail.size() > std::numeric_limits<std::uint32_t>::max()) {
            throw Error(ErrorKind::limit_exceeded, "parquet: file metadata over 4 GiB");
        }
        append_u32_le(tail, static_cast<std::uint32_t>(tail.size()));
        tail += magic;
        s.emit(tail.data(), tail.size());
        s.finished = true;
    });
}

std::size_t Writer::rows_written() const noexcept { return state_->rows; }

}  // namespace costsim::parquet
