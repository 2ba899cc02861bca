#pragma once

namespace es {

// The SQLite side of case files (model/casefile/casefile.h, docs/CASEFILE.md): adds the case tables to a finished
// "sqlite" export, and reads them back from a case file opened read-only.
struct SqliteCaseFile {
    static void registerEngine();
};

} // namespace es
