// Random programs for the interpreter's kernel differential (vm_differential_kernel_test.cpp): valid by
// construction for xdp, sched_cls and socket_filter, so that the kernel loads nearly all of them. r6
// holds the context and r10 the frame; every other register a program reads is a scalar (pointers
// live only inside one block and are overwritten at its end), so the result (r0, folded with every
// register at the exit), the packet, the context and the maps do not depend on addresses. A program
// exercises ALU operations of both widths, conditional jumps, the stack (narrow, sign-extending,
// atomics), map values (array and hash, looked up, updated, deleted, atomics), packet bytes behind
// data_end checks, LD_ABS/LD_IND, context fields, helpers with deterministic results, bounded loops
// and bpf-to-bpf calls. Also random packets and contexts for them.
// Left out, because the kernel's own result is not reproducible: bpf_get_prandom_u32 and the clocks;
// may_goto (on x86-64 since 6.14 its budget is time, about 250 ms, not a count: 7.6e8 iterations one
// run, 7.7e8 the next). bpf_xdp_adjust_meta is left out because this kernel refuses it to XDP programs.
#pragma once

#include <ctbpf/insn.hpp>
#include <ctbpf/program.hpp>

#include <cstdint>
#include <vector>

namespace vm_fuzz {

using ctbpf::insn;
using ctbpf::make_insn;
namespace op = ctbpf::op;

struct rng {
    std::uint64_t s;
    explicit rng(std::uint64_t seed) : s(mix(seed + 0x632be59bd9b4e019ull)) {} // (nearby seeds: unrelated streams)
    static std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t next() { return mix(s += 0x9e3779b97f4a7c15ull); } // splitmix64
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
    bool chance(std::uint32_t pct) { return below(100) < pct; }
    template <class T, std::size_t N>
    T pick(const T (&a)[N]) { return a[below(N)]; }
};

// The maps every program may use (their fds are patched into lddw src=1 by the caller).
inline constexpr std::uint32_t array_value = 16, array_max = 4, hash_value = 16, hash_max = 6;
struct map_fds {
    int array = -1, hash = -1, progs = -1; // progs: a prog array (slot 0: the program itself, 1: empty)
    int single = -1;                       // an array of one element (lddw src=2 takes its value's address)
};

// Main frame stack: fp-64 .. fp-1 random slots; fp-72 a map key; fp-96 .. fp-73 a helper buffer.
inline constexpr int key_at = -72, buf_at = -96, buf_size = 24;

class generator {
public:
    generator(rng& r, ctbpf::prog_type t, map_fds m) : r_(r), type_(t), maps_(m) {}

    std::vector<insn> make() {
        p_.clear();
        calls_.clear();
        subs_ = 0;
        ldabs_ = type_ != ctbpf::prog_type::xdp && r_.chance(50);
        with_calls_ = !ldabs_ && r_.chance(40);
        if (with_calls_) subs_ = 1 + static_cast<int>(r_.below(2));
        for (bool& b : ptr_arg_) b = r_.chance(35);
        main_ = true;
        emit(make_insn(op::alu64 | op::mov | op::x, 6, 1, 0, 0)); // r6 = ctx
        for (int at = -96; at < 0; at += 8) // the whole used stack, so that every read is of written bytes
            emit(make_insn(op::st | op::mem | op::dw, 10, 0, static_cast<std::int16_t>(at), rand_imm()));
        for (int reg : {0, 1, 2, 3, 4, 5, 7, 8, 9}) set_scalar(reg);
        const int blocks = 3 + static_cast<int>(r_.below(28));
        for (int i = 0; i < blocks; ++i) block(0);
        for (int t = 0; t < subs_; ++t) { // every subprogram reachable (the kernel rejects dead code)
            bool called = false;
            for (const auto& c : calls_) called = called || c.second == t;
            if (!called) call_to(t);
        }
        epilogue();
        // subprograms: scalar registers r0-r5 and r7-r9, their own stack (fp-96 .. fp-1)
        std::vector<std::size_t> starts;
        main_ = false;
        for (int s = 0; s < subs_; ++s) {
            cur_sub_ = s;
            starts.push_back(p_.size());
            for (int at = -96; at < 0; at += 8)
                emit(make_insn(op::st | op::mem | op::dw, 10, 0, static_cast<std::int16_t>(at), rand_imm()));
            for (int reg : {7, 8, 9}) set_scalar(reg); // (callee-saved: the caller's come back at exit)
            if (ptr_arg_[s]) { // r1 points into the caller's stack: read and write it, then r1 = a scalar
                for (int i = 0, k = 1 + static_cast<int>(r_.below(3)); i < k; ++i) {
                    const int size = r_.pick({1, 2, 4, 8});
                    const auto off = static_cast<std::int16_t>(size * static_cast<int>(r_.below(8 / size)));
                    if (r_.chance(50)) emit(make_insn(static_cast<std::uint8_t>(op::ldx | op::mem | size_code(size)), 2 + static_cast<std::uint8_t>(r_.below(4)), 1, off, 0));
                    else emit(make_insn(static_cast<std::uint8_t>(op::stx | op::mem | size_code(size)), 1, 2 + static_cast<std::uint8_t>(r_.below(4)), off, 0));
                }
                set_scalar(1);
            }
            emit(make_insn(op::alu64 | op::mov | op::x, 0, 1 + static_cast<std::uint8_t>(r_.below(5)), 0, 0));
            const int n = 1 + static_cast<int>(r_.below(6));
            for (int i = 0; i < n; ++i) block(0);
            emit(make_insn(op::jmp | op::exit, 0, 0, 0, 0));
        }
        for (const auto& [at, target] : calls_)
            p_[at].imm = static_cast<std::int32_t>(static_cast<std::int64_t>(starts[target]) - static_cast<std::int64_t>(at) - 1);
        return p_;
    }

private:
    rng& r_;
    ctbpf::prog_type type_;
    map_fds maps_;
    std::vector<insn> p_;
    std::vector<std::pair<std::size_t, int>> calls_;
    bool ldabs_ = false, with_calls_ = false, main_ = true;
    int subs_ = 0, cur_sub_ = 0;
    bool ptr_arg_[2] = {}; // subprogram i takes a pointer to the caller's stack in r1

