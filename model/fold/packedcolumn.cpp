#include "fold/packedcolumn.h"

namespace es {

void PackedColumn::append(qint64 value)
{
    if (m_size % blockSize == 0) {
        // A block never spans two pages, so reading one needs no bounds check.
        if (m_pageUsed + maxBlockBytes > m_pageSize) {
            m_pageSize = m_pages.empty() ? firstPageBytes : qMin(maxPageBytes, m_pageSize * 2);
            m_pages.push_back(std::make_unique<quint8[]>(std::size_t(m_pageSize)));
            m_pageBytes += m_pageSize;
            m_pageUsed = 0;
        }
        m_blocks.push_back({ value, quint32(m_pages.size() - 1), quint32(m_pageUsed) });
    } else {
        const quint64 step = quint64(value) - quint64(m_last);
        quint64 z = (step << 1) ^ (0 - (step >> 63));
        quint8* p = m_pages.back().get() + m_pageUsed;
        while (z >= 0x80) {
            *p++ = quint8(z) | 0x80;
            z >>= 7;
        }
        *p++ = quint8(z);
        m_pageUsed = int(p - m_pages.back().get());
    }
    m_last = value;
    ++m_size;
}

qint64 PackedColumn::at(qint64 index) const
{
    const Block& b = m_blocks[std::size_t(index / blockSize)];
    const quint8* p = blockData(b);
    qint64 value = b.first;
    for (qint64 n = index % blockSize; n > 0; --n)
        value = qint64(quint64(value) + quint64(decodeStep(p)));
    return value;
}

qint64 PackedColumn::upperBound(qint64 value) const
{
    // The last block whose first value is <= value, then within it.
    qint64 lo = 0;
    qint64 hi = qint64(m_blocks.size());
    while (lo < hi) {
        const qint64 mid = (lo + hi) / 2;
        if (m_blocks[std::size_t(mid)].first <= value)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    const qint64 block = lo - 1;
    qint64 count = block * blockSize;
    scan(block * blockSize, qMin(m_size, (block + 1) * blockSize), [&](qint64 i, qint64 v) {
        if (v <= value)
            count = i + 1;
    });
    return count;
}

qint64 PackedColumn::bytes() const
{
    return m_pageBytes + qint64(m_blocks.capacity() * sizeof(Block)) + qint64(m_pages.capacity() * sizeof(void*))
        + qint64(sizeof(*this));
}

void TypeIdColumn::append(quint16 id)
{
    if (m_wide.empty() && id > 0xff) {
        m_wide.reserve(m_narrow.capacity());
        m_wide.assign(m_narrow.begin(), m_narrow.end());
        std::vector<quint8>().swap(m_narrow);
    }
    if (m_wide.empty())
        m_narrow.push_back(quint8(id));
    else
        m_wide.push_back(id);
}

} // namespace es
