// The interpreter (ctbpf::vm) against the live kernel: random programs (tests/vm_fuzz.hpp) for xdp,
// sched_cls and socket_filter are loaded with BPF_PROG_LOAD and run by BPF_PROG_TEST_RUN and by
// vm::run on the same packet, context and map contents (real array, hash, one-element array and prog
// array maps; the interpreter's have the same shapes and fds). Compared: retval (low 32 bits), the
// output packet, the output context and the maps' contents afterwards; an input both refuse is
// counted apart. Any difference fails, printed with the input, both results and the program shrunk
// (instructions dropped while it still loads and differs) and disassembled.
// CTBPF_VM_DIFF_SEED (default: the time, printed), CTBPF_VM_DIFF_COUNT (programs the kernel loads,
// default 100,000) and CTBPF_VM_DIFF_RUNS (inputs per loaded program, default 3) repeat or resize a
// run; CTBPF_VM_DIFF_REJECTS=N prints the kernel's reason for the first N rejections. The test pins
// itself to one CPU (bpf_get_smp_processor_id is then the same in both). Skips, saying why, only
// without the privilege to create maps or load XDP programs.
#include <ctbpf/disasm.hpp>
#include <ctbpf/vm.hpp>
#include <doctest/doctest.h>

#include "vm_fuzz.hpp"
#include "vm_kernel_util.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace vm_kernel_util;

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

// A map's contents: (key, value) pairs sorted by key.
using contents = std::vector<std::pair<bytes_t, bytes_t>>;

struct initial_maps {
    contents array, hash, single;
};
initial_maps random_contents(vm_fuzz::rng& r) {
    initial_maps m;
    for (std::uint32_t i = 0; i < vm_fuzz::array_max; ++i) {
        bytes_t v(vm_fuzz::array_value);
        if (!r.chance(20))
            for (auto& b : v) b = static_cast<std::uint8_t>(r.next());
        m.array.push_back({{static_cast<std::uint8_t>(i), 0, 0, 0}, v});
    }
    bytes_t one(vm_fuzz::array_value);
    for (auto& b : one) b = static_cast<std::uint8_t>(r.next());
    m.single.push_back({{0, 0, 0, 0}, one});
    const std::uint32_t n = r.below(vm_fuzz::hash_max + 1);
    for (std::uint32_t k = 0; k < 8 && m.hash.size() < n; ++k) {
        if (!r.chance(60)) continue;
        bytes_t v(vm_fuzz::hash_value);
        for (auto& b : v) b = static_cast<std::uint8_t>(r.next());
        m.hash.push_back({{static_cast<std::uint8_t>(k), 0, 0, 0}, v});
    }
    return m;
}

contents kernel_dump(int fd, std::uint32_t key_size, std::uint32_t value_size) {
    contents c;
    bytes_t key(key_size), next(key_size), value(value_size);
    const void* prev = nullptr;
    while (next_key(fd, prev, next.data()) == 0) {
        if (map_op(BPF_MAP_LOOKUP_ELEM, fd, next.data(), value.data()) == 0) c.push_back({next, value});
        key = next;
        prev = key.data();
    }
    std::sort(c.begin(), c.end());
    return c;
}
void kernel_reset(int array_fd, int hash_fd, int single_fd, const initial_maps& m) {
    for (const auto& [k, v] : m.single) map_op(BPF_MAP_UPDATE_ELEM, single_fd, k.data(), const_cast<std::uint8_t*>(v.data()));
    for (const auto& [k, v] : m.array) map_op(BPF_MAP_UPDATE_ELEM, array_fd, k.data(), const_cast<std::uint8_t*>(v.data()));
    for (const auto& [k, v] : kernel_dump(hash_fd, 4, vm_fuzz::hash_value)) map_op(BPF_MAP_DELETE_ELEM, hash_fd, k.data(), nullptr);
    for (const auto& [k, v] : m.hash) map_op(BPF_MAP_UPDATE_ELEM, hash_fd, k.data(), const_cast<std::uint8_t*>(v.data()));
}
contents vm_dump(ctbpf::vm::map_store& s) {
    contents c;
    s.each([&](const std::uint8_t* k, const std::uint8_t* v) {
        c.push_back({bytes_t(k, k + s.shape.key_size), bytes_t(v, v + s.shape.value_size)});
    });
    std::sort(c.begin(), c.end());
    return c;
}

