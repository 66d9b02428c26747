// Perf event arrays (BPF_MAP_TYPE_PERF_EVENT_ARRAY): the map, and a perf buffer that opens one
// PERF_COUNT_SW_BPF_OUTPUT event per online CPU, mmaps its ring, puts the event into the map at
// that CPU's index (where bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, data, size) writes),
// waits with epoll and hands each sample's raw data to a callback, and counts the samples the
// kernel lost when a ring was full. Records that wrap around the end of a ring are copied out
// whole. The ring buffer (ringbuf.hpp) is the newer and simpler mechanism; this one works on every
// kernel with eBPF and is what bpf_perf_event_output and older programs use.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/map.hpp"

#include <linux/perf_event.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ctbpf::sys {

namespace detail {
// "0-3,5,7-8" -> {0,1,2,3,5,7,8}
CTBPF_SYS_INLINE std::vector<std::uint32_t> parse_cpu_list(std::string_view s)
#if CTBPF_SYS_BODIES
{
    std::vector<std::uint32_t> out;
    std::size_t i = 0;
    auto number = [&](std::uint32_t& v) {
        bool any = false;
        v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + static_cast<std::uint32_t>(s[i++] - '0');
            any = true;
        }
        return any;
    };
    while (i < s.size()) {
        std::uint32_t a = 0, b = 0;
        if (!number(a)) {
            ++i;
            continue;
        }
        b = a;
        if (i < s.size() && s[i] == '-') {
            ++i;
            if (!number(b)) b = a;
        }
        for (std::uint32_t c = a; c <= b; ++c) out.push_back(c);
    }
    return out;
}
#else
;
#endif
} // namespace detail

// The online CPUs (/sys/devices/system/cpu/online); {0} when it cannot be read.
CTBPF_SYS_INLINE std::vector<std::uint32_t> online_cpus()
#if CTBPF_SYS_BODIES
{
    std::FILE* f = std::fopen("/sys/devices/system/cpu/online", "re");
    if (!f) return {0};
    char buf[1024] = {};
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::vector<std::uint32_t> cpus = detail::parse_cpu_list(std::string_view(buf, n));
    if (cpus.empty()) cpus.push_back(0);
    return cpus;
}
#else
;
#endif

// The perf event array map: index = CPU, value = a perf event fd.
class perf_event_array {
public:
    perf_event_array() = default;
    // max_entries 0: one per possible CPU.
    static result<perf_event_array> create(std::uint32_t max_entries = 0, const map_options& o = {}) {
        result<raw_map> m = raw_map::create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, max_entries ? max_entries : possible_cpus(), o);
        if (!m) return std::move(m).error();
        perf_event_array a;
        a.m_ = std::move(m).value();
        return a;
    }
    static result<perf_event_array> adopt(raw_map m) {
        if (m.type() != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
            return make_error(EINVAL, m.what("perf_event_array"), "not a perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY)");
        perf_event_array a;
        a.m_ = std::move(m);
        return a;
    }
    int fd() const noexcept { return m_.fd(); }
    std::uint32_t max_entries() const noexcept { return m_.max_entries(); }
    const raw_map& raw() const noexcept { return m_; }

private:
    raw_map m_;
};

struct perf_buffer_options {
    std::uint32_t pages = 8;         // data pages per CPU: a power of 2 (the ring is 1 + pages pages)
    std::uint32_t wakeup_events = 1; // wake epoll after this many samples
};

// Reads samples from a perf event array. The sample callback takes (std::uint32_t cpu,
// std::span<const std::byte> data) or (std::span<const std::byte> data) and returns void or bool
// (false stops consuming; that record counts as consumed). The data is the sample's raw bytes as
// the kernel stored them: the program's bytes, then padding (unspecified bytes) up to the kernel's 8-byte
// alignment of the record (the size is rounded so that 4 + size is a multiple of 8). It is valid
// during the call. Lost samples are counted (lost()) and may be reported to a second callback
// taking (std::uint32_t cpu, std::uint64_t count).
class perf_buffer {
public:
    perf_buffer() = default;
    perf_buffer(perf_buffer&& o) noexcept { swap(o); }
    perf_buffer& operator=(perf_buffer&& o) noexcept {
        perf_buffer t(std::move(o));
        swap(t);
        return *this;
    }
    ~perf_buffer() { close(); }

