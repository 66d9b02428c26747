// A seeded random program generator for differential tests of ctbpf::check() against the kernel.
// Three classes: structural (subprograms, jumps, ld_imm64 shapes, opcodes, the last-instruction
// rule, back-edges), straight-line (every instruction kind with random fields: registers,
// stack and context accesses, pointer arithmetic, atomics, helpers, legacy packet loads) and
// branchy (straight-line blocks joined by conditional and unconditional forward jumps, constant
// branches, bounded loops, bpf-to-bpf calls). Programs stay inside what the model decides
// (helpers without arguments that every socket filter may call, no map fds, no kfuncs).
#pragma once

#include <ctbpf/insn.hpp>

#include <cstdint>
#include <vector>

namespace verify_fuzz {

enum class kind { structural, straight, branchy };

struct rng {
    std::uint64_t s;
    explicit rng(std::uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull ^ 0xd1b54a32d192ed03ull) { next(); }
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
    bool one_in(std::uint32_t n) { return below(n) == 0; }
    bool percent(std::uint32_t p) { return below(100) < p; }
};

class generator {
public:
    explicit generator(std::uint64_t seed) : g_(seed) {}

    std::vector<bpf_insn> make(kind k) {
        p_.clear();
        reset_regs();
        switch (k) {
        case kind::structural: structural(); break;
        case kind::straight: straight(); break;
        case kind::branchy: branchy(); break;
        }
        return p_;
    }

private:
    static bpf_insn I(int code, int dst, int src, int off, int imm) {
        return ctbpf::make_insn(static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(dst),
                                static_cast<std::uint8_t>(src), static_cast<std::int16_t>(off), imm);
    }
    void emit(int code, int dst, int src, int off, int imm) { p_.push_back(I(code, dst, src, off, imm)); }

    void reset_regs() {
        for (int r = 0; r < 11; ++r) init_[r] = stack_[r] = false;
        init_[1] = init_[10] = true;
        stack_[10] = true;
        ctx6_ = false;
    }

    // ---- operands ----
    int any_reg() { return g_.one_in(150) ? 11 + static_cast<int>(g_.below(5)) : static_cast<int>(g_.below(11)); }
    int live_reg() { // mostly an initialized register
        if (g_.one_in(25)) return any_reg();
        for (int tries = 0; tries < 8; ++tries) {
            const int r = static_cast<int>(g_.below(11));
            if (init_[r]) return r;
        }
        return 10;
    }
    int dst_reg() { return g_.one_in(120) ? any_reg() : static_cast<int>(g_.below(10)); }
    int stack_base() {
        for (int tries = 0; tries < 4; ++tries) {
            const int r = static_cast<int>(g_.below(10));
            if (stack_[r]) return r;
        }
        return 10;
    }
    std::int32_t imm() {
        switch (g_.below(10)) {
        case 0: return 0;
        case 1: return 1;
        case 2: return -1;
        case 3: return static_cast<std::int32_t>(g_.below(16));
        case 4: return static_cast<std::int32_t>(g_.below(70));
        case 5: return -static_cast<std::int32_t>(g_.below(600));
        case 6: return INT32_MIN;
        case 7: return INT32_MAX;
        case 8: return static_cast<std::int32_t>(1 << 29);
        default: return static_cast<std::int32_t>(g_.next());
        }
    }
    int stack_off(int size) { // mostly aligned and in range
        switch (g_.below(8)) {
        case 0: return -static_cast<int>(g_.below(530));
        case 1: return static_cast<int>(g_.below(16));
        case 2: return -size * static_cast<int>(g_.below(4));
        default: return -size * (1 + static_cast<int>(g_.below(static_cast<std::uint32_t>(512 / size))));
        }
    }
    static int size_code(int bytes) { return bytes == 4 ? 0x00 : bytes == 2 ? 0x08 : bytes == 1 ? 0x10 : 0x18; }
    int size() { return 1 << g_.below(4); }