// A random context for the program type, or none.
bytes_t random_ctx(vm_fuzz::rng& r, ctbpf::prog_type t, bytes_t& packet) {
    if (r.chance(50)) return {};
    auto put = [](bytes_t& c, std::size_t off, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) c[off + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    };
    if (t == ctbpf::prog_type::xdp) {
        bytes_t c(24);
        const std::uint32_t meta = r.chance(50) ? 0 : 4 * r.below(9);
        bytes_t with(meta);
        for (auto& b : with) b = static_cast<std::uint8_t>(r.next());
        packet.insert(packet.begin(), with.begin(), with.end());
        put(c, 0, meta);
        put(c, 4, static_cast<std::uint32_t>(packet.size()));
        put(c, 12, r.chance(50) ? 1 : 0);
        return c;
    }
    bytes_t c(192);
    put(c, 8, r.chance(50) ? static_cast<std::uint32_t>(r.next()) : 0);  // mark
    put(c, 32, r.chance(50) ? static_cast<std::uint32_t>(r.next()) : 0); // priority
    for (std::size_t off = 48; off < 68; off += 4)                      // cb
        if (r.chance(60)) put(c, off, static_cast<std::uint32_t>(r.next()));
    if (r.chance(20)) put(c, 36, r.below(4)); // ingress_ifindex
    if (r.chance(20)) put(c, 40, 1);          // ifindex: loopback
    if (r.chance(20)) put(c, 164, r.chance(90) ? r.below(8) : static_cast<std::uint32_t>(r.next())); // gso_segs
    if (r.chance(20)) put(c, 176, static_cast<std::uint32_t>(r.next()));                               // gso_size
    if (r.chance(20)) put(c, 152, static_cast<std::uint32_t>(r.next())), put(c, 156, r.below(16)); // tstamp
    if (r.chance(20)) put(c, 184, static_cast<std::uint32_t>(r.next()));                          // hwtstamp
    return c;
}

std::string hex(const bytes_t& b) {
    std::string s;
    char t[4];
    for (std::size_t i = 0; i < b.size(); ++i) {
        std::snprintf(t, sizeof t, "%02x", b[i]);
        s += t;
        if (i + 1 < b.size()) s += (i % 32 == 31) ? "\n    " : " ";
    }
    return s;
}
std::string show(const contents& c) {
    std::string s;
    for (const auto& [k, v] : c) s += "    [" + hex(k) + "] = " + hex(v) + "\n";
    return s.empty() ? "    (empty)\n" : s;
}

struct maps_ctx {
    int array_fd, hash_fd, single_fd, progs_fd;
    std::uint32_t cpu;
    std::span<const ctbpf::named_map_shape> shapes;
};

// The prog array's slot 0 holds the program under test (it may tail-call itself; slot 1 stays empty).
void set_self(const maps_ctx& mc, int fd) {
    const std::uint32_t zero = 0;
    std::int32_t v = fd;
    map_op(BPF_MAP_UPDATE_ELEM, mc.progs_fd, &zero, &v);
}

