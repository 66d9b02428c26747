// Verifier internals: owned arrays usable in constant evaluation, the abstract machine state as a
// flat array of cells (registers, stack slots, frame data of up to 8 frames), an undo trail for
// depth-first path exploration and an incrementally maintained hash of the state for pruning.
#pragma once

#include <cstdint>
#include <new>
#include <stdexcept>
#include <type_traits>

#include "ctbpf/verify/scalar.hpp"

namespace ctbpf::detail::vfy {

// An owned array (new[]/delete[] work in constant evaluation; no std::vector step overhead).
template <class T>
struct buffer {
    T* p = nullptr;
    std::uint32_t n = 0;
    constexpr buffer() = default;
    constexpr explicit buffer(std::uint32_t count) : p(new T[count == 0 ? 1 : count]{}), n(count) {}
    constexpr ~buffer() { delete[] p; }
    buffer(const buffer&) = delete;
    buffer& operator=(const buffer&) = delete;
    constexpr void reset(std::uint32_t count) {
        delete[] p;
        p = new T[count == 0 ? 1 : count]{};
        n = count;
    }
};

// A growable stack of T (trivially copyable). In constant evaluation over new[]/delete[]; at run
// time over raw storage (implicit-lifetime objects), so that growing zeroes nothing. (Not
// std::allocator: <memory> costs more compile time than the rest of the verifier's headers.)
template <class T>
struct stack_of {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "raw storage at run time: T must be an implicit-lifetime type");
    T* p = nullptr;
    std::uint32_t size = 0, cap = 0;
    constexpr stack_of() = default;
    constexpr ~stack_of() { release(p); }
    stack_of(const stack_of&) = delete;
    stack_of& operator=(const stack_of&) = delete;
    constexpr void push(const T& v) {
        if (size == cap) grow();
        p[size++] = v;
    }
    constexpr void grow() {
        if (cap > 0x7fffffffu) throw std::length_error("ctbpf: verifier state stack is full");
        reserve(cap == 0 ? 64 : cap * 2);
    }
    constexpr void reserve(std::uint32_t c) {
        if (c <= cap) return;
        T* q = std::is_constant_evaluated() ? new T[c] : static_cast<T*>(::operator new(sizeof(T) * c));
        for (std::uint32_t i = 0; i < size; ++i) q[i] = p[i];
        release(p);
        p = q;
        cap = c;
    }

private:
    static constexpr void release(T* q) {
        if (std::is_constant_evaluated()) delete[] q;
        else ::operator delete(q);
    }
};

// Abstract values of registers and spilled stack slots.
enum : std::uint8_t {
    k_uninit = 0, // NOT_INIT
    k_scalar,     // scalar, value unknown to the model
    k_const,      // scalar with a known value (v)
    k_ctx,        // PTR_TO_CTX + v
    k_stack,      // PTR_TO_STACK of frame `frame`, + v
    k_opaque,     // initialized, but only the kernel knows the type (BTF objects, sockets, ...)
    k_map_ptr,            // CONST_PTR_TO_MAP: frame = the map's index in the shapes given to check()
    k_map_value,          // PTR_TO_MAP_VALUE + v (frame: the map)
    k_map_value_or_null,  // PTR_TO_MAP_VALUE | PTR_MAYBE_NULL + v (frame: the map; id: the null check's)
    k_pkt,                // PTR_TO_PACKET + v, range bytes verified from its start
    k_pkt_meta,           // PTR_TO_PACKET_META + v, range
    k_pkt_end,            // PTR_TO_PACKET_END
    // pointers that may carry a reference (id: the null check's and the reference's, as the
    // kernel gives acquired pointers both); ring buffer memory: range = its size
    k_sock_or_null, k_sock, k_sock_common_or_null, k_sock_common, k_tcp_sock_or_null, k_tcp_sock,
    k_ringbuf_mem_or_null, k_ringbuf_mem,
    k_kinds
};
// PTR_MAYBE_NULL kinds (the non-null kind: the next one; for map values the one before)
constexpr bool is_or_null(std::uint8_t kind) {
    return kind == k_map_value_or_null || kind == k_sock_or_null || kind == k_sock_common_or_null ||
           kind == k_tcp_sock_or_null || kind == k_ringbuf_mem_or_null;
}
constexpr bool is_sock(std::uint8_t kind) { return kind >= k_sock_or_null && kind <= k_tcp_sock; }
// Pointers whose type the model knows (is_pointer_value() for these is certain).
constexpr bool is_known_pointer(std::uint8_t kind) { return kind >= k_ctx && kind != k_opaque; }
constexpr bool is_packet(std::uint8_t kind) { return kind == k_pkt || kind == k_pkt_meta; }
// cell::init of a k_scalar register: every bit unknown (the kernel's mark_reg_unknown())
inline constexpr std::uint8_t unbounded = 1;
// cell::frame of a k_scalar register: not zero (a lower bound of 1), negative (of 2^63)
inline constexpr std::uint8_t nonzero = 1, negative = 2;
// cell::frame of a k_scalar register or spill: `s` is the kernel's value itself (tnum and bounds,
// verify/scalar.hpp); v, nonzero and negative then say what s says. Without it the scalar is an
// over-approximation: v (~umax) and the flags are bounds the kernel's value also has.
inline constexpr std::uint8_t exact = 4;