    // ---- one straight-line instruction ----
    void straight_insn() {
        const std::uint32_t w = g_.below(100);
        if (w < 12) { // mov K
            const int d = dst_reg();
            emit(g_.percent(70) ? 0xb7 : 0xb4, d, 0, 0, imm());
            set_init(d, false);
        } else if (w < 22) { // mov X, movsx
            const int d = dst_reg(), s = live_reg();
            const bool is64 = g_.percent(70);
            int off = 0;
            if (g_.one_in(6)) off = is64 ? 8 << g_.below(3) : 8 << g_.below(2);
            if (g_.one_in(60)) off = static_cast<int>(g_.below(40));
            emit(is64 ? 0xbf : 0xbc, d, s, off, 0);
            set_init(d, is64 && off == 0 && s < 11 && stack_[s]);
        } else if (w < 42) { // ALU K
            const int d = live_reg();
            const int op = static_cast<int>(g_.below(13));
            const int opc = op >= 8 ? (op + 1) << 4 : op << 4; // skip neg (0x80)
            if (opc > 0xc0) {
                emit(0x87, d, 0, 0, 0);
            } else {
                int k = imm();
                if ((opc == 0x30 || opc == 0x90) && !g_.one_in(8) && k == 0) k = 3;
                int off = (opc == 0x30 || opc == 0x90) && g_.one_in(4) ? 1 : 0;
                if (g_.one_in(80)) off = static_cast<int>(g_.below(3));
                const bool is64 = g_.percent(70);
                if ((opc == 0x60 || opc == 0x70 || opc == 0xc0) && g_.percent(80))
                    k = static_cast<int>(g_.below(is64 ? 64 : 32)) + (g_.one_in(6) ? 32 : 0);
                if (d == 10 && opc == 0x00 && g_.percent(50)) k = -8 * static_cast<int>(g_.below(70));
                emit((is64 ? 0x07 : 0x04) | opc, d, g_.one_in(100) ? 1 : 0, off, k);
                keep_stack_ptr(d, is64 && (opc == 0x00 || opc == 0x10));
            }
        } else if (w < 52) { // ALU X
            const int d = live_reg(), s = live_reg();
            const int opc = static_cast<int>(g_.below(12)) << 4;
            const int code = opc == 0x80 ? 0xc0 : opc == 0xb0 ? 0xa0 : opc;
            const bool is64 = g_.percent(70);
            const int off = (code == 0x30 || code == 0x90) && g_.one_in(4) ? 1 : 0;
            emit((is64 ? 0x0f : 0x0c) | code, d, s, off, g_.one_in(100) ? 1 : 0);
            keep_stack_ptr(d, is64 && code == 0x00);
        } else if (w < 55) { // neg / end
            const int d = live_reg();
            const std::uint32_t c = g_.below(4);
            const int bits = g_.one_in(10) ? static_cast<int>(g_.below(70)) : 16 << g_.below(3);
            emit(c == 0 ? 0x87 : c == 1 ? 0xd4 : c == 2 ? 0xdc : 0xd7, d, 0, 0, c == 0 ? 0 : bits);
            set_init(d, false);
        } else if (w < 60) { // derive a stack pointer
            const int d = static_cast<int>(g_.below(10));
            emit(0xbf, d, 10, 0, 0);
            if (g_.percent(80)) emit(0x07, d, 0, 0, g_.percent(85) ? -8 * static_cast<int>(g_.below(66)) : imm());
            set_init(d, true);
        } else if (w < 70) { // load
            const int sz = size(), b = g_.percent(95) ? stack_base() : live_reg(), d = dst_reg();
            const bool sx = sz < 8 && g_.one_in(5);
            emit(0x01 | size_code(sz) | (sx ? 0x80 : 0x60), d, b, stack_off(sz), 0);
            set_init(d, false);
        } else if (w < 80) { // store register
            const int sz = size(), b = g_.percent(95) ? stack_base() : live_reg();
            emit(0x03 | size_code(sz) | 0x60, b, live_reg(), stack_off(sz), g_.one_in(100) ? 1 : 0);
        } else if (w < 86) { // store immediate
            const int sz = size(), b = g_.percent(95) ? stack_base() : live_reg();
            emit(0x02 | size_code(sz) | 0x60, b, g_.one_in(100) ? 1 : 0, stack_off(sz), imm());
        } else if (w < 90) { // atomics
            static constexpr int ops[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100, 0x110};
            const int sz = g_.percent(85) ? (g_.percent(50) ? 8 : 4) : size();
            int aop = ops[g_.below(12)];
            if (g_.one_in(20)) aop = static_cast<int>(g_.below(0x120));
            const int b = g_.percent(85) ? stack_base() : live_reg();
            const int s = live_reg();
            emit(0xc3 | size_code(sz), aop == 0x100 ? dst_reg() : b, aop == 0x100 ? b : s, stack_off(sz), aop);
            if (aop == 0x100) set_init(p_.back().dst_reg, false);
        } else if (w < 94) { // helper call
            static constexpr int ids[] = {5, 7, 8, 14, 42, 7, 8, 0, 212, -1, 999999};
            emit(0x85, 0, 0, 0, ids[g_.below(11)]);
            for (int r = 1; r <= 5; ++r) init_[r] = stack_[r] = false;
            init_[0] = true;
            stack_[0] = false;
        } else if (w < 97) { // legacy packet loads
            if (!ctx6_ && g_.percent(80)) {
                emit(0xbf, 6, 1, 0, 0);
                set_init(6, false);
                ctx6_ = true;
            }
            const int sz = 1 << g_.below(3);
            const bool ind = g_.percent(40);
            emit(0x00 | size_code(sz) | (ind ? 0x40 : 0x20), g_.one_in(40) ? 1 : 0, ind ? live_reg() : (g_.one_in(40) ? 2 : 0),
                 g_.one_in(40) ? 1 : 0, static_cast<int>(g_.below(64)));
            for (int r = 1; r <= 5; ++r) init_[r] = stack_[r] = false;
            init_[0] = true;
        } else if (w < 99) { // ld_imm64
            const int d = dst_reg();
            emit(0x18, d, g_.one_in(30) ? 7 : 0, g_.one_in(40) ? 1 : 0, imm());
            emit(0x00, 0, 0, 0, imm());
            set_init(d, false);
        } else { // context pointer arithmetic and accesses
            const int d = static_cast<int>(g_.below(10));
            emit(0xbf, d, 1, 0, 0);
            emit(0x07, d, 0, 0, static_cast<int>(g_.below(3)) * 4 - 4);
            if (g_.percent(50)) emit(0x61, 0, d, 0, 0);
            else emit(0xdb, d, live_reg(), 0, 0);
            set_init(d, false);
        }
    }
    void set_init(int d, bool stack_ptr) {
        if (d >= 0 && d < 11 && d != 10) {
            init_[d] = true;
            stack_[d] = stack_ptr;
        }
    }
    void keep_stack_ptr(int d, bool keeps) {
        if (d >= 0 && d < 10) stack_[d] = stack_[d] && keeps;
    }
    void finish() {
        if (g_.percent(88)) emit(0xb7, 0, 0, 0, g_.percent(80) ? 0 : imm());
        emit(0x95, g_.one_in(150) ? 1 : 0, 0, 0, 0);
    }
    void mutate() { // one random field of one instruction
        if (p_.empty()) return;
        bpf_insn& x = p_[g_.below(static_cast<std::uint32_t>(p_.size()))];
        switch (g_.below(5)) {
        case 0: x.code = static_cast<std::uint8_t>(g_.below(256)); break;
        case 1: x.dst_reg = static_cast<std::uint8_t>(g_.below(16)); break;
        case 2: x.src_reg = static_cast<std::uint8_t>(g_.below(16)); break;
        case 3: x.off = static_cast<std::int16_t>(g_.below(5)) - 2; break;
        default: x.imm = imm(); break;
        }
    }

