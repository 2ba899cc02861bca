#pragma once

#include <QByteArray>

#include <exception>

namespace es::cli {

// Thrown when the reader of our output went away (e.g. `| head`); not an error for the user.
struct OutputClosed : std::exception {
    const char* what() const noexcept override { return "output closed"; }
};

// Buffered writes to a file descriptor in large blocks: exports of millions of lines spend their time in the
// store, not in write(2). SIGPIPE must be ignored by the caller so a closed pipe surfaces as EPIPE.
class OutputWriter {
public:
    explicit OutputWriter(int fd = 1, qsizetype blockSize = 1 << 20);
    ~OutputWriter();
    OutputWriter(const OutputWriter&) = delete;
    OutputWriter& operator=(const OutputWriter&) = delete;

    void write(const QByteArray& bytes);
    void write(const char* text);
    void line(const QByteArray& bytes); // bytes and a newline
    void flush(); // throws OutputClosed
    // For writers that append in place (no temporary per line); maybeFlush() after each record.
    QByteArray& buffer() { return m_buffer; }
    void maybeFlush()
    {
        if (m_buffer.size() >= m_blockSize)
            flush();
    }

private:
    int m_fd;
    qsizetype m_blockSize;
    QByteArray m_buffer;
    bool m_closed = false;
};

} // namespace es::cli
