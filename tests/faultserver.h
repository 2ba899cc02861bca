#pragma once

// A TCP endpoint on 127.0.0.1 for fault tests, a real listening socket: every connection is accepted; while the
// server is silent a connection is held open and never written to (a hung server, a cancel request nobody answers),
// otherwise it is relayed to 127.0.0.1:targetPort (a real PostgreSQL server) byte for byte.

#include <QtGlobal>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace es::test {

class TcpFaultServer {
public:
    // targetPort 0: always silent.
    explicit TcpFaultServer(quint16 targetPort = 0)
        : m_target(targetPort)
        , m_silent(targetPort == 0)
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof a;
        if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr*>(&a), size) != 0 || ::listen(m_listen, 64) != 0
            || ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &size) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        m_port = ntohs(a.sin_port);
        m_acceptor = std::thread([this] { acceptLoop(); });
    }
    ~TcpFaultServer()
    {
        m_stop = true;
        m_acceptor.join();
        {
            std::lock_guard lock(m_mutex);
            for (int fd : m_fds)
                ::shutdown(fd, SHUT_RDWR);
        }
        for (std::thread& t : m_relays)
            t.join();
        for (int fd : m_fds)
            ::close(fd);
        ::close(m_listen);
    }
    TcpFaultServer(const TcpFaultServer&) = delete;
    TcpFaultServer& operator=(const TcpFaultServer&) = delete;

    quint16 port() const { return m_port; }
    // For connections accepted from now on.
    void setSilent(bool silent) { m_silent = silent; }
    int accepted() const { return m_accepted; }

    // Whether 127.0.0.1:port accepts TCP connections.
    static bool reachable(quint16 port)
    {
        const int fd = connectTo(port);
        if (fd < 0)
            return false;
        ::close(fd);
        return true;
    }

private:
    static int connectTo(quint16 port)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
            return fd;
        if (fd >= 0)
            ::close(fd);
        return -1;
    }

    void keep(int fd)
    {
        std::lock_guard lock(m_mutex);
        m_fds.push_back(fd);
    }

    void acceptLoop()
    {
        while (!m_stop) {
            pollfd p { m_listen, POLLIN, 0 };
            if (::poll(&p, 1, 100) <= 0)
                continue;
            const int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            ++m_accepted;
            keep(client);
            if (m_silent)
                continue;
            const int upstream = connectTo(m_target);
            if (upstream < 0) {
                ::shutdown(client, SHUT_RDWR);
                continue;
            }
            keep(upstream);
            m_relays.emplace_back([this, client, upstream] { relay(client, upstream); });
        }
    }

    void relay(int a, int b)
    {
        char buffer[65536];
        while (!m_stop) {
            pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
            if (::poll(p, 2, 100) <= 0)
                continue;
            for (int i = 0; i < 2; ++i) {
                if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                const ssize_t n = ::read(p[i].fd, buffer, sizeof buffer);
                if (n <= 0 || !writeAll(p[1 - i].fd, buffer, size_t(n))) {
                    ::shutdown(a, SHUT_RDWR);
                    ::shutdown(b, SHUT_RDWR);
                    return;
                }
            }
        }
    }

    static bool writeAll(int fd, const char* data, size_t size)
    {
        while (size > 0) {
            const ssize_t n = ::write(fd, data, size);
            if (n <= 0)
                return false;
            data += n;
            size -= size_t(n);
        }
        return true;
    }

    quint16 m_target;
    int m_listen = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_silent;
    std::atomic<bool> m_stop { false };
    std::atomic<int> m_accepted { 0 };
    std::mutex m_mutex;
    std::vector<int> m_fds;
    std::thread m_acceptor;
    std::vector<std::thread> m_relays; // touched by the acceptor only, joined after it
};

} // namespace es::test
