// Filter conditions typed by the user: parsing never crashes, and a parsed condition written back by toString()
// parses to the same condition (quotes, dots, brackets and backslashes in keys and values survive).
#include "core/eventfilter.h"
#include "fuzz.h"

namespace {

bool same(const es::JsonCondition& a, const es::JsonCondition& b)
{
    return a.field == b.field && a.path == b.path && a.op == b.op && a.value.isNull() == b.value.isNull()
        && (a.value.isNull() || a.value.toString() == b.value.toString());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    std::vector<es::JsonCondition> conditions;
    QString error;
    if (!es::EventFilter::parseConditions(text, &conditions, &error)) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    for (const es::JsonCondition& c : conditions) {
        const QString written = c.toString();
        QString again;
        const std::optional<es::JsonCondition> reparsed = es::JsonCondition::parse(written, &again);
        if (!reparsed)
            std::fprintf(stderr, "written: %s\nerror: %s\n", qPrintable(written), qPrintable(again));
        FUZZ_CHECK(reparsed.has_value());
        if (!same(c, *reparsed))
            std::fprintf(stderr, "written: %s\nread back: %s\n", qPrintable(written), qPrintable(reparsed->toString()));
        FUZZ_CHECK(same(c, *reparsed));
        (void)c.sqlitePath();
    }
    return 0;
}