    static result<perf_buffer> create(const perf_event_array& map, const perf_buffer_options& o = {}) {
        perf_buffer b;
        b.page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        if (o.pages == 0 || (o.pages & (o.pages - 1)) != 0)
            return make_error(EINVAL, "perf buffer", "pages (" + std::to_string(o.pages) + ") must be a power of 2");
        b.map_fd_.reset(::fcntl(map.fd(), F_DUPFD_CLOEXEC, 3));
        if (!b.map_fd_) return make_error(errno, "perf buffer: dup of the map fd");
        b.epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (!b.epoll_) return make_error(errno, "perf buffer: epoll_create1");
        for (std::uint32_t cpu : online_cpus()) {
            if (cpu >= map.max_entries())
                return make_error(E2BIG, "perf buffer: CPU " + std::to_string(cpu),
                                  "the perf event array has " + std::to_string(map.max_entries()) +
                                      " entries; it needs one per possible CPU (" + std::to_string(possible_cpus()) + ")");
            perf_event_attr pa;
            std::memset(&pa, 0, sizeof pa); // padding included: the kernel checks unknown bytes
            pa.type = PERF_TYPE_SOFTWARE;
            pa.size = sizeof pa;
            pa.config = PERF_COUNT_SW_BPF_OUTPUT;
            pa.sample_type = PERF_SAMPLE_RAW;
            pa.sample_period = 1;
            pa.wakeup_events = o.wakeup_events ? o.wakeup_events : 1;
            ring r;
            r.cpu = cpu;
            r.fd.reset(static_cast<int>(::syscall(SYS_perf_event_open, &pa, -1, static_cast<int>(cpu), -1, PERF_FLAG_FD_CLOEXEC)));
            if (!r.fd) {
                const int e = errno;
                return make_error(e, "perf_event_open PERF_COUNT_SW_BPF_OUTPUT on CPU " + std::to_string(cpu),
                                  e == EACCES || e == EPERM ? "needs CAP_PERFMON (or root), or a lower kernel.perf_event_paranoid"
                                  : e == ENOENT ? "this kernel has no BPF output events (Linux 4.4+)"
                                                : "");
            }
            r.mapped = page_size_of(o.pages, b.page_);
            void* m = ::mmap(nullptr, r.mapped, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd.get(), 0);
            if (m == MAP_FAILED) {
                const int e = errno;
                return make_error(e, "perf buffer: mmap of CPU " + std::to_string(cpu) + "'s ring (" + std::to_string(r.mapped) + " bytes)",
                                  e == EPERM ? "the size is over the perf_event_mlock_kb limit (/proc/sys/kernel/perf_event_mlock_kb); use fewer pages"
                                             : "");
            }
            r.base = static_cast<unsigned char*>(m);
            const auto* meta = reinterpret_cast<const perf_event_mmap_page*>(r.base);
            r.data_offset = meta->data_offset ? meta->data_offset : b.page_;
            r.data_size = meta->data_size ? meta->data_size : std::size_t{o.pages} * b.page_;
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u32 = static_cast<std::uint32_t>(b.rings_.size());
            if (::epoll_ctl(b.epoll_.get(), EPOLL_CTL_ADD, r.fd.get(), &ev) < 0) {
                const int e = errno;
                r.unmap();
                return make_error(e, "perf buffer: epoll_ctl for CPU " + std::to_string(cpu));
            }
            const std::uint32_t key = cpu, value = static_cast<std::uint32_t>(r.fd.get());
            b.rings_.push_back(std::move(r));
            detail::attr_map_elem a;
            a.map_fd = static_cast<std::uint32_t>(b.map_fd_.get());
            a.key = detail::ptr(&key);
            a.value = detail::ptr(&value);
            if (detail::bpf(BPF_MAP_UPDATE_ELEM, a) < 0)
                return make_error(errno, map.raw().what("BPF_MAP_UPDATE_ELEM") + " [CPU " + std::to_string(cpu) + "]",
                                  "putting the CPU's perf event into the map failed");
        }
        return b;
    }

    // Waits up to timeout_ms (-1: forever, 0: not at all) for samples, then consumes every
    // available record of every CPU. Returns the number of samples handed to `on_sample`.
    template <class Sample, class Lost = std::nullptr_t>
    result<std::size_t> poll(int timeout_ms, Sample&& on_sample, Lost&& on_lost = nullptr) {
        std::size_t n = consume(on_sample, on_lost);
        if (n != 0 || stopped_) return n;
        epoll_event ev[8];
        const int r = ::epoll_wait(epoll_.get(), ev, 8, timeout_ms);
        if (r < 0 && errno != EINTR) return make_error(errno, "perf buffer: epoll_wait");
        return consume(on_sample, on_lost);
    }

