#pragma once

#include "manpage.h"

#include <QString>

namespace es::docgen {

// Completion scripts for a program with sub-commands, from the same ProgramDoc the man page is made from: commands,
// then each command's options; files where a value or argument names a file or a store.
QString bashCompletion(const ProgramDoc& program);
QString zshCompletion(const ProgramDoc& program);

// Whether a value or argument called name is completed as a file name (FILE, STORE, PATH ...).
bool completesFiles(const QString& name);

} // namespace es::docgen
