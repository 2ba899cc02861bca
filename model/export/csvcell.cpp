#include "export/csvcell.h"

namespace es {

namespace {

void appendEscaped(QByteArray& out, const QByteArray& value)
{
    qsizetype run = 0;
    for (qsizetype i = 0; i < value.size(); ++i) {
        if (value[i] == '"') {
            out.append(value.constData() + run, i - run + 1).append('"');
            run = i + 1;
        }
    }
    out.append(value.constData() + run, value.size() - run);
}

} // namespace

bool csvFormulaLike(const QByteArray& value)
{
    if (value.isEmpty())
        return false;
    const char c = value.front();
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

void appendCsvCell(QByteArray& out, const QByteArray& value, bool neutralise)
{
    if (neutralise && csvFormulaLike(value)) {
        out.append("\"'");
        appendEscaped(out, value);
        out.append('"');
        return;
    }
    bool quote = false;
    for (const char c : value) {
        if (c == '"' || c == ',' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out.append(value);
        return;
    }
    out.append('"');
    appendEscaped(out, value);
    out.append('"');
}

} // namespace es