    // Consumes every available record of every CPU without waiting.
    template <class Sample, class Lost = std::nullptr_t>
    std::size_t consume(Sample&& on_sample, Lost&& on_lost = nullptr) {
        stopped_ = false;
        std::size_t n = 0;
        for (ring& r : rings_) {
            n += consume_ring(r, on_sample, on_lost);
            if (stopped_) break;
        }
        return n;
    }

    // Typed: each sample is copied into a T (trivially copyable) and handed to fn(cpu, const T&)
    // or fn(const T&) (void or bool, as above). A sample shorter than T is not handed over and is
    // counted in short_samples(). The count returned includes short samples.
    template <class T, class Fn, class Lost = std::nullptr_t>
    result<std::size_t> poll_as(int timeout_ms, Fn&& fn, Lost&& on_lost = nullptr) {
        auto typed = typed_callback<T>(fn);
        return poll(timeout_ms, typed, on_lost);
    }
    template <class T, class Fn, class Lost = std::nullptr_t>
    std::size_t consume_as(Fn&& fn, Lost&& on_lost = nullptr) {
        auto typed = typed_callback<T>(fn);
        return consume(typed, on_lost);
    }
    // Samples shorter than the T of poll_as<T>/consume_as<T> so far.
    std::uint64_t short_samples() const noexcept { return short_; }

    // Samples the kernel could not store because a ring was full, over all CPUs so far.
    std::uint64_t lost() const noexcept { return lost_; }
    // Records that wrapped around the end of their ring (copied out in two pieces) so far.
    std::uint64_t wrapped() const noexcept { return wrapped_; }
    // The CPUs with a ring, in the order they are read.
    std::vector<std::uint32_t> cpus() const {
        std::vector<std::uint32_t> v;
        for (const ring& r : rings_) v.push_back(r.cpu);
        return v;
    }
    // Bytes of ring data per CPU.
    std::size_t ring_size() const noexcept { return rings_.empty() ? 0 : rings_.front().data_size; }
    // The epoll fd, to wait for samples in an event loop of one's own.
    int epoll_fd() const noexcept { return epoll_.get(); }

    // Takes the events out of the map, unmaps the rings and closes them (the destructor does this).
    void close() noexcept {
        for (ring& r : rings_) {
            if (map_fd_) {
                const std::uint32_t key = r.cpu;
                detail::attr_map_elem a;
                a.map_fd = static_cast<std::uint32_t>(map_fd_.get());
                a.key = detail::ptr(&key);
                (void)detail::bpf(BPF_MAP_DELETE_ELEM, a);
            }
            r.unmap();
        }
        rings_.clear();
        map_fd_.reset();
        epoll_.reset();
    }

private:
    struct ring {
        std::uint32_t cpu = 0;
        unique_fd fd;
        unsigned char* base = nullptr;
        std::size_t mapped = 0, data_offset = 0, data_size = 0;
        std::vector<unsigned char> scratch; // a record that wraps around the end, copied out whole

        ring() = default;
        ring(ring&& o) noexcept
            : cpu(o.cpu), fd(std::move(o.fd)), base(std::exchange(o.base, nullptr)), mapped(o.mapped),
              data_offset(o.data_offset), data_size(o.data_size), scratch(std::move(o.scratch)) {}
        ring& operator=(ring&&) = delete;
        ~ring() { unmap(); }
        void unmap() noexcept {
            if (base) ::munmap(base, mapped);
            base = nullptr;
        }
    };

    template <class T, class Fn>
    auto typed_callback(Fn& fn) {
        static_assert(std::is_trivially_copyable_v<T>, "ctbpf: poll_as<T> needs a trivially copyable T");
        return [this, &fn](std::uint32_t cpu, std::span<const std::byte> d) -> bool {
            if (d.size() < sizeof(T)) {
                ++short_;
                return true;
            }
            T v;
            std::memcpy(&v, d.data(), sizeof v);
            if constexpr (std::is_invocable_v<Fn&, std::uint32_t, const T&>) {
                if constexpr (std::is_same_v<std::invoke_result_t<Fn&, std::uint32_t, const T&>, bool>) return fn(cpu, v);
                else fn(cpu, v);
            } else {
                static_assert(std::is_invocable_v<Fn&, const T&>,
                              "ctbpf: a poll_as<T> callback takes (std::uint32_t cpu, const T&) or (const T&)");
                if constexpr (std::is_same_v<std::invoke_result_t<Fn&, const T&>, bool>) return fn(v);
                else fn(v);
            }
            return true;
        };
    }

