#pragma once

// Harnesses for the parsers and writers that take outside input. Each defines LLVMFuzzerTestOneInput; built with
// clang and EVENTSCOPE_FUZZ=ON they are libFuzzer targets, otherwise replay.cpp runs each over its seed corpus as a
// smoke test. A harness aborts (via FUZZ_CHECK) when an oracle fails, so both engines report it as a crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                                          \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "fuzz oracle failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__);                  \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
