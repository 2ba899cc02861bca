#pragma once

// A reading of JavaScript source as identifiers and punctuators: enough to tell what a reducer does with its events.

#include <QStringView>

#include <vector>

namespace es {

class JsSource {
public:
    struct Token {
        enum Kind { Identifier, Punctuator } kind;
        QStringView text;
    };

    // Reads `source`, which must outlive this object: the tokens are views into it.
    explicit JsSource(QStringView source);

    // False when the source holds something this reading cannot follow (an unterminated literal or comment, an
    // escaped identifier); the questions below then get their cautious answer.
    bool isReadable() const { return m_readable; }
    // Identifiers and punctuators, without comments, string and regular expression literals and numbers; each
    // substitution `${...}` of a template literal reads as code in parentheses.
    const std::vector<Token>& tokens() const { return m_tokens; }

    // True when the source names `this` (top-level `this` differs between a script and a function body).
    bool usesThis() const;
    // False when the source surely lets go of each event object once its handler returns: the event parameter is
    // only read as `e.property` (not assigned, not passed on, not captured by a nested function) and nothing reaches
    // arguments, eval, Function, bind/call/apply or classes. Anything this reading cannot follow counts as keeping.
    bool mayKeepEvents() const;

private:
    std::vector<Token> m_tokens;
    bool m_readable;
};

} // namespace es