    static std::size_t page_size_of(std::uint32_t pages, std::size_t page) { return (std::size_t{pages} + 1) * page; }

    template <class Sample>
    static bool deliver(Sample& fn, std::uint32_t cpu, std::span<const std::byte> data) {
        if constexpr (std::is_invocable_v<Sample&, std::uint32_t, std::span<const std::byte>>) {
            if constexpr (std::is_same_v<std::invoke_result_t<Sample&, std::uint32_t, std::span<const std::byte>>, bool>)
                return fn(cpu, data);
            else
                fn(cpu, data);
        } else {
            static_assert(std::is_invocable_v<Sample&, std::span<const std::byte>>,
                          "ctbpf: a perf buffer callback takes (std::uint32_t cpu, std::span<const std::byte>) or "
                          "(std::span<const std::byte>)");
            if constexpr (std::is_same_v<std::invoke_result_t<Sample&, std::span<const std::byte>>, bool>)
                return fn(data);
            else
                fn(data);
        }
        return true;
    }

    template <class Sample, class Lost>
    std::size_t consume_ring(ring& r, Sample& on_sample, Lost& on_lost) {
        auto* meta = reinterpret_cast<perf_event_mmap_page*>(r.base);
        const unsigned char* data = r.base + r.data_offset;
        const std::uint64_t mask = r.data_size - 1;
        std::uint64_t tail = __atomic_load_n(&meta->data_tail, __ATOMIC_RELAXED);
        const std::uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
        std::size_t n = 0;
        while (tail < head) {
            const std::size_t off = static_cast<std::size_t>(tail & mask);
            perf_event_header h;
            // Records are 8-byte aligned and the ring's size a power of 2: a header never wraps.
            std::memcpy(&h, data + off, sizeof h);
            if (h.size < sizeof h || h.size > r.data_size || h.size > head - tail) break; // corrupt: leave the ring as it is
            const unsigned char* rec = data + off;
            if (off + h.size > r.data_size) { // wraps: copy the two pieces out in order
                r.scratch.resize(h.size);
                const std::size_t first = r.data_size - off;
                std::memcpy(r.scratch.data(), data + off, first);
                std::memcpy(r.scratch.data() + first, data, h.size - first);
                rec = r.scratch.data();
                ++wrapped_;
            }
            tail += h.size;
            bool go_on = true;
            if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof h + 4) {
                std::uint32_t raw = 0;
                std::memcpy(&raw, rec + sizeof h, 4);
                if (raw > h.size - sizeof h - 4) raw = static_cast<std::uint32_t>(h.size - sizeof h - 4);
                ++n;
                go_on = deliver(on_sample, r.cpu, std::span<const std::byte>(reinterpret_cast<const std::byte*>(rec + sizeof h + 4), raw));
            } else if (h.type == PERF_RECORD_LOST && h.size >= sizeof h + 16) {
                std::uint64_t count = 0;
                std::memcpy(&count, rec + sizeof h + 8, 8);
                lost_ += count;
                if constexpr (!std::is_same_v<std::remove_cvref_t<Lost>, std::nullptr_t>) on_lost(r.cpu, count);
            }
            __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
            if (!go_on) {
                stopped_ = true;
                break;
            }
        }
        return n;
    }

    void swap(perf_buffer& o) noexcept {
        std::swap(map_fd_, o.map_fd_);
        std::swap(epoll_, o.epoll_);
        std::swap(rings_, o.rings_);
        std::swap(page_, o.page_);
        std::swap(lost_, o.lost_);
        std::swap(wrapped_, o.wrapped_);
        std::swap(short_, o.short_);
        std::swap(stopped_, o.stopped_);
    }

    unique_fd map_fd_, epoll_;
    std::vector<ring> rings_;
    std::size_t page_ = 0;
    std::uint64_t lost_ = 0, wrapped_ = 0, short_ = 0;
    bool stopped_ = false;
};

} // namespace ctbpf::sys
