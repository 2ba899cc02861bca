#include "fold/mergereducer.h"

#include "core/jsonstrings_p.h"
#include "fold/js/jsreducer.h"

#include <cctype>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace es {

namespace {

// The merge state as a mutable tree. Only objects need structure (they merge); arrays and scalars are replaced
// whole, so they are kept as compact JSON text and never parsed into values. Keys keep their JSON escaping.
struct Node {
    struct Member;
    bool object = false;
    std::string raw; // compact JSON when !object
    std::vector<Member> members;

    Node* member(std::string_view key);
    void makeObject(); // defined once Member is complete (clang's libstdc++ checks need it)
    void write(std::string& out) const;
    // About the length of the node's compact JSON: what the memory budget counts.
    qint64 weight() const;
};

struct Node::Member {
    std::string key;
    Node value;
};

void Node::makeObject()
{
    if (!object) {
        object = true;
        raw.clear();
        members.clear();
    }
}

Node* Node::member(std::string_view key)
{
    for (auto& m : members) {
        if (m.key == key)
            return &m.value;
    }
    members.push_back({ std::string(key), {} });
    return &members.back().value;
}

qint64 Node::weight() const
{
    if (!object)
        return qint64(raw.size());
    qint64 bytes = 2;
    for (const auto& m : members)
        bytes += qint64(m.key.size()) + 4 + m.value.weight();
    return bytes;
}

void Node::write(std::string& out) const
{
    if (!object) {
        out += raw.empty() ? std::string_view("null") : std::string_view(raw);
        return;
    }
    out += '{';
    bool first = true;
    for (const auto& m : members) {
        if (!first)
            out += ',';
        first = false;
        out += '"';
        out += m.key;
        out += "\":";
        m.value.write(out);
    }
    out += '}';
}

// A validating scanner over UTF-8 JSON text that merges objects into a Node without building a document. Keeps
// *weight (the state's Node::weight()) up to date as it merges.
class Merger {
public:
    Merger(const char* begin, const char* end, qint64* weight = nullptr)
        : m_p(begin)
        , m_end(end)
        , m_weight(weight ? weight : &m_ownWeight)
    { }

