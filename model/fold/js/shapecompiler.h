#pragma once

// Compiles a JSON payload into the JavaScript object literal (its shape) that rebuilds it from numbers and strings.

#include <QByteArray>

#include <vector>

namespace es {

// The literal reads the payload's k-th number as n[i+k] and its k-th string as s[j+k], so that one compiled shape
// serves every payload that differs only in its numbers and strings: {"a": 1, "b": ["x"]} becomes
// {"a":n[i+0],"b":[s[j+0]]}. Strings are copied as JSON string tokens, which are JavaScript string literals too.
class ShapeCompiler {
public:
    // Appends the literal to `code`, the payload's numbers to `numbers` and its string tokens to `strings`, the text
    // of a JSON array being built: a comma goes before each token once `strings` holds more than its opening '['.
    ShapeCompiler(const QByteArray& json, QByteArray& code, std::vector<double>& numbers, QByteArray& strings);

    // False when the payload is better parsed whole: not JSON, nested deeper than 16, a number out of double range,
    // a __proto__ key (a literal would set the prototype), a raw U+2028/U+2029 (JSON allows it in a string, JS
    // before ES2019 does not). On failure the outputs hold part of the payload: the caller truncates them.
    bool compile();
    int numberCount() const { return m_nums; }
    int stringCount() const { return m_strs; }

private:
    void skipSpace();
    bool stringToken(QByteArray& out);
    bool value(int depth);

    const char* m_p;
    const char* const m_end;
    QByteArray& m_code;
    std::vector<double>& m_numbers;
    QByteArray& m_strings;
    int m_nums = 0;
    int m_strs = 0;
};

} // namespace es
