// BPF ring buffers (BPF_MAP_TYPE_RINGBUF, Linux 5.8+): the map, and a consumer that mmaps it,
// waits with epoll and hands each committed record to a callback. One consumer per ring buffer
// (the kernel keeps one consumer position).
#pragma once

#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/map.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

namespace ctbpf::sys {

// The ring buffer map. `size` is in bytes: a power of 2 and a multiple of the page size.
class ringbuf {
public:
    ringbuf() = default;
    static result<ringbuf> create(std::uint32_t size, const map_options& o = {}) {
        const auto page = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
        if (size < page || (size & (size - 1)) != 0)
            return make_error(EINVAL, "BPF_MAP_CREATE ringbuf",
                              "the size (" + std::to_string(size) + " bytes) must be a power of 2 and at least the page size (" +
                                  std::to_string(page) + ")");
        result<raw_map> m = raw_map::create(BPF_MAP_TYPE_RINGBUF, 0, 0, size, o);
        if (!m) return std::move(m).error();
        ringbuf r;
        r.m_ = std::move(m).value();
        return r;
    }
    static result<ringbuf> adopt(raw_map m) {
        if (m.type() != BPF_MAP_TYPE_RINGBUF) return make_error(EINVAL, m.what("ringbuf"), "not a ring buffer");
        ringbuf r;
        r.m_ = std::move(m);
        return r;
    }
    int fd() const noexcept { return m_.fd(); }
    std::uint32_t size() const noexcept { return m_.max_entries(); }
    const raw_map& raw() const noexcept { return m_; }

private:
    raw_map m_;
};

// Reads records from a ring buffer. The callback takes std::span<const std::byte> (valid during the
// call) and returns void, or bool: false stops consuming (the record counts as consumed).
class ringbuf_consumer {
public:
    ringbuf_consumer() = default;
    ringbuf_consumer(ringbuf_consumer&& o) noexcept { swap(o); }
    ringbuf_consumer& operator=(ringbuf_consumer&& o) noexcept {
        ringbuf_consumer t(std::move(o));
        swap(t);
        return *this;
    }
    ~ringbuf_consumer() { unmap(); }

    static result<ringbuf_consumer> create(const ringbuf& rb) {
        ringbuf_consumer c;
        c.map_fd_.reset(::fcntl(rb.fd(), F_DUPFD_CLOEXEC, 3));
        if (!c.map_fd_) return make_error(errno, "ring buffer consumer: dup");
        c.page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        c.size_ = rb.size();
        c.mask_ = c.size_ - 1;
        void* cons = ::mmap(nullptr, c.page_, PROT_READ | PROT_WRITE, MAP_SHARED, c.map_fd_.get(), 0);
        if (cons == MAP_FAILED) return make_error(errno, "ring buffer consumer: mmap of the consumer page");
        c.consumer_ = static_cast<unsigned char*>(cons);
        // The data area is mapped twice in a row, so a record that wraps around reads contiguously.
        void* prod = ::mmap(nullptr, c.page_ + 2 * c.size_, PROT_READ, MAP_SHARED, c.map_fd_.get(),
                            static_cast<off_t>(c.page_));
        if (prod == MAP_FAILED) return make_error(errno, "ring buffer consumer: mmap of the data pages");
        c.producer_ = static_cast<unsigned char*>(prod);
        c.epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (!c.epoll_) return make_error(errno, "ring buffer consumer: epoll_create1");
        epoll_event ev{};
        ev.events = EPOLLIN;
        if (::epoll_ctl(c.epoll_.get(), EPOLL_CTL_ADD, c.map_fd_.get(), &ev) < 0)
            return make_error(errno, "ring buffer consumer: epoll_ctl");
        return c;
    }

    // Waits up to timeout_ms (-1: forever, 0: not at all) for data, then consumes every committed
    // record. Returns the number of records handed to `fn`.
    template <class Fn>
    result<std::size_t> poll(int timeout_ms, Fn&& fn) {
        std::size_t n = consume(fn);
        if (n != 0 || stopped_) return n;
        epoll_event ev{};
        const int r = ::epoll_wait(epoll_.get(), &ev, 1, timeout_ms);
        if (r < 0 && errno != EINTR) return make_error(errno, "ring buffer consumer: epoll_wait");
        return consume(fn);
    }

    // Consumes every committed record without waiting.
    template <class Fn>
    std::size_t consume(Fn&& fn) {
        constexpr std::uint32_t busy = 1u << 31, discard = 1u << 30, header = 8;
        stopped_ = false;
        std::size_t n = 0;
        auto* cons_pos = reinterpret_cast<std::uint64_t*>(consumer_);
        const auto* prod_pos = reinterpret_cast<const std::uint64_t*>(producer_);
        std::uint64_t cons = __atomic_load_n(cons_pos, __ATOMIC_ACQUIRE);
        for (;;) {
            const std::uint64_t prod = __atomic_load_n(prod_pos, __ATOMIC_ACQUIRE);
            if (cons >= prod) break;
            const unsigned char* rec = producer_ + page_ + (cons & mask_);
            const std::uint32_t len = __atomic_load_n(reinterpret_cast<const std::uint32_t*>(rec), __ATOMIC_ACQUIRE);
            if (len & busy) break; // reserved, not yet committed
            const std::uint32_t size = len & ~(busy | discard);
            cons += (std::uint64_t{size} + header + 7) & ~std::uint64_t{7};
            bool go_on = true;
            if (!(len & discard)) {
                ++n;
                const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(rec + header), size);
                if constexpr (std::is_same_v<std::invoke_result_t<Fn&, std::span<const std::byte>>, bool>)
                    go_on = fn(data);
                else
                    fn(data);
            }
            __atomic_store_n(cons_pos, cons, __ATOMIC_RELEASE);
            if (!go_on) {
                stopped_ = true;
                break;
            }
        }
        return n;
    }

    // The epoll fd, to wait for the ring buffer in an event loop of one's own.
    int epoll_fd() const noexcept { return epoll_.get(); }

private:
    void swap(ringbuf_consumer& o) noexcept {
        std::swap(map_fd_, o.map_fd_);
        std::swap(epoll_, o.epoll_);
        std::swap(consumer_, o.consumer_);
        std::swap(producer_, o.producer_);
        std::swap(page_, o.page_);
        std::swap(size_, o.size_);
        std::swap(mask_, o.mask_);
        std::swap(stopped_, o.stopped_);
    }
    void unmap() noexcept {
        if (consumer_) ::munmap(consumer_, page_);
        if (producer_) ::munmap(producer_, page_ + 2 * size_);
        consumer_ = producer_ = nullptr;
    }

    unique_fd map_fd_, epoll_;
    unsigned char* consumer_ = nullptr;
    unsigned char* producer_ = nullptr;
    std::size_t page_ = 0, size_ = 0;
    std::uint64_t mask_ = 0;
    bool stopped_ = false;
};

} // namespace ctbpf::sys