// One input through both: the differences found (empty: none); *executed the interpreter's count;
// *refused: both refused the input.
std::string compare(const maps_ctx& mc, int fd, const std::vector<ctbpf::insn>& prog, ctbpf::prog_type type,
                    const bytes_t& packet, const bytes_t& ctx, const initial_maps& init, std::uint64_t* executed,
                    bool* refused) {
    kernel_reset(mc.array_fd, mc.hash_fd, mc.single_fd, init);
    const kernel_out kr = test_run(fd, packet, ctx);
    ctbpf::vm::machine m(mc.shapes);
    m.env.cpu = mc.cpu;
    const std::uint32_t zero = 0, self = m.add_program(prog); // the prog array's slot 0: the program itself
    m.map("progs")->update(ctbpf::vm::to_bytes(zero).data(), ctbpf::vm::to_bytes(self).data(), 0);
    for (const auto& [key, v] : init.array) m.map("array")->update(key.data(), v.data(), 0);
    for (const auto& [key, v] : init.hash) m.map("hash")->update(key.data(), v.data(), 0);
    for (const auto& [key, v] : init.single) m.map("single")->update(key.data(), v.data(), 0);
    ctbpf::vm::input in{type, packet, ctx};
    const ctbpf::vm::result vr = m.run(prog, in);
    if (executed) *executed += vr.executed;
    if (refused) *refused = kr.err != 0 && vr.fault == ctbpf::vm::fault::bad_input;
    if (kr.err != 0 && vr.fault == ctbpf::vm::fault::bad_input) return {};
    // r0 a pointer in the interpreter's view (its register tag: a scalar may look like one, 0xffff'<region>'<offset>,
    // e.g. bswap64 0x80000000 | 0xffff), or a pointer's value that lost its tag in map memory (its number, which
    // cannot match the kernel's address, so only when the low 32 bits differ): no comparable result
    const std::uint64_t id = (vr.retval >> 32) & 0xffff;
    const bool looks = (vr.retval >> 48) == 0xffff && id != 0 && id < 0x1000 && (vr.retval & 0xffffffffu) < 0x10000;
    if (vr.retval_points_to != ctbpf::vm::region_kind::none ||
        (looks && (kr.err != 0 || kr.retval != static_cast<std::uint32_t>(vr.retval))))
        return "  the interpreter returned a pointer\n"; // (a program the shrinker made)
    std::string diff;
    if (kr.err != 0) diff += "  the kernel's test run failed: " + std::string(std::strerror(kr.err)) + "\n";
    if (!vr.ok()) diff += "  the interpreter faulted at " + std::to_string(vr.index) + ": " + std::string(vr.message.view()) + "\n";
    if (!diff.empty()) return diff;
    const contents ka = kernel_dump(mc.array_fd, 4, vm_fuzz::array_value), kh = kernel_dump(mc.hash_fd, 4, vm_fuzz::hash_value);
    const contents va = vm_dump(*m.map("array")), vh = vm_dump(*m.map("hash"));
    const contents ks = kernel_dump(mc.single_fd, 4, vm_fuzz::array_value), vs = vm_dump(*m.map("single"));
    const bytes_t vpkt(vr.packet.begin(), vr.packet.end()), vctx(vr.ctx.begin(), vr.ctx.end());
    char t[96];
    if (kr.retval != static_cast<std::uint32_t>(vr.retval)) {
        std::snprintf(t, sizeof t, "  retval: kernel %#x, interpreter %#x\n", kr.retval, static_cast<std::uint32_t>(vr.retval));
        diff += t;
    }
    if (kr.data != vpkt) diff += "  packet out:\n    kernel      " + hex(kr.data) + "\n    interpreter " + hex(vpkt) + "\n";
    if (kr.ctx != vctx) diff += "  ctx out:\n    kernel      " + hex(kr.ctx) + "\n    interpreter " + hex(vctx) + "\n";
    if (ka != va) diff += "  array map:\n  kernel\n" + show(ka) + "  interpreter\n" + show(va);
    if (kh != vh) diff += "  hash map:\n  kernel\n" + show(kh) + "  interpreter\n" + show(vh);
    if (ks != vs) diff += "  single map:\n  kernel\n" + show(ks) + "  interpreter\n" + show(vs);
    return diff;
}

// p without instruction k (both halves of an lddw), jumps and calls across it adjusted.
std::vector<ctbpf::insn> without(const std::vector<ctbpf::insn>& p, std::size_t k) {
    const std::size_t n = p[k].code == 0x18 ? 2 : 1;
    std::vector<ctbpf::insn> q;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (i >= k && i < k + n) continue;
        ctbpf::insn x = p[i];
        const std::uint8_t cls = x.code & 7;
        const bool call = x.code == 0x85 && x.src_reg == 1;
        const bool jump = (cls == 5 || cls == 6) && (x.code & 0xf0) != 0x80 && (x.code & 0xf0) != 0x90;
        if (call || jump) {
            const bool ja32 = x.code == 0x06;
            const long off = call || ja32 ? x.imm : x.off;
            const long t = static_cast<long>(i) + 1 + off;
            const long lo = static_cast<long>(k), hi = static_cast<long>(k + n);
            long nt = t >= hi ? t - static_cast<long>(n) : t > lo ? lo : t;
            const long ni = static_cast<long>(i) - (i >= k + n ? static_cast<long>(n) : 0);
            const long noff = nt - ni - 1;
            if (call || ja32) x.imm = static_cast<std::int32_t>(noff);
            else x.off = static_cast<std::int16_t>(noff);
        }
        q.push_back(x);
    }
    return q;
}

// Drops instructions while the program still loads and still differs on this input.
std::vector<ctbpf::insn> shrink(const maps_ctx& mc, std::vector<ctbpf::insn> p, ctbpf::prog_type type, const bytes_t& packet,
                                const bytes_t& ctx, const initial_maps& init) {
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t k = p.size(); k-- > 0;) {
            if (k > 0 && p[k - 1].code == 0x18) continue; // the second half of an lddw
            if (p[k].code == 0x7a && p[k].dst_reg == 10) continue; // stack initialisation (uninitialised reads differ)
            std::vector<ctbpf::insn> q = without(p, k);
            if (q.empty()) continue;
            const int fd = load(q, type, nullptr);
            if (fd < 0) continue;
            set_self(mc, fd);
            const std::string d = compare(mc, fd, q, type, packet, ctx, init, nullptr, nullptr);
            ::close(fd);
            if (!d.empty() && d.find("returned a pointer") == std::string::npos) p = std::move(q), changed = true;
        }
    }
    return p;
}