    void emit(insn x) { p_.push_back(x); }
    std::int32_t rand_imm() {
        switch (r_.below(6)) {
        case 0: return static_cast<std::int32_t>(r_.below(16));
        case 1: return -static_cast<std::int32_t>(r_.below(16));
        case 2: return r_.pick({0x7fffffff, static_cast<std::int32_t>(0x80000000u), -1, 0x80, 0xff, 0xffff, 0x8000, 0x7f});
        default: return static_cast<std::int32_t>(r_.next());
        }
    }
    // a scalar register of the current function
    std::uint8_t scalar() {
        static constexpr std::uint8_t main_regs[] = {0, 1, 2, 3, 4, 5, 7, 8, 9};
        static constexpr std::uint8_t sub_regs[] = {0, 1, 2, 3, 4, 5};
        return main_ ? r_.pick(main_regs) : r_.pick(sub_regs);
    }
    std::uint8_t saved() { return static_cast<std::uint8_t>(7 + r_.below(3)); } // r7-r9 (main)
    void set_scalar(int reg) {
        const auto d = static_cast<std::uint8_t>(reg);
        if (r_.chance(25)) {
            static constexpr std::uint64_t special[] = {0x8000000000000000ull, ~0ull, 0x7fffffffffffffffull, 0x80000000ull,
                                                        0xffffffff80000000ull, 0xffffffffull, 0x100000000ull};
            const std::uint64_t v = r_.chance(30) ? r_.pick(special) : r_.next();
            emit(make_insn(op::ld | op::imm | op::dw, d, 0, 0, static_cast<std::int32_t>(v)));
            emit(make_insn(0, 0, 0, 0, static_cast<std::int32_t>(v >> 32)));
        } else {
            const std::uint8_t cls = r_.chance(30) ? op::alu : op::alu64; // (one draw per statement: the same
            emit(make_insn(static_cast<std::uint8_t>(cls | op::mov), d, 0, 0, rand_imm())); // program on every compiler)
        }
    }
    // after a helper call, LD_ABS or a block that held pointers: r1-r5 scalars again
    void reset_args() {
        for (int reg = 1; reg <= 5; ++reg) {
            if (main_ && r_.chance(50))
                emit(make_insn(op::alu64 | op::mov | op::x, static_cast<std::uint8_t>(reg), saved(), 0, 0));
            else set_scalar(reg);
        }
    }
    void lddw_map(std::uint8_t d, int fd) {
        emit(make_insn(op::ld | op::imm | op::dw, d, op::pseudo_map_fd, 0, fd));
        emit(make_insn(0, 0, 0, 0, 0));
    }
    std::size_t jump_placeholder(insn x) {
        p_.push_back(x);
        return p_.size() - 1;
    }
    void land(std::size_t at) { p_[at].off = static_cast<std::int16_t>(p_.size() - at - 1); }

