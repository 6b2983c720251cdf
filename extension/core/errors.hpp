// The errors the core raises. The pg layer maps each kind to one SQLSTATE (see extension/pg/boundary.hpp).
#pragma once
#include "core/no_postgres.hpp"

#include <stdexcept>
#include <string>

namespace costsim {

enum class ErrorKind {
    invalid_input,   // bad caller input: SQLSTATE 22023 invalid_parameter_value
    limit_exceeded,  // input over a configured limit: SQLSTATE 54000 program_limit_exceeded
    internal,        // a bug or an impossible state: SQLSTATE XX000
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

// Bad input at a JSON path such as "plan[3].iterations": the message names the step and the field.
inline Error invalid_input(const std::string& path, const std::string& problem)
{
    return Error(ErrorKind::invalid_input, path.empty() ? problem : path + ": " + problem);
}

}  // namespace costsim