    void straight() {
        const std::uint32_t n = 1 + g_.below(24);
        for (std::uint32_t i = 0; i < n; ++i) straight_insn();
        finish();
        if (g_.one_in(12)) mutate();
    }

    // ---- structural: subprograms, jumps, ld_imm64, opcodes ----
    void structural() {
        const std::uint32_t funcs = g_.percent(60) ? 1 : 2 + g_.below(3);
        std::vector<std::size_t> starts;
        std::vector<std::size_t> calls;
        for (std::uint32_t f = 0; f < funcs; ++f) {
            starts.push_back(p_.size());
            const std::uint32_t n = 1 + g_.below(8);
            for (std::uint32_t i = 0; i < n; ++i) {
                const std::uint32_t w = g_.below(100);
                if (w < 40) emit(0xb7, static_cast<int>(g_.below(10)), 0, 0, static_cast<int>(g_.below(4)));
                else if (w < 52) emit(g_.percent(50) ? 0x05 : 0x15 + 0x10 * static_cast<int>(g_.below(12)), 0, 0,
                                      static_cast<int>(g_.below(9)) - 3, 0);
                else if (w < 56) emit(0x06, 0, 0, 0, static_cast<int>(g_.below(9)) - 3);
                else if (w < 66 && funcs > 1) {
                    calls.push_back(p_.size());
                    emit(0x85, 0, 1, 0, 0);
                } else if (w < 70) emit(0x85, 0, 1, 0, static_cast<int>(g_.below(20)) - 10);
                else if (w < 78) {
                    emit(0x18, static_cast<int>(g_.below(10)), g_.percent(80) ? 0 : static_cast<int>(g_.below(8)),
                         0, 1);
                    if (g_.percent(85)) emit(0, 0, 0, 0, g_.one_in(4) ? 1 : 0);
                    else emit(static_cast<int>(g_.below(256)), static_cast<int>(g_.below(2)), 0, 0, 0);
                } else if (w < 84) emit(static_cast<int>(g_.below(256)), 0, 0, 0, 0);
                else if (w < 87) emit(0x61 | static_cast<int>(g_.below(8)) << 5, 0, 10, -8, static_cast<int>(g_.below(2)));
                else if (w < 90) {
                    emit(0xbf, 6, 1, 0, 0);
                    emit(0x30, 0, 0, 0, 0);
                } else if (w < 92) emit(0x85, 0, 0, 0, g_.percent(50) ? 12 : 7);
                else if (w < 96) emit(0x95, 0, 0, 0, 0);
                else emit(0xb7, 0, 0, 0, 0);
            }
            const std::uint32_t last = g_.below(100);
            if (last < 75) {
                emit(0xb7, 0, 0, 0, 0);
                emit(0x95, 0, 0, 0, 0);
            } else if (last < 85) {
                emit(0x05, 0, 0, -static_cast<int>(g_.below(4)), 0);
            } else if (last < 90) {
                emit(0x96, 0, 0, 0, 0);
            } else if (last < 95) {
                emit(0x85, 0, 0, 0, 7);
            } // else: falls into the next function
        }
        if (p_.empty()) emit(0x95, 0, 0, 0, 0);
        for (std::size_t c : calls) // call another function's start
            p_[c].imm = static_cast<std::int32_t>(starts[g_.below(static_cast<std::uint32_t>(starts.size()))]) -
                        static_cast<std::int32_t>(c) - 1;
        if (g_.one_in(6)) mutate();
    }

