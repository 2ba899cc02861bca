#include "outputwriter.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace es::cli {

OutputWriter::OutputWriter(int fd, qsizetype blockSize)
    : m_fd(fd)
    , m_blockSize(blockSize)
{
    m_buffer.reserve(blockSize + 4096);
}

OutputWriter::~OutputWriter()
{
    try {
        flush();
    } catch (...) {
        // Nothing can be reported about output that cannot be written.
    }
}

void OutputWriter::write(const QByteArray& bytes)
{
    m_buffer.append(bytes);
    if (m_buffer.size() >= m_blockSize)
        flush();
}

void OutputWriter::write(const char* text)
{
    m_buffer.append(text);
    if (m_buffer.size() >= m_blockSize)
        flush();
}

void OutputWriter::line(const QByteArray& bytes)
{
    m_buffer.append(bytes).append('\n');
    if (m_buffer.size() >= m_blockSize)
        flush();
}

void OutputWriter::flush()
{
    if (m_closed) {
        m_buffer.clear();
        throw OutputClosed();
    }
    const char* p = m_buffer.constData();
    qsizetype left = m_buffer.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, static_cast<size_t>(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int error = errno;
            m_closed = true;
            m_buffer.clear();
            if (error == EPIPE)
                throw OutputClosed();
            throw std::runtime_error(std::string("cannot write the output: ") + std::strerror(error));
        }
        p += n;
        left -= n;
    }
    m_buffer.clear();
}

} // namespace es::cli
