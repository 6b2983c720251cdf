// Writing as a table's owner: the extension's tables are written only by its functions, and callers hold no
// write privilege on them.
#pragma once

extern "C" {
#include "postgres.h"
}

namespace costsim::pg {

struct SavedUser {
    Oid user;
    int security_context;
};

// C phase: makes the owner of the table costsim.<table> the current user (a restricted, local change) and returns
// what to restore. An error before restore_user() aborts the (sub)transaction, which restores the user itself.
SavedUser become_owner_of(const char* table);
void restore_user(const SavedUser& saved);

}  // namespace costsim::pg