// One cell of the state. Registers: kind, frame (stack pointers), v. Stack slots (8 bytes):
// kind/frame/v describe a spilled value, `size` its width (0: no spill), `init` which bytes were
// written (bit p: byte at slot base + p).
struct cell {
    std::int64_t v = 0;
    std::uint8_t kind = 0;
    std::uint8_t frame = 0;
    std::uint8_t init = 0;
    std::uint8_t size = 0;
    std::uint32_t id = 0; // a scalar's id (from a move of an unknown scalar; not hashed), a null check's
    std::int32_t range = 0; // packet pointers: bytes verified from the packet start (the kernel's reg->range;
                            // -1 AT_PKT_END, -2 BEYOND_PKT_END)
    std::uint8_t var = 0;   // pointers: a variable offset, `s` (the kernel's var_off and 64-bit bounds), on
                            // top of the fixed one in v (the kernel's reg->off); 0: none (s unused)
    scalar_value s{}; // k_scalar with frame & exact: the kernel's value; pointers with var: their variable part
};
constexpr bool is_exact_scalar(const cell& c) { return c.kind == k_scalar && (c.frame & exact) != 0; }
// cell::id: the kernel's BPF_ADD_CONST (the register went through rX += const since it got its id)
inline constexpr std::uint32_t add_const_id = 1u << 31;

constexpr bool same_cell(const cell& a, const cell& b) {
    return a.v == b.v && a.kind == b.kind && a.frame == b.frame && a.init == b.init && a.size == b.size &&
           a.range == b.range && a.var == b.var && (((a.kind != k_scalar || (a.frame & exact) == 0) && a.var == 0) || a.s == b.s);
}

// Layout: per frame 11 registers, 2 frame cells, 64 stack slots; then the globals.
inline constexpr std::uint32_t frame_regs = 11, frame_meta = 11, frame_slots = 13, frame_cells = 77,
                               max_frames = 8;
// frame_meta: v = allocated stack bytes; frame_meta + 1: v = call site, frame = subprogram index
inline constexpr std::uint32_t max_refs = 8;                              // acquired references tracked
inline constexpr std::uint32_t cell_refs = max_frames * frame_cells;     // v = an acquired reference's id
inline constexpr std::uint32_t cell_curframe = cell_refs + max_refs;     // v = current frame
inline constexpr std::uint32_t cell_forks = cell_curframe + 1;  // v = unfolded branches on the path
inline constexpr std::uint32_t cell_gotos = cell_curframe + 2;  // v = may_goto forks on the path
inline constexpr std::uint32_t hashed_cells = cell_curframe + 1; // the path counters are not hashed
inline constexpr std::uint32_t total_cells = cell_curframe + 3;

constexpr std::uint64_t avalanche(std::uint64_t x) { return (x ^ (x >> 31)) * 0x94d049bb133111ebull; }

// Registers are hashed when a state is compared (only the live ones count); every other cell is
// hashed incrementally as it changes.
constexpr bool is_register_cell(std::uint32_t i) { return i < cell_refs && i % frame_cells < frame_regs; }

// Contribution of one cell to a state hash; an all-zero cell contributes nothing. (One
// expression: constant evaluation counts statements.)
// Pointers that may be null hash their id too: which registers a null check marks decides the
// state (ids are never reused, so such states are never equal: sound, if less pruning).
constexpr std::uint64_t cell_bits(std::uint32_t i, const cell& c) {
    return std::uint64_t{c.kind} | std::uint64_t{c.frame} << 8 | std::uint64_t{c.init} << 16 |
           std::uint64_t{c.size} << 24 | std::uint64_t{i} << 32 | (std::uint64_t{static_cast<std::uint32_t>(c.range)} << 44) |
           (c.kind >= k_map_value_or_null && c.kind != k_map_value && !is_packet(c.kind) && c.kind != k_pkt_end
                ? std::uint64_t{c.id} * 0x9e3779b97f4a7c15ull
                : 0);
}
// an exact scalar's tnum and bounds (v already holds ~umax)
constexpr std::uint64_t scalar_bits(const cell& c) {
    return avalanche(c.s.var_off.value * 0xd6e8feb86659fd93ull ^ c.s.var_off.mask) ^
           avalanche(static_cast<std::uint64_t>(c.s.smin) * 0xa0761d6478bd642full ^ static_cast<std::uint64_t>(c.s.smax)) ^
           (c.s.umin * 0xe7037ed1a0b428dbull) ^
           avalanche((std::uint64_t{static_cast<std::uint32_t>(c.s.s32_min)} << 32 | static_cast<std::uint32_t>(c.s.s32_max)) *
                         0x8ebc6af09c88c6e3ull ^
                     (std::uint64_t{c.s.u32_min} << 32 | c.s.u32_max));
}
constexpr std::uint64_t mix_hash(std::uint64_t x) {
    return (x * 0x94d049bb133111ebull ^ (x * 0x94d049bb133111ebull >> 29)) * 0x9e3779b97f4a7c15ull;
}
constexpr std::uint64_t cell_hash(std::uint32_t i, const cell& c) {
    return (c.v | c.kind | c.frame | c.init | c.size | c.range) == 0 || i >= hashed_cells
               ? 0
               : mix_hash(static_cast<std::uint64_t>(c.v) * 0xbf58476d1ce4e5b9ull ^ cell_bits(i, c) ^
                          (((c.frame & exact) != 0 && c.kind == k_scalar) || c.var != 0 ? scalar_bits(c) ^ c.var : 0));
}

struct trail_entry {
    std::uint32_t index = 0;
    cell old{};
};

} // namespace ctbpf::detail::vfy