    void block(int depth) {
        const bool skb = type_ != ctbpf::prog_type::xdp;
        const bool direct = type_ != ctbpf::prog_type::socket_filter;
        for (;;) {
            // subprograms: ALU, jumps, stack, loops, maps, csum_diff, the CPU id (no context, packet or calls)
            static constexpr std::uint32_t sub_kinds[] = {0, 1, 2, 3, 4, 5, 6, 7, 13, 15};
            switch (main_ ? r_.below(17) : r_.pick(sub_kinds)) {
            case 0:
            case 1: return alu();
            case 2: return alu();
            case 3:
                if (depth >= 2) break;
                return cond(depth);
            case 4: return stack_op();
            case 5:
                if (depth >= 2) break;
                return loop();
            case 6: return map_value();
            case 7: return map_update();
            case 8:
                if (!direct) break;
                return packet();
            case 9: return ctx_field();
            case 10:
                if (!ldabs_) break;
                return ld_abs();
            case 11:
                if (!with_calls_) break;
                return call_sub();
            case 12:
                if (!skb) break;
                return skb_bytes();
            case 13:
                if (type_ == ctbpf::prog_type::socket_filter) break;
                return csum_diff();
            case 14:
                if (type_ != ctbpf::prog_type::xdp) break;
                return xdp_adjust();
            case 15:
                if (main_ && type_ != ctbpf::prog_type::socket_filter && r_.chance(30)) return redirect();
                return cpu_id();
            case 16:
                if (maps_.progs < 0 || !r_.chance(30)) break;
                return tail_call();
            }
        }
    }

    void alu(std::uint8_t forbid = 0xff) {
        std::uint8_t d = scalar();
        while (d == forbid) d = scalar();
        std::uint8_t s = scalar();
        while (s == forbid) s = scalar();
        const bool is64 = r_.chance(50);
        const std::uint8_t cls = is64 ? op::alu64 : op::alu;
        static constexpr std::uint8_t ops[] = {op::add, op::sub, op::mul, op::div, op::or_, op::and_, op::lsh, op::rsh,
                                               op::neg, op::mod, op::xor_, op::mov, op::arsh, op::end};
        const std::uint8_t o = r_.pick(ops);
        if (o == op::end) {
            const std::int32_t w = r_.pick({16, 32, 64});
            const std::uint8_t dir = r_.chance(50) ? op::to_be : op::to_le; // ALU64: bswap (K)
            emit(make_insn(static_cast<std::uint8_t>((is64 ? op::alu64 : op::alu) | op::end | (is64 ? 0 : dir)), d, 0, 0, w));
            return;
        }
        if (o == op::neg) return emit(make_insn(static_cast<std::uint8_t>(cls | op::neg), d, 0, 0, 0));
        if (o == op::mov && r_.chance(40)) { // movsx
            const std::int16_t off = is64 ? r_.pick({std::int16_t{8}, std::int16_t{16}, std::int16_t{32}})
                                          : r_.pick({std::int16_t{8}, std::int16_t{16}});
            return emit(make_insn(static_cast<std::uint8_t>(cls | op::mov | op::x), d, s, off, 0));
        }
        std::int16_t off = 0;
        if ((o == op::div || o == op::mod) && r_.chance(50)) off = 1; // sdiv / smod
        if (r_.chance(55)) {
            if ((o == op::div || o == op::mod) && s != d && r_.chance(30)) // the divisor 0 or -1 often
                emit(make_insn(op::alu64 | op::mov, s, 0, 0, r_.pick({0, -1, 1})));
            return emit(make_insn(static_cast<std::uint8_t>(cls | o | op::x), d, s, off, 0));
        }
        std::int32_t imm = rand_imm();
        if (o == op::lsh || o == op::rsh || o == op::arsh) imm = static_cast<std::int32_t>(r_.below(is64 ? 64 : 32));
        if ((o == op::div || o == op::mod) && imm == 0) imm = r_.chance(50) ? -1 : 3;
        emit(make_insn(static_cast<std::uint8_t>(cls | o), d, 0, off, imm));
    }

    insn cond_jump() {
        static constexpr std::uint8_t jops[] = {op::jeq, op::jgt, op::jge, op::jset, op::jne, op::jsgt,
                                                op::jsge, op::jlt, op::jle, op::jslt, op::jsle};
        const std::uint8_t cls = r_.chance(50) ? op::jmp : op::jmp32;
        const std::uint8_t o = r_.pick(jops);
        const std::uint8_t a = scalar();
        if (r_.chance(50)) {
            const std::uint8_t b = scalar();
            return make_insn(static_cast<std::uint8_t>(cls | o | op::x), a, b, 0, 0);
        }
        return make_insn(static_cast<std::uint8_t>(cls | o), a, 0, 0, rand_imm());
    }
    void cond(int depth) {
        const std::size_t j = jump_placeholder(cond_jump());
        const int n = 1 + static_cast<int>(r_.below(3));
        for (int i = 0; i < n; ++i) block(depth + 1);
        if (r_.chance(10)) { // an early exit (no else branch: its jump would be dead code)
            emit(make_insn(op::alu64 | op::mov | op::x, 0, scalar(), 0, 0));
            emit(make_insn(op::jmp | op::exit, 0, 0, 0, 0));
            land(j);
        } else if (r_.chance(30)) { // an else branch
            const bool gotol = r_.chance(30); // ja with a 32-bit offset
            const std::size_t skip = jump_placeholder(make_insn(gotol ? op::jmp32 | op::ja : op::jmp | op::ja, 0, 0, 0, 0));
            land(j);
            block(depth + 1);
            land(skip);
            if (gotol) p_[skip].imm = p_[skip].off, p_[skip].off = 0;
        } else {
            land(j);
        }
    }

