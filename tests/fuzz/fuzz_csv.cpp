// The CSV cell writer: any bytes written as a row read back cell for cell by a strict RFC 4180 reader, and with
// neutralising on no cell a spreadsheet reads starts a formula.
#include "export/csvcell.h"
#include "fuzz.h"

#include <QList>

namespace {

// A strict reader of one record: fails (returns false) on anything RFC 4180 does not allow.
bool readRecord(const QByteArray& text, QList<QByteArray>* cells)
{
    qsizetype i = 0;
    for (;;) {
        QByteArray cell;
        if (i < text.size() && text[i] == '"') {
            ++i;
            for (;;) {
                if (i >= text.size())
                    return false;
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        cell.append('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                cell.append(text[i++]);
            }
        } else {
            while (i < text.size() && text[i] != ',' && !(text[i] == '\r' && text.mid(i, 2) == "\r\n")) {
                if (text[i] == '"' || text[i] == '\n' || text[i] == '\r')
                    return false;
                cell.append(text[i++]);
            }
        }
        cells->append(cell);
        if (i < text.size() && text[i] == ',') {
            ++i;
            continue;
        }
        return text.mid(i) == "\r\n";
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const bool neutralise = data[0] & 1;
    const QList<QByteArray> values
        = QByteArray(reinterpret_cast<const char*>(data + 1), qsizetype(size - 1)).split('\x1f');
    QByteArray row;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            row.append(',');
        es::appendCsvCell(row, values[i], neutralise);
    }
    row.append("\r\n");
    QList<QByteArray> cells;
    FUZZ_CHECK(readRecord(row, &cells));
    FUZZ_CHECK(cells.size() == values.size());
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (neutralise && es::csvFormulaLike(values[i])) {
            FUZZ_CHECK(cells[i] == "'" + values[i]);
        } else {
            FUZZ_CHECK(cells[i] == values[i]);
        }
        if (neutralise)
            FUZZ_CHECK(!es::csvFormulaLike(cells[i]));
    }
    return 0;
}
