#pragma once

#include <QtGlobal>

#include <memory>
#include <vector>

namespace es {

// A column of 64-bit integers that mostly rise by small steps (positions, versions, times in ms), kept in about
// one or two bytes a value: in blocks of 64, each block a full first value and the steps after it as zigzag
// varints (steps wrap around, so any values fit). The bytes live in pages that never move (1 KB, doubling up to
// 64 KB), so the column grows without the copy (and the double peak) of a growing std::vector. Reading value i decodes
// at most 63 steps; scanning a range decodes each once. Append-only; not thread-safe while it grows, safe to read from
// any thread once complete.
class PackedColumn {
public:
    static constexpr int blockSize = 64;

    void append(qint64 value);
    // Room in the block table for n values (the pages grow on their own without copying).
    void reserve(qint64 n) { m_blocks.reserve(std::size_t((n + blockSize - 1) / blockSize)); }
    qint64 size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    qint64 at(qint64 index) const;
    qint64 back() const { return m_last; }
    // For a column that never falls: the number of values <= value (std::upper_bound as an index).
    qint64 upperBound(qint64 value) const;
    // Calls f(index, value) for the values [from, to).
    template <typename F> void scan(qint64 from, qint64 to, F&& f) const;
    // Bytes held: pages, block table and the object.
    qint64 bytes() const;

private:
    static constexpr int firstPageBytes = 1024;
    static constexpr int maxPageBytes = 64 * 1024;
    static constexpr int maxBlockBytes = (blockSize - 1) * 10;
    struct Block {
        qint64 first;
        quint32 page;
        quint32 offset;
    };
    const quint8* blockData(const Block& b) const { return m_pages[b.page].get() + b.offset; }
    static qint64 decodeStep(const quint8*& p);

    std::vector<std::unique_ptr<quint8[]>> m_pages;
    std::vector<Block> m_blocks;
    int m_pageSize = 0; // of the last page
    int m_pageUsed = 0; // bytes used in the last page
    qint64 m_pageBytes = 0; // all pages
    qint64 m_size = 0;
    qint64 m_last = 0;
};

inline qint64 PackedColumn::decodeStep(const quint8*& p)
{
    quint64 z = 0;
    int shift = 0;
    while (true) {
        const quint8 byte = *p++;
        z |= quint64(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
        shift += 7;
    }
    return qint64((z >> 1) ^ (0 - (z & 1)));
}

template <typename F> void PackedColumn::scan(qint64 from, qint64 to, F&& f) const
{
    from = qMax<qint64>(0, from);
    to = qMin(to, m_size);
    while (from < to) {
        const Block& b = m_blocks[std::size_t(from / blockSize)];
        const qint64 blockStart = from / blockSize * blockSize;
        const qint64 blockEnd = qMin(to, blockStart + blockSize);
        const quint8* p = blockData(b);
        qint64 value = b.first;
        for (qint64 i = blockStart; i < blockEnd; ++i) {
            if (i > blockStart)
                value = qint64(quint64(value) + quint64(decodeStep(p)));
            if (i >= from)
                f(i, value);
        }
        from = blockEnd;
    }
}

// Event type ids: one byte each while a stream has at most 256 types, two bytes from the 257th on.
class TypeIdColumn {
public:
    void reserve(qint64 n) { m_narrow.reserve(std::size_t(n)); }
    void append(quint16 id);
    qint64 size() const { return m_wide.empty() ? qint64(m_narrow.size()) : qint64(m_wide.size()); }
    int at(qint64 index) const { return m_wide.empty() ? m_narrow[std::size_t(index)] : m_wide[std::size_t(index)]; }
    qint64 bytes() const { return qint64(m_narrow.capacity() + m_wide.capacity() * 2); }

private:
    std::vector<quint8> m_narrow;
    std::vector<quint16> m_wide;
};

} // namespace es
