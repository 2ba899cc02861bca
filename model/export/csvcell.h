#pragma once

#include <QByteArray>

namespace es {

// One CSV cell as RFC 4180 writes it: quoted when it holds a quote, comma or line break, its quotes doubled. With
// neutralise, a cell a spreadsheet would run as a formula (first byte =, +, -, @, tab or CR) gets a leading
// apostrophe and quotes, OWASP's rule against CSV injection.
bool csvFormulaLike(const QByteArray& value);
void appendCsvCell(QByteArray& out, const QByteArray& value, bool neutralise);

} // namespace es