    std::uint8_t size_code(int bytes) {
        return bytes == 1 ? op::b : bytes == 2 ? op::h : bytes == 4 ? op::w : op::dw;
    }
    void stack_op() {
        const int size = r_.pick({1, 2, 4, 8});
        const int at = -64 + size * static_cast<int>(r_.below(64 / size)); // aligned (the kernel insists)
        const auto off = static_cast<std::int16_t>(at);
        const std::uint8_t sz = size_code(size);
        switch (r_.below(4)) {
        case 0: emit(make_insn(static_cast<std::uint8_t>(op::stx | op::mem | sz), 10, scalar(), off, 0)); break;
        case 1: emit(make_insn(static_cast<std::uint8_t>(op::st | op::mem | sz), 10, 0, off, rand_imm())); break;
        case 2: {
            const bool sx = size < 8 && r_.chance(50);
            emit(make_insn(static_cast<std::uint8_t>(op::ldx | (sx ? op::memsx : op::mem) | sz), scalar(), 10, off, 0));
            break;
        }
        default:
            if (r_.chance(20)) { // load-acquire / store-release (any size)
                if (r_.chance(50)) emit(make_insn(static_cast<std::uint8_t>(op::stx | op::atomic | sz), scalar(), 10, off, op::load_acq));
                else emit(make_insn(static_cast<std::uint8_t>(op::stx | op::atomic | sz), 10, scalar(), off, op::store_rel));
                return;
            }
            if (size < 4) return stack_op();
            atomic(10, off, sz);
        }
    }
    void atomic(std::uint8_t base, std::int16_t off, std::uint8_t sz) {
        static constexpr std::int32_t aops[] = {op::add, op::or_, op::and_, op::xor_};
        std::int32_t imm = 0;
        switch (r_.below(4)) {
        case 0: imm = r_.pick(aops); break;
        case 1: imm = r_.pick(aops) | op::fetch; break;
        case 2: imm = op::xchg; break;
        default: imm = op::cmpxchg;
        }
        const std::uint8_t s = base == 1 ? saved() : scalar(); // (after a lookup r2-r5 are not set; r1 is the value)
        if (imm == op::cmpxchg && r_.chance(50)) { // make the compare succeed sometimes
            emit(make_insn(static_cast<std::uint8_t>(op::ldx | op::mem | sz), 0, base, off, 0));
            if (r_.chance(30)) emit(make_insn(op::alu64 | op::add, 0, 0, 0, 1));
        }
        emit(make_insn(static_cast<std::uint8_t>(op::stx | op::atomic | sz), base, s, off, imm));
    }
    void loop() {
        const std::uint8_t c = main_ ? saved() : static_cast<std::uint8_t>(1 + r_.below(5));
        emit(make_insn(op::alu64 | op::mov, c, 0, 0, 1 + static_cast<std::int32_t>(r_.below(4))));
        const std::size_t top = p_.size();
        const int n = 1 + static_cast<int>(r_.below(3));
        for (int i = 0; i < n; ++i) {
            if (r_.chance(70)) alu(c);
            else {
                const int at = -64 + 8 * static_cast<int>(r_.below(8));
                emit(make_insn(op::stx | op::mem | op::dw, 10, scalar(), static_cast<std::int16_t>(at), 0));
            }
        }
        emit(make_insn(static_cast<std::uint8_t>((r_.chance(50) ? op::alu64 : op::alu) | op::add), c, 0, 0, -1));
        const std::uint8_t cls = r_.chance(50) ? op::jmp : op::jmp32;
        const std::uint8_t o = r_.chance(50) ? op::jne : op::jsgt;
        emit(make_insn(static_cast<std::uint8_t>(cls | o), c, 0, static_cast<std::int16_t>(static_cast<std::int64_t>(top) - static_cast<std::int64_t>(p_.size()) - 1), 0));
    }
    void store_key(std::uint32_t mask) { // *(u32 *)(fp-72) = some register & mask
        emit(make_insn(op::alu64 | op::mov | op::x, 1, saved(), 0, 0));
        emit(make_insn(op::alu64 | op::and_, 1, 0, 0, static_cast<std::int32_t>(mask)));
        emit(make_insn(op::stx | op::mem | op::w, 10, 1, key_at, 0));
    }
    void map_value() {
        const bool hash = r_.chance(40);
        const bool direct = !hash && maps_.single >= 0 && r_.chance(25); // r1 = &single[0] + 0 (lddw src=2)
        std::size_t j = 0;
        if (direct) {
            emit(make_insn(op::ld | op::imm | op::dw, 1, op::pseudo_map_value, 0, maps_.single));
            emit(make_insn(0, 0, 0, 0, 0));
        } else {
            store_key(hash ? 7 : (r_.chance(80) ? 3 : 7));
            lddw_map(1, hash ? maps_.hash : maps_.array);
            emit(make_insn(op::alu64 | op::mov | op::x, 2, 10, 0, 0));
            emit(make_insn(op::alu64 | op::add, 2, 0, 0, key_at));
            emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::map_lookup_elem)));
            j = jump_placeholder(make_insn(op::jmp | op::jeq, 0, 0, 0, 0));
            emit(make_insn(op::alu64 | op::mov | op::x, 1, 0, 0, 0)); // r1: the value
            emit(make_insn(op::alu64 | op::mov | op::x, 0, saved(), 0, 0));
        }
        int room = 16; // bytes from r1 to the value's end (less after a variable offset of 0 .. 8)
        if (r_.chance(20)) {
            emit(make_insn(op::alu64 | op::mov | op::x, 2, saved(), 0, 0));
            emit(make_insn(op::alu64 | op::and_, 2, 0, 0, 8));
            emit(make_insn(op::alu64 | op::add | op::x, 1, 2, 0, 0));
            room = 8;
        }
        const int n = 1 + static_cast<int>(r_.below(4));
        for (int i = 0; i < n; ++i) {
            const int size = r_.pick({1, 2, 4, 8});
            const int k = r_.below(5);
            if (k == 4 && size >= 4) {
                atomic(1, static_cast<std::int16_t>(size * static_cast<int>(r_.below(static_cast<std::uint32_t>(room / size)))), size_code(size));
                continue;
            }
            const auto off = static_cast<std::int16_t>(r_.below(static_cast<std::uint32_t>(room - size + 1))); // unaligned is fine here
            const std::uint8_t sz = size_code(size);
            if (k == 0) emit(make_insn(static_cast<std::uint8_t>(op::stx | op::mem | sz), 1, saved(), off, 0));
            else if (k == 1) emit(make_insn(static_cast<std::uint8_t>(op::st | op::mem | sz), 1, 0, off, rand_imm()));
            else {
                const bool sx = size < 8 && r_.chance(40);
                const std::uint8_t d = r_.pick({std::uint8_t{0}, std::uint8_t{7}, std::uint8_t{8}, std::uint8_t{9}});
                emit(make_insn(static_cast<std::uint8_t>(op::ldx | (sx ? op::memsx : op::mem) | sz), d, 1, off, 0));
            }
        }
        if (!direct) land(j);
        reset_args();
    }
    void map_update() {
        const bool hash = r_.chance(65);
        store_key(r_.chance(80) ? 7 : 0xff);
        if (r_.chance(50)) {
            const std::uint8_t v = saved();
            emit(make_insn(op::stx | op::mem | op::dw, 10, v, static_cast<std::int16_t>(buf_at + 8 * static_cast<int>(r_.below(2))), 0));
        }
        lddw_map(1, hash ? maps_.hash : maps_.array);
        emit(make_insn(op::alu64 | op::mov | op::x, 2, 10, 0, 0));
        emit(make_insn(op::alu64 | op::add, 2, 0, 0, key_at));
        if (r_.chance(35)) {
            emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::map_delete_elem)));
        } else {
            emit(make_insn(op::alu64 | op::mov | op::x, 3, 10, 0, 0));
            emit(make_insn(op::alu64 | op::add, 3, 0, 0, buf_at));
            emit(make_insn(op::alu64 | op::mov, 4, 0, 0, r_.chance(85) ? static_cast<std::int32_t>(r_.below(3)) : r_.pick({3, 4, 8, 0x100})));
            emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::map_update_elem)));
        }
        reset_args();
    }
    void packet() {
        const bool xdp = type_ == ctbpf::prog_type::xdp;
        const bool meta = xdp && r_.chance(25);
        // r2 = data (or data_meta), r3 = data_end (or data)
        const std::int16_t data = xdp ? (meta ? 8 : 0) : 76, end = xdp ? (meta ? 0 : 4) : 80;
        emit(make_insn(op::ldx | op::mem | op::w, 2, 6, data, 0));
        emit(make_insn(op::ldx | op::mem | op::w, 3, 6, end, 0));
        if (r_.chance(25)) { // a variable offset: r2 += some register & 0x3f
            emit(make_insn(op::alu64 | op::mov | op::x, 4, saved(), 0, 0));
            emit(make_insn(op::alu64 | op::and_, 4, 0, 0, 0x3f));
            emit(make_insn(op::alu64 | op::add | op::x, 2, 4, 0, 0));
        }
        const int n = 1 + static_cast<int>(r_.below(r_.chance(20) ? 120 : 40));
        emit(make_insn(op::alu64 | op::mov | op::x, 4, 2, 0, 0));
        emit(make_insn(op::alu64 | op::add, 4, 0, 0, n));
        std::size_t j = 0;
        if (r_.chance(50)) j = jump_placeholder(make_insn(op::jmp | op::jgt | op::x, 4, 3, 0, 0));
        else j = jump_placeholder(make_insn(op::jmp | op::jlt | op::x, 3, 4, 0, 0));
        const int k = 1 + static_cast<int>(r_.below(4));
        for (int i = 0; i < k; ++i) {
            int size = r_.pick({1, 2, 4, 8});
            while (size > n) size /= 2;
            const auto off = static_cast<std::int16_t>(r_.below(static_cast<std::uint32_t>(n - size + 1)));
            const std::uint8_t sz = size_code(size);
            switch (r_.below(3)) {
            case 0: emit(make_insn(static_cast<std::uint8_t>(op::stx | op::mem | sz), 2, saved(), off, 0)); break;
            case 1: emit(make_insn(static_cast<std::uint8_t>(op::st | op::mem | sz), 2, 0, off, rand_imm())); break;
            default: {
                const bool sx = size < 8 && r_.chance(30);
                emit(make_insn(static_cast<std::uint8_t>(op::ldx | (sx ? op::memsx : op::mem) | sz), r_.pick({std::uint8_t{0}, std::uint8_t{5}, std::uint8_t{7}, std::uint8_t{8}, std::uint8_t{9}}), 2, off, 0));
            }
            }
        }
        if (r_.chance(15)) { // bpf_csum_diff over packet bytes (from) and the stack buffer (to)
            emit(make_insn(op::alu64 | op::mov | op::x, 1, 2, 0, 0));
            emit(make_insn(op::alu64 | op::mov, 2, 0, 0, 1 + static_cast<std::int32_t>(r_.below(static_cast<std::uint32_t>(n)))));
            emit(make_insn(op::alu64 | op::mov | op::x, 3, 10, 0, 0));
            emit(make_insn(op::alu64 | op::add, 3, 0, 0, buf_at));
            emit(make_insn(op::alu64 | op::mov, 4, 0, 0, static_cast<std::int32_t>(r_.below(buf_size + 1))));
            emit(make_insn(op::alu64 | op::mov | op::x, 5, saved(), 0, 0));
            emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::csum_diff)));
            set_scalar(1), set_scalar(5);
        }
        land(j);
        for (std::uint8_t reg : {2, 3, 4}) set_scalar(reg);
    }
    void ctx_field() {
        const std::uint8_t d = r_.pick({std::uint8_t{0}, std::uint8_t{5}, std::uint8_t{7}, std::uint8_t{8}, std::uint8_t{9}});
        if (type_ == ctbpf::prog_type::xdp) { // ingress_ifindex, rx_queue_index
            emit(make_insn(op::ldx | op::mem | op::w, d, 6, r_.pick({std::int16_t{12}, std::int16_t{16}}), 0));
            return;
        }
        // __sk_buff: len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto,
        // priority, ingress_ifindex, ifindex, tc_index, cb[0..4], hash, tc_classid (tc), napi_id...
        static constexpr std::int16_t reads[] = {0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 84, 160, 164, 176};
        const bool tc = type_ == ctbpf::prog_type::sched_cls;
        if (r_.chance(35)) { // writes: cb (both), mark, priority, tc_index, tc_classid (tc)
            static constexpr std::int16_t writes_tc[] = {8, 12, 32, 44, 48, 52, 56, 60, 64, 72}; // (12: queue_mapping)
            static constexpr std::int16_t writes_sf[] = {48, 52, 56, 60, 64};
            const std::int16_t off = tc ? r_.pick(writes_tc) : r_.pick(writes_sf);
            const bool cb = off >= 48 && off < 68;
            const int size = cb ? r_.pick({1, 2, 4}) : 4;
            const auto at = static_cast<std::int16_t>(off + (cb ? size * static_cast<int>(r_.below(4 / size)) : 0));
            if (r_.chance(50)) emit(make_insn(static_cast<std::uint8_t>(op::stx | op::mem | size_code(size)), 6, saved(), at, 0));
            else emit(make_insn(static_cast<std::uint8_t>(op::st | op::mem | size_code(size)), 6, 0, at, rand_imm()));
            return;
        }
        if (r_.chance(8)) { // cb[] as 8-byte words
            const auto at = static_cast<std::int16_t>(r_.chance(50) ? 48 : 56);
            if (r_.chance(50)) emit(make_insn(op::stx | op::mem | op::dw, 6, saved(), at, 0));
            else emit(make_insn(op::ldx | op::mem | op::dw, d, 6, at, 0));
            return;
        }
        if (tc && r_.chance(10)) { // tstamp (read, write) and hwtstamp (read): 8 bytes
            if (r_.chance(40)) emit(make_insn(op::stx | op::mem | op::dw, 6, saved(), 152, 0));
            else emit(make_insn(op::ldx | op::mem | op::dw, d, 6, r_.chance(50) ? 152 : 184, 0));
            return;
        }
        std::int16_t off = r_.pick(reads);
        if (!tc && (off == 72 || off == 44 || off >= 160)) off = 0; // (tc only)
        const int size = r_.chance(75) ? 4 : r_.pick({1, 2});
        const auto at = static_cast<std::int16_t>(off + (size < 4 && r_.chance(50) ? size * static_cast<int>(r_.below(4 / size)) : 0));
        emit(make_insn(static_cast<std::uint8_t>(op::ldx | op::mem | size_code(size)), d, 6, at, 0));
    }
    void ld_abs() {
        const std::uint8_t sz = r_.pick({op::b, op::h, op::w});
        std::int32_t imm = static_cast<std::int32_t>(r_.below(r_.chance(80) ? 64 : 1600));
        if (r_.chance(10)) imm += r_.pick({-0x100000, -0x200000});
        if (r_.chance(50)) {
            emit(make_insn(static_cast<std::uint8_t>(op::ld | op::abs | sz), 0, 0, 0, imm));
        } else {
            const std::uint8_t s = saved();
            if (r_.chance(70)) emit(make_insn(op::alu64 | op::and_, s, 0, 0, 0x3f));
            emit(make_insn(static_cast<std::uint8_t>(op::ld | op::ind | sz), 0, s, 0, imm / 2));
        }
        reset_args();
    }
    void call_sub() {
        int target = 0;
        if (!main_) {
            if (cur_sub_ + 1 >= subs_) return alu();
            target = cur_sub_ + 1;
        } else {
            target = static_cast<int>(r_.below(static_cast<std::uint32_t>(subs_)));
        }
        call_to(target);
    }
    void call_to(int target) {
        if (ptr_arg_[target]) {
            if (!main_) return alu(); // (only main's stack slots are known initialised)
            emit(make_insn(op::alu64 | op::mov | op::x, 1, 10, 0, 0));
            emit(make_insn(op::alu64 | op::add, 1, 0, 0, -64 + 8 * static_cast<std::int32_t>(r_.below(8))));
        }
        calls_.push_back({p_.size(), target});
        emit(make_insn(op::jmp | op::call, 0, op::pseudo_call, 0, 0));
        reset_args();
    }
    void skb_bytes() {
        const bool store = type_ == ctbpf::prog_type::sched_cls && r_.chance(50);
        emit(make_insn(op::alu64 | op::mov | op::x, 1, 6, 0, 0));
        if (r_.chance(60)) {
            const std::int32_t off = static_cast<std::int32_t>(r_.below(80));
            emit(make_insn(op::alu64 | op::mov, 2, 0, 0, off - (r_.chance(5) ? 100 : 0)));
        }
        else {
            emit(make_insn(op::alu64 | op::mov | op::x, 2, saved(), 0, 0));
            emit(make_insn(op::alu64 | op::and_, 2, 0, 0, r_.pick({0x3f, 0xff, -1})));
        }
        emit(make_insn(op::alu64 | op::mov | op::x, 3, 10, 0, 0));
        emit(make_insn(op::alu64 | op::add, 3, 0, 0, buf_at));
        emit(make_insn(op::alu64 | op::mov, 4, 0, 0, 1 + static_cast<std::int32_t>(r_.below(16))));
        if (store) emit(make_insn(op::alu64 | op::mov, 5, 0, 0, r_.chance(85) ? static_cast<std::int32_t>(r_.below(4)) : 8));
        emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(store ? ctbpf::helper::skb_store_bytes : ctbpf::helper::skb_load_bytes)));
        if (!store && r_.chance(70)) {
            const std::uint8_t d = saved();
            emit(make_insn(op::ldx | op::mem | op::dw, d, 10, static_cast<std::int16_t>(buf_at + 8 * static_cast<int>(r_.below(2))), 0));
        }
        reset_args();
    }
    void csum_diff() {
        const std::int32_t from = 4 * static_cast<std::int32_t>(r_.below(9)), to = 4 * static_cast<std::int32_t>(r_.below(7));
        // (Linux 6.13+ takes any sizes; 6.18 does not take NULL for an empty buffer)
        emit(make_insn(op::alu64 | op::mov | op::x, 1, 10, 0, 0));
        emit(make_insn(op::alu64 | op::add, 1, 0, 0, -64));
        emit(make_insn(op::alu64 | op::mov, 2, 0, 0, r_.chance(80) ? from : static_cast<std::int32_t>(r_.below(65))));
        emit(make_insn(op::alu64 | op::mov | op::x, 3, 10, 0, 0));
        emit(make_insn(op::alu64 | op::add, 3, 0, 0, buf_at));
        emit(make_insn(op::alu64 | op::mov, 4, 0, 0, r_.chance(80) ? to : static_cast<std::int32_t>(r_.below(25))));
        emit(make_insn(op::alu64 | op::mov | op::x, 5, saved(), 0, 0));
        emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::csum_diff)));
        reset_args();
    }
    void xdp_adjust() {
        // (Linux 6.18 as built here refuses bpf_xdp_adjust_meta to XDP programs: "program of this type
        // cannot use helper"; vm_kernel_test covers data_meta through xdp_md.data instead)
        static constexpr ctbpf::helper h[] = {ctbpf::helper::xdp_adjust_head, ctbpf::helper::xdp_adjust_tail};
        emit(make_insn(op::alu64 | op::mov | op::x, 1, 6, 0, 0));
        std::int32_t delta = static_cast<std::int32_t>(r_.below(81)) - 40;
        if (r_.chance(15)) delta = r_.pick({-256, -216, -200, 200, 1000, -1000, 3000, -4, 4, -255, -260});
        emit(make_insn(op::alu64 | op::mov, 2, 0, 0, delta));
        emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(r_.pick(h))));
        reset_args();
    }
    void tail_call() { // bpf_tail_call(ctx, progs, 0 or 1 or a register's low bit); r0 is not set
        emit(make_insn(op::alu64 | op::mov | op::x, 1, 6, 0, 0));
        lddw_map(2, maps_.progs);
        if (r_.chance(70)) emit(make_insn(op::alu64 | op::mov, 3, 0, 0, r_.chance(75) ? 0 : 1));
        else {
            emit(make_insn(op::alu64 | op::mov | op::x, 3, saved(), 0, 0));
            emit(make_insn(op::alu64 | op::and_, 3, 0, 0, 1));
        }
        emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::tail_call)));
        emit(make_insn(op::alu64 | op::mov | op::x, 0, saved(), 0, 0));
        reset_args();
    }
    void redirect() { // bpf_redirect(ifindex, flags): only its return value is seen here
        emit(make_insn(op::alu64 | op::mov, 1, 0, 0, static_cast<std::int32_t>(r_.below(4))));
        if (r_.chance(70)) emit(make_insn(op::alu64 | op::mov, 2, 0, 0, r_.chance(60) ? 0 : static_cast<std::int32_t>(r_.below(4))));
        else emit(make_insn(op::alu64 | op::mov | op::x, 2, saved(), 0, 0));
        emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::redirect)));
        reset_args();
    }
    void cpu_id() {
        emit(make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(ctbpf::helper::get_smp_processor_id)));
        reset_args();
    }
    void epilogue() { // r0 = a fold of every scalar register (the kernel reports r0's low 32 bits)
        for (std::uint8_t reg : {1, 2, 3, 4, 5, 7, 8, 9}) {
            emit(make_insn(op::alu64 | op::mul, 0, 0, 0, 0x9e3779b1));
            emit(make_insn(op::alu64 | op::add | op::x, 0, reg, 0, 0));
        }
        emit(make_insn(op::alu64 | op::mov | op::x, 9, 0, 0, 0));
        emit(make_insn(op::alu64 | op::rsh, 9, 0, 0, 32));
        emit(make_insn(op::alu64 | op::xor_ | op::x, 0, 9, 0, 0));
        emit(make_insn(op::jmp | op::exit, 0, 0, 0, 0));
    }
};