const char* type_name(ctbpf::prog_type t) {
    return t == ctbpf::prog_type::xdp ? "xdp" : t == ctbpf::prog_type::sched_cls ? "sched_cls" : "socket_filter";
}

} // namespace

TEST_CASE("interpreter vs kernel: random programs run by BPF_PROG_TEST_RUN and ctbpf::vm") {
    const std::uint64_t seed = env_or("CTBPF_VM_DIFF_SEED", static_cast<std::uint64_t>(
                                                                  std::chrono::system_clock::now().time_since_epoch().count()));
    const std::uint64_t count = env_or("CTBPF_VM_DIFF_COUNT", 100000);
    const std::uint64_t runs_per = std::max<std::uint64_t>(1, env_or("CTBPF_VM_DIFF_RUNS", 3));
    std::uint64_t show_rejects = env_or("CTBPF_VM_DIFF_REJECTS", 0);
    std::printf("vm differential: seed %llu (CTBPF_VM_DIFF_SEED=%llu repeats this run)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));

    const int array_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, vm_fuzz::array_value, vm_fuzz::array_max);
    const int single_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, vm_fuzz::array_value, 1); // (lddw src=2 needs one element)
    const int hash_fd = map_create(BPF_MAP_TYPE_HASH, 4, vm_fuzz::hash_value, vm_fuzz::hash_max);
    int progs_fds[3]; // a prog array belongs to one program type: one for each
    for (int& f : progs_fds) f = map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2);
    if (array_fd < 0 || hash_fd < 0 || single_fd < 0 || progs_fds[0] < 0 || progs_fds[1] < 0 || progs_fds[2] < 0) {
        const int e = errno;
        if (e == EPERM || e == EACCES) {
            std::printf("SKIP: BPF_MAP_CREATE: %s (needs root or CAP_BPF)\n", std::strerror(e));
            return;
        }
        FAIL("BPF_MAP_CREATE failed: " << std::strerror(e));
    }
    { // the privilege to load: a trivial XDP program (unprivileged users may load socket filters only)
        const std::vector<ctbpf::insn> trivial = {ctbpf::make_insn(0xb7, 0, 0, 0, 0), ctbpf::make_insn(0x95, 0, 0, 0, 0)};
        const int fd = load(trivial, ctbpf::prog_type::xdp, nullptr);
        if (fd == -EPERM || fd == -EACCES) {
            std::printf("SKIP: BPF_PROG_LOAD of an XDP program: %s (needs root, or CAP_BPF and CAP_NET_ADMIN)\n",
                        std::strerror(-fd));
            return;
        }
        REQUIRE_MESSAGE(fd >= 0, "a trivial XDP program does not load: " << std::strerror(-fd));
        ::close(fd);
    }
    // pinned to one CPU (the first allowed), which bpf_get_smp_processor_id then reports in both
    cpu_set_t cpus;
    REQUIRE(sched_getaffinity(0, sizeof cpus, &cpus) == 0);
    std::uint32_t cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &cpus)) ++cpu;
    CPU_ZERO(&cpus);
    CPU_SET(cpu, &cpus);
    REQUIRE_MESSAGE(sched_setaffinity(0, sizeof cpus, &cpus) == 0, "cannot pin the test to CPU " << cpu);

    ctbpf::named_map_shape shapes[3][4];
    maps_ctx mcs[3];
    for (int t = 0; t < 3; ++t) {
        shapes[t][0] = {"array", {ctbpf::map_type::array, 4, vm_fuzz::array_value, vm_fuzz::array_max, 0, array_fd}};
        shapes[t][1] = {"hash", {ctbpf::map_type::hash, 4, vm_fuzz::hash_value, vm_fuzz::hash_max, 0, hash_fd}};
        shapes[t][2] = {"progs", {ctbpf::map_type::prog_array, 4, 4, 2, 0, progs_fds[t]}};
        shapes[t][3] = {"single", {ctbpf::map_type::array, 4, vm_fuzz::array_value, 1, 0, single_fd}};
        mcs[t] = {array_fd, hash_fd, single_fd, progs_fds[t], cpu, shapes[t]};
    }
    const ctbpf::prog_type types[] = {ctbpf::prog_type::xdp, ctbpf::prog_type::sched_cls, ctbpf::prog_type::socket_filter};

    vm_fuzz::rng r(seed);
    std::uint64_t generated = 0, loaded = 0, runs = 0, compared = 0, executed = 0, differences = 0, refused = 0;
    std::uint64_t loaded_by_type[3] = {}, generated_by_type[3] = {};
    const auto start = std::chrono::steady_clock::now();
    // until `count` programs have loaded (or twice as many were made: the share check below fails then)
    for (std::uint64_t i = 0; loaded < count && i < 2 * count; ++i) {
        const std::size_t ti = i % 3;
        const ctbpf::prog_type type = types[ti];
        const maps_ctx& mc = mcs[ti];
        vm_fuzz::generator g(r, type, {array_fd, hash_fd, mc.progs_fd, single_fd});
        const std::vector<ctbpf::insn> prog = g.make();
        ++generated, ++generated_by_type[ti];
        std::string why;
        const int fd = load(prog, type, show_rejects > 0 ? &why : nullptr);
        if (fd < 0) {
            if (show_rejects > 0) {
                --show_rejects;
                std::printf("rejected (%s, %s): %s\n%s\n", type_name(type), std::strerror(-fd), why.c_str(),
                            ctbpf::disasm(prog).c_str());
            }
            continue;
        }
        ++loaded, ++loaded_by_type[ti];
        set_self(mc, fd);
        for (std::uint64_t k = 0; k < runs_per; ++k) {
            bytes_t packet = vm_fuzz::packet(r, type);
            const bytes_t ctx = random_ctx(r, type, packet);
            const initial_maps init = random_contents(r);
            ++runs;
            bool both_refused = false;
            const std::string diff = compare(mc, fd, prog, type, packet, ctx, init, &executed, &both_refused);
            if (both_refused) {
                ++refused;
                continue;
            }
            ++compared;
            if (diff.empty()) continue;
            if (++differences <= 5) {
                const initial_maps& shown = init;
                const std::vector<ctbpf::insn> small = shrink(mc, prog, type, packet, ctx, init);
                const int sfd = load(small, type, nullptr);
                if (sfd >= 0) set_self(mc, sfd);
                const std::string sdiff = sfd >= 0 ? compare(mc, sfd, small, type, packet, ctx, init, nullptr, nullptr) : diff;
                if (sfd >= 0) ::close(sfd);
                std::printf("DIFFERENCE (program %llu, %s):\n%s  packet in (%zu bytes): %s\n  ctx in: %s\n  maps before:\n  array\n%s  hash\n%s  single\n%s"
                            "  program, shrunk (%zu of %zu instructions), differs as:\n%s%s\n",
                            static_cast<unsigned long long>(i), type_name(type), diff.c_str(), packet.size(), hex(packet).c_str(),
                            hex(ctx).c_str(), show(shown.array).c_str(), show(shown.hash).c_str(), show(shown.single).c_str(), small.size(), prog.size(), sdiff.c_str(),
                            ctbpf::disasm(small).c_str());
            }
        }
        ::close(fd);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("interpreter differential: seed %llu, %llu programs generated, %llu loaded by the kernel (%.1f%%: xdp %.1f%%, "
                "sched_cls %.1f%%, socket_filter %.1f%%), %llu runs (%llu per program), %llu compared (%llu inputs refused by both), "
                "%llu instructions executed by the interpreter, %llu differences (%.1f s)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(generated),
                static_cast<unsigned long long>(loaded), 100.0 * static_cast<double>(loaded) / static_cast<double>(generated ? generated : 1),
                100.0 * static_cast<double>(loaded_by_type[0]) / static_cast<double>(generated_by_type[0] ? generated_by_type[0] : 1),
                100.0 * static_cast<double>(loaded_by_type[1]) / static_cast<double>(generated_by_type[1] ? generated_by_type[1] : 1),
                100.0 * static_cast<double>(loaded_by_type[2]) / static_cast<double>(generated_by_type[2] ? generated_by_type[2] : 1),
                static_cast<unsigned long long>(runs), static_cast<unsigned long long>(runs_per),
                static_cast<unsigned long long>(compared), static_cast<unsigned long long>(refused),
                static_cast<unsigned long long>(executed), static_cast<unsigned long long>(differences), secs);
    for (int f : progs_fds) {
        const std::uint32_t zero = 0;
        map_op(BPF_MAP_DELETE_ELEM, f, &zero, nullptr);
        ::close(f);
    }
    ::close(array_fd);
    ::close(single_fd);
    ::close(hash_fd);
    CHECK_MESSAGE(loaded > 0, "the kernel loaded none of the programs");
    CHECK_MESSAGE(loaded * 10 >= generated * 9, "the kernel rejected more than 10% of the programs (see CTBPF_VM_DIFF_REJECTS)");
    CHECK(differences == 0);
}
