// The payload shape scanners: ShapeCompiler (a JSON payload compiled to the object literal a JS fold rebuilds it
// from) and isJsonText (the fast scan that decides whether a payload is JSON). Oracles: the fast scan agrees with
// the full parser (isValidJson); a payload the compiler accepts is JSON, and its literal, with the numbers and
// strings put back in, is the same JSON value.
#include "core/payload.h"
#include "core/rawevent.h"
#include "fold/js/shapecompiler.h"
#include "fuzz.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <vector>

namespace {

// Numbers as doubles, as JSON.parse and the fold's number column read them (QJsonValue keeps a 64-bit integer
// exact, and 7777777777777777771 then differs from the double it reads as).
QJsonValue asDoubles(const QJsonValue& v)
{
    if (v.isDouble())
        return QJsonValue(v.toDouble());
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue& item : v.toArray())
            out.append(asDoubles(item));
        return out;
    }
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject in = v.toObject();
        for (auto it = in.begin(); it != in.end(); ++it)
            out.insert(it.key(), asDoubles(it.value()));
        return out;
    }
    return v;
}

QJsonValue parseValue(const QByteArray& json)
{
    const QJsonDocument doc = QJsonDocument::fromJson("[" + json + "]");
    return doc.isArray() && doc.array().size() == 1 ? asDoubles(doc.array().at(0)) : QJsonValue(QJsonValue::Undefined);
}

// The literal with n[i+K] and s[j+K] replaced by the K-th number and string: JSON again.
QByteArray substitute(const QByteArray& code, const std::vector<double>& numbers, const QJsonArray& strings)
{
    QByteArray out;
    qsizetype at = 0;
    while (at < code.size()) {
        const bool number = code.mid(at, 4) == "n[i+";
        const bool string = code.mid(at, 4) == "s[j+";
        if (!number && !string) {
            // Copy a string token (a key) whole, so that "n[i+" inside a key is not taken for a reference.
            if (code[at] == '"') {
                const qsizetype start = at++;
                while (at < code.size() && code[at] != '"')
                    at += code[at] == '\\' ? 2 : 1;
                out.append(code.mid(start, ++at - start));
                continue;
            }
            out.append(code[at++]);
            continue;
        }
        at += 4;
        const qsizetype close = code.indexOf(']', at);
        FUZZ_CHECK(close > at);
        bool ok = false;
        const int index = code.mid(at, close - at).toInt(&ok);
        FUZZ_CHECK(ok);
        at = close + 1;
        if (number) {
            FUZZ_CHECK(index >= 0 && std::size_t(index) < numbers.size());
            out.append(QByteArray::number(numbers[std::size_t(index)], 'g', 17));
        } else {
            FUZZ_CHECK(index >= 0 && index < strings.size());
            const QByteArray one = QJsonDocument(QJsonArray { strings.at(index) }).toJson(QJsonDocument::Compact);
            out.append(one.mid(1, one.size() - 2));
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char*>(data), qsizetype(size));
    // Payloads reach both scanners only as UTF-8 (an engine calls other bytes binary first).
    if (!es::isValidUtf8(input))
        return 0;
    const bool json = es::isValidJson(input);
    FUZZ_CHECK(es::isJsonText(input) == json);

    QByteArray code;
    std::vector<double> numbers;
    QByteArray strings("[");
    es::ShapeCompiler compiler(input, code, numbers, strings);
    if (!compiler.compile())
        return 0;
    FUZZ_CHECK(json);
    strings.append(']');
    const QJsonDocument stringDoc = QJsonDocument::fromJson(strings);
    FUZZ_CHECK(stringDoc.isArray());
    FUZZ_CHECK(stringDoc.array().size() == compiler.stringCount());
    FUZZ_CHECK(int(numbers.size()) == compiler.numberCount());
    const QJsonValue rebuilt = parseValue(substitute(code, numbers, stringDoc.array()));
    FUZZ_CHECK(!rebuilt.isUndefined());
    FUZZ_CHECK(rebuilt == parseValue(input.trimmed()));
    return 0;
}