// A random Ethernet frame: IPv4, IPv6, ARP, VLAN or 802.3; destination unicast, broadcast,
// multicast or the loopback device's (zero) address.
inline std::vector<std::uint8_t> packet(rng& r, ctbpf::prog_type t) {
    const int kind = static_cast<int>(r.below(5));
    const std::uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x8100, static_cast<std::uint16_t>(r.below(0x600))};
    const std::uint32_t min = kind == 0 ? 34 : kind == 1 ? 54 : 14;
    std::uint32_t len = min + r.below(r.chance(80) ? 100 : 600);
    if (r.chance(3)) len = 3400 + r.below(600); // near and past what one page holds
    // (XDP: a frame longer than a page less headroom and tailroom becomes fragments, which the
    // interpreter does not model; it refuses such input, so none is generated)
    if (t == ctbpf::prog_type::xdp && len > 3520 - 32) len = 3520 - 32;
    std::vector<std::uint8_t> p(len);
    for (auto& b : p) b = static_cast<std::uint8_t>(r.next());
    switch (r.below(4)) {
    case 0: for (int i = 0; i < 6; ++i) p[static_cast<std::size_t>(i)] = 0xff; break;
    case 1: p[0] |= 1; break;
    case 2: for (int i = 0; i < 6; ++i) p[static_cast<std::size_t>(i)] = 0; break;
    default: p[0] &= 0xfe;
    }
    p[12] = static_cast<std::uint8_t>(types[kind] >> 8), p[13] = static_cast<std::uint8_t>(types[kind]);
    if (kind == 0) p[14] = 0x45;
    if (kind == 1) p[14] = 0x60;
    return p;
}

} // namespace vm_fuzz