    // Checks the whole text is one valid JSON value; nothing is changed.
    bool validate()
    {
        const char* save = m_p;
        ws();
        const bool ok = skipValue(0) && (ws(), m_p == m_end);
        m_p = save;
        return ok;
    }
    bool isObject()
    {
        ws();
        return m_p < m_end && *m_p == '{';
    }
    // Merges the (validated) value into target.
    void mergeInto(Node& target)
    {
        ws();
        mergeValue(target);
    }

private:
    void ws()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool skipString()
    {
        if (m_p >= m_end || *m_p != '"')
            return false;
        ++m_p;
        while (m_p < m_end) {
            const unsigned char c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c < 0x20)
                return false;
            if (c == '\\') {
                if (++m_p >= m_end)
                    return false;
                if (*m_p == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        if (++m_p >= m_end || !std::isxdigit(static_cast<unsigned char>(*m_p)))
                            return false;
                    }
                } else if (!std::strchr("\"\\/bfnrt", *m_p)) {
                    return false;
                }
            }
            ++m_p;
        }
        return false;
    }
    bool skipLiteral(std::string_view word)
    {
        if (std::size_t(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    }
    bool skipNumber()
    {
        const char* start = m_p;
        if (m_p < m_end && *m_p == '-')
            ++m_p;
        const char* digits = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        if (m_p == digits)
            return false;
        if (m_p < m_end && *m_p == '.') {
            const char* frac = ++m_p;
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
            if (m_p == frac)
                return false;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            const char* exp = m_p;
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
            if (m_p == exp)
                return false;
        }
        return m_p > start;
    }
    bool skipValue(int depth)
    {
        if (depth > 512 || m_p >= m_end)
            return false;
        switch (*m_p) {
        case '"':
            return skipString();
        case 't':
            return skipLiteral("true");
        case 'f':
            return skipLiteral("false");
        case 'n':
            return skipLiteral("null");
        case '{':
        case '[': {
            const char close = *m_p == '{' ? '}' : ']';
            const bool object = close == '}';
            ++m_p;
            ws();
            if (m_p < m_end && *m_p == close) {
                ++m_p;
                return true;
            }
            while (true) {
                if (object) {
                    if (!skipString())
                        return false;
                    ws();
                    if (m_p >= m_end || *m_p != ':')
                        return false;
                    ++m_p;
                    ws();
                }
                if (!skipValue(depth + 1))
                    return false;
                ws();
                if (m_p >= m_end)
                    return false;
                if (*m_p == ',') {
                    ++m_p;
                    ws();
                    continue;
                }
                if (*m_p != close)
                    return false;
                ++m_p;
                return true;
            }
        }
        default:
            return skipNumber();
        }
    }
    // Copies [from, to) without whitespace outside strings.
    static void compact(const char* from, const char* to, std::string& out)
    {
        out.clear();
        JsonStrings strings;
        const char* run = from;
        for (const char* p = from; p < to; ++p) {
            const char c = *p;
            if (strings.outside(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
                out.append(run, p - run);
                run = p + 1;
            }
        }
        out.append(run, to - run);
    }
    void mergeValue(Node& target)
    {
        if (m_p < m_end && *m_p == '{') {
            if (!target.object)
                *m_weight += 2 - qint64(target.raw.size());
            target.makeObject();
            ++m_p;
            ws();
            if (m_p < m_end && *m_p == '}') {
                ++m_p;
                return;
            }
            while (m_p < m_end) {
                const char* keyStart = m_p + 1;
                skipString();
                const std::string_view key(keyStart, std::size_t(m_p - 1 - keyStart));
                ws();
                ++m_p; // ':'
                ws();
                const std::size_t members = target.members.size();
                Node* child = target.member(key);
                if (target.members.size() != members)
                    *m_weight += qint64(key.size()) + 4;
                mergeValue(*child);
                ws();
                if (m_p < m_end && *m_p == ',') {
                    ++m_p;
                    ws();
                    continue;
                }
                ++m_p; // '}'
                return;
            }
            return;
        }
        const char* start = m_p;
        skipValue(0);
        *m_weight -= target.weight();
        target.object = false;
        target.members.clear();
        if (*start == '[' || *start == '"')
            compact(start, m_p, target.raw);
        else
            target.raw.assign(start, std::size_t(m_p - start));
        *m_weight += qint64(target.raw.size());
    }

    const char* m_p;
    const char* m_end;
    qint64 m_ownWeight = 0;
    qint64* m_weight;
};

class MergeFold : public Fold {
public:
    explicit MergeFold(MergeReducer::Mode mode)
        : m_mode(mode)
    {
        m_root.makeObject();
    }

    std::optional<ReducerError> reset() override
    {
        m_root = Node();
        m_root.makeObject();
        m_weight = m_root.weight();
        return std::nullopt;
    }

    QByteArray stateJson() override
    {
        m_buffer.clear();
        m_root.write(m_buffer);
        return QByteArray(m_buffer.data(), qsizetype(m_buffer.size()));
    }

    bool setStateJson(const QByteArray& json) override
    {
        Merger merger(json.constData(), json.constData() + json.size());
        if (!merger.validate() || !merger.isObject())
            return false;
        m_root = Node();
        m_root.makeObject();
        merger.mergeInto(m_root);
        m_weight = m_root.weight();
        return true;
    }

    bool setStopPredicate(const QString& source, ReducerError* error) override
    {
        m_predicate.reset();
        if (source.trimmed().isEmpty())
            return true;
        // The predicate runs in a JS fold with no handlers: the state is handed over, the event applied as a no-op.
        auto probe = std::make_unique<JsFold>();
        if (!probe->load(QStringLiteral("({})"), QStringLiteral("predicate"), error)
            || !probe->setStopPredicate(source, error))
            return false;
        m_predicate = std::move(probe);
        return true;
    }

    // The merge reads data and type only; a stop predicate may read metadata.
    bool readsMetadata() const override { return m_predicate && m_predicate->readsMetadata(); }

    FoldResult apply(const Event* events, qsizetype count) override
    {
        FoldResult result;
        for (qsizetype i = 0; i < count; ++i) {
            const Event& e = events[i];
            // The event after the one that took the state past the budget stops the fold: the state stays as of
            // the event before, as with any reducer error.
            if (m_memoryBudget > 0 && m_weight > m_memoryBudget) {
                ReducerError error = memoryError(m_weight);
                error.version = e.version;
                error.position = e.position;
                error.eventType = e.type;
                result.applied = i;
                result.error = std::move(error);
                return result;
            }
            if (auto error = applyOne(e)) {
                result.applied = i;
                result.error = std::move(error);
                return result;
            }
            if (m_predicate) {
                m_predicate->setStateJson(stateJson());
                const FoldResult probe = m_predicate->apply(&e, 1);
                if (probe.error) {
                    result.applied = i + 1;
                    result.error = probe.error;
                    return result;
                }
                if (probe.stopped) {
                    result.applied = i + 1;
                    result.stopped = true;
                    return result;
                }
            }
        }
        result.applied = count;
        return result;
    }

private:
    std::optional<ReducerError> applyOne(const Event& e)
    {
        const Payload& data = e.data;
        if (data.isNull())
            return std::nullopt;
        Node* target = &m_root;
        if (m_mode == MergeReducer::Mode::ByType)
            target = member(m_root, typeKey(e.type));
        if (data.isJson()) {
            Merger merger(data.bytes.constData(), data.bytes.constData() + data.bytes.size(), &m_weight);
            if (!merger.validate()) {
                ReducerError error;
                error.kind = ReducerError::Kind::BadPayload;
                error.message = QStringLiteral("the data is not valid JSON");
                error.version = e.version;
                error.position = e.position;
                error.eventType = e.type;
                return error;
            }
            if (!merger.isObject() && m_mode == MergeReducer::Mode::Flat)
                target = member(m_root, typeKey(e.type));
            merger.mergeInto(*target);
            return std::nullopt;
        }
        if (m_mode == MergeReducer::Mode::Flat)
            target = member(m_root, typeKey(e.type));
        QByteArray text;
        data.appendJson(text);
        m_weight -= target->weight();
        target->object = false;
        target->members.clear();
        target->raw.assign(text.constData(), std::size_t(text.size()));
        m_weight += text.size();
        return std::nullopt;
    }

    // The member of an object node, counted in the weight when it is new.
    Node* member(Node& node, std::string_view key)
    {
        const std::size_t members = node.members.size();
        Node* child = node.member(key);
        if (node.members.size() != members)
            m_weight += qint64(key.size()) + 4;
        return child;
    }

    std::string_view typeKey(const QString& type)
    {
        if (type != m_lastType) {
            m_lastType = type;
            QByteArray quoted;
            appendJsonString(quoted, type);
            m_lastTypeKey.assign(quoted.constData() + 1, std::size_t(quoted.size() - 2));
        }
        return m_lastTypeKey;
    }

    MergeReducer::Mode m_mode;
    Node m_root;
    qint64 m_weight = 2; // m_root.weight(), kept up to date
    std::string m_buffer;
    QString m_lastType;
    std::string m_lastTypeKey;
    std::unique_ptr<JsFold> m_predicate;
};

} // namespace

QString MergeReducer::name() const
{
    return m_mode == Mode::Flat ? QStringLiteral("merge") : QStringLiteral("merge by type");
}

std::unique_ptr<Fold> MergeReducer::createFold(ReducerError*) const
{
    return std::make_unique<MergeFold>(m_mode);
}

} // namespace es
