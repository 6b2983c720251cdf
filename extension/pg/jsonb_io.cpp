#include "core/errors.hpp"
#include "core/json.hpp"

#include <cmath>
#include <limits>

#include "pg/boundary.hpp"
#include "pg/jsonb_io.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
}

namespace costsim::pg {
namespace {

// Everything below runs inside one pg_guard(): no object with a non-trivial destructor, no C++ exception.

Numeric numeric_of(double number, bool* out_of_range)
{
    constexpr double exact_integer_limit = 9007199254740992.0;  // 2^53
    if (std::nearbyint(number) == number && std::fabs(number) < exact_integer_limit)
        return int64_to_numeric(static_cast<int64>(number));
    char text[json::number_text_capacity];  // the longest number text is 25 characters: room for the NUL
    const std::size_t length = json::write_number(number, text);
    if (length == 0) {
        *out_of_range = true;
        return int64_to_numeric(0);
    }
    text[length] = '\0';
    return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text), ObjectIdGetDatum(InvalidOid),
                                               Int32GetDatum(-1)));
}

JsonbValue string_value(const std::string& text)
{
    JsonbValue value;
    value.type = jbvString;
    value.val.string.len = static_cast<int>(text.size());
    value.val.string.val = const_cast<char*>(text.data());
    return value;
}

JsonbValue* push(JsonbParseState** state, const json::Value& value, JsonbIteratorToken token, bool* out_of_range)
{
    JsonbValue scalar;
    switch (value.kind()) {
    case json::Kind::object:
        pushJsonbValue(state, WJB_BEGIN_OBJECT, nullptr);
        for (const json::Member& member : value.as_object()) {
            JsonbValue key = string_value(member.first);
            pushJsonbValue(state, WJB_KEY, &key);
            push(state, member.second, WJB_VALUE, out_of_range);
        }
        return pushJsonbValue(state, WJB_END_OBJECT, nullptr);
    case json::Kind::array:
        pushJsonbValue(state, WJB_BEGIN_ARRAY, nullptr);
        for (const json::Value& element : value.as_array()) push(state, element, WJB_ELEM, out_of_range);
        return pushJsonbValue(state, WJB_END_ARRAY, nullptr);
    case json::Kind::string:
        scalar = string_value(value.as_string());
        break;
    case json::Kind::number:
        scalar.type = jbvNumeric;
        scalar.val.numeric = numeric_of(value.as_number(), out_of_range);
        break;
    case json::Kind::boolean:
        scalar.type = jbvBool;
        scalar.val.boolean = value.as_bool();
        break;
    case json::Kind::null:
        scalar.type = jbvNull;
        break;
    }
    return pushJsonbValue(state, token, &scalar);
}

}  // namespace

char* jsonb_text(Datum jsonb)
{
    Jsonb* value = DatumGetJsonbP(jsonb);
    return JsonbToCString(nullptr, &value->root, VARSIZE(value));
}

Datum jsonb_from_text(const char* text) { return DirectFunctionCall1(jsonb_in, CStringGetDatum(text)); }

Datum to_jsonb(const json::Value& value)
{
    if (!value.is_object() && !value.is_array()) throw Error(ErrorKind::internal, "to_jsonb: not an object or array");
    Jsonb* result = nullptr;
    bool out_of_range = false;
    pg_guard([&] {
        JsonbParseState* state = nullptr;
        JsonbValue* built = push(&state, value, WJB_ELEM, &out_of_range);
        result = JsonbValueToJsonb(built);
    });
    if (out_of_range) throw Error(ErrorKind::invalid_input, "number out of range");
    return JsonbPGetDatum(result);
}

}  // namespace costsim::pg
