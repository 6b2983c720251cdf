#include "core/utc_time.hpp"

#include <cstdio>

namespace costsim {
namespace {

// Days since 1970-01-01 to a proleptic Gregorian date (the usual era-based conversion).
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day)
{
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;
    day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

}  // namespace

std::string utc_timestamp(std::int64_t microseconds)
{
    constexpr std::int64_t per_day = 86400LL * 1000000LL;
    std::int64_t days = microseconds / per_day;
    std::int64_t rest = microseconds % per_day;
    if (rest < 0) {
        rest += per_day;
        --days;
    }
    std::int64_t year = 0;
    unsigned month = 0, day = 0;
    civil_from_days(days, year, month, day);
    const auto seconds_of_day = static_cast<unsigned>(rest / 1000000);
    const auto micros = static_cast<unsigned>(rest % 1000000);
    if (year < 0 || year > 9999) {  // outside ISO 8601's four digits: the rare, slow path
        char text[64];
        std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02u:%02u:%02u.%06uZ", static_cast<long long>(year), month,
                      day, seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60, micros);
        return text;
    }
    // "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", digit by digit (snprintf would be most of an export's formatting time).
    std::string text = "0000-00-00T00:00:00.000000Z";
    auto digits = [&text](std::size_t end, unsigned value, int count) {
        for (int i = 1; i <= count; ++i, value /= 10) text[end - i] = static_cast<char>('0' + value % 10);
    };
    digits(4, static_cast<unsigned>(year), 4);
    digits(7, month, 2);
    digits(10, day, 2);
    digits(13, seconds_of_day / 3600, 2);
    digits(16, seconds_of_day / 60 % 60, 2);
    digits(19, seconds_of_day % 60, 2);
    digits(26, micros, 6);
    return text;
}

}  // namespace costsim
