// A file made in memory as a bytea, for a function that returns one.
#pragma once

#include "core/errors.hpp"

#include <cstddef>
#include <cstring>
#include <new>

#include "pg/boundary.hpp"

extern "C" {
#include "postgres.h"

#include "utils/memutils.h"
}

namespace costsim::pg {

// A bytea grown in place, at most 1 GB (beyond: Error(limit_exceeded) with the message given). It lives in the
// memory context given — the function's, not SPI's, which SPI_finish deletes — so an error frees it with that
// context. C++ phase: allocation failures are std::bad_alloc.
class ByteaBuffer {
public:
    // The largest content a bytea can have.
    static constexpr std::size_t limit = MaxAllocSize - VARHDRSZ;

    ByteaBuffer(const char* too_large, MemoryContext context) : context_(context), too_large_(too_large) {}

    // Room for `bytes` in one allocation (a file whose size is known).
    void reserve(std::size_t bytes)
    {
        if (bytes > capacity_) resize(bytes);
    }
    void append(const char* data, std::size_t size)
    {
        if (size_ + size > capacity_) grow(size_ + size);
        memcpy(VARDATA(buffer_) + size_, data, size);
        size_ += size;
    }
    std::size_t size() const noexcept { return size_; }
    bytea* finish()
    {
        if (!buffer_) resize(0);
        SET_VARSIZE(buffer_, VARHDRSZ + size_);
        return buffer_;
    }

private:
    void grow(std::size_t needed)
    {
        if (needed > limit) throw Error(ErrorKind::limit_exceeded, too_large_);
        std::size_t capacity = capacity_ ? capacity_ : 64 * 1024;
        while (capacity < needed) capacity *= 2;
        resize(capacity > limit ? limit : capacity);
    }
    void resize(std::size_t capacity)
    {
        if (capacity > limit) throw Error(ErrorKind::limit_exceeded, too_large_);
        auto* bigger = static_cast<bytea*>(
            MemoryContextAllocExtended(context_, VARHDRSZ + capacity, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM));
        if (!bigger) throw std::bad_alloc();
        if (buffer_) {
            memcpy(VARDATA(bigger), VARDATA(buffer_), size_);
            pfree(buffer_);
        }
        buffer_ = bigger;
        capacity_ = capacity;
    }

    MemoryContext context_;
    const char* too_large_;
    bytea* buffer_ = nullptr;
    std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace costsim::pg