    // ---- branchy: blocks joined by forward jumps, constant branches, loops, calls ----
    void block(std::uint32_t n) {
        for (std::uint32_t i = 0; i < n; ++i) straight_insn();
    }
    void branchy() {
        struct fix {
            std::size_t at;
            std::uint32_t block;
            bool long_jump;
        };
        std::vector<fix> fixes;
        std::vector<std::size_t> block_start;
        const std::uint32_t blocks = 2 + g_.below(6);
        const bool with_call = g_.one_in(5);
        std::size_t call_at = 0;
        for (std::uint32_t b = 0; b < blocks; ++b) {
            block_start.push_back(p_.size());
            if (g_.one_in(4)) emit(g_.percent(60) ? 0xb7 : 0xb4, static_cast<int>(g_.below(10)), 0, 0,
                                   static_cast<int>(g_.below(4))); // constants to branch on
            block(g_.below(5));
            if (with_call && b == 0) {
                call_at = p_.size();
                emit(0x85, 0, 1, 0, 0);
                for (int r = 0; r <= 5; ++r) init_[r] = stack_[r] = false;
                init_[0] = true;
            }
            if (b + 1 == blocks) break;
            const std::uint32_t w = g_.below(100);
            if (w < 65) { // conditional
                static constexpr int ops[] = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0};
                const bool x = g_.percent(35);
                const int code = (g_.percent(75) ? 0x05 : 0x06) | ops[g_.below(11)] | (x ? 0x08 : 0);
                emit(code, live_reg(), x ? live_reg() : 0, 0, x ? 0 : static_cast<int>(g_.below(5)) - 1);
                fixes.push_back({p_.size() - 1, b + 1 + g_.below(blocks - b - 1), false});
            } else if (w < 75) {
                emit(0x05, 0, 0, 0, 0);
                fixes.push_back({p_.size() - 1, b + 1 + g_.below(blocks - b - 1), false});
            } else if (w < 80) {
                emit(0xe5, 0, 0, 0, 0); // may_goto
                fixes.push_back({p_.size() - 1, b + 1 + g_.below(blocks - b - 1), false});
            } else if (w < 88) { // a bounded loop
                const int c = 6 + static_cast<int>(g_.below(4));
                emit(0xb7, c, 0, 0, 0);
                const std::size_t head = p_.size();
                block(g_.below(3));
                emit(0x07, c, 0, 0, 1);
                emit(0xa5, c, 0, static_cast<int>(head) - static_cast<int>(p_.size()) - 1, 1 + static_cast<int>(g_.below(4)));
                set_init(c, false);
            }
        }
        finish();
        std::size_t sub = 0;
        if (with_call) {
            sub = p_.size();
            reset_regs();
            init_[1] = g_.percent(50);
            block(g_.below(4));
            finish();
            p_[call_at].imm = static_cast<std::int32_t>(sub) - static_cast<std::int32_t>(call_at) - 1;
        }
        for (const fix& f : fixes) {
            const std::size_t target = f.block < block_start.size() ? block_start[f.block] : p_.size() - 1;
            p_[f.at].off = static_cast<std::int16_t>(static_cast<std::int64_t>(target) - static_cast<std::int64_t>(f.at) - 1);
        }
        if (g_.one_in(10)) mutate();
    }

    rng g_;
    std::vector<bpf_insn> p_;
    bool init_[11]{}, stack_[11]{};
    bool ctx6_ = false;
};

} // namespace verify_fuzz
