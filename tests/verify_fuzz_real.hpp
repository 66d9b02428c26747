// A seeded generator of realistic eBPF programs for the differential test against the kernel
// (tests/verify_differential_kernel_test.cpp): socket_filter, xdp, sched_cls and cgroup_skb
// programs built from fragments the way people write them — context field reads and writes,
// packet reads and writes after checks against data_end (early-out and guarded blocks, three
// spellings of the comparison, moved and variable-offset pointers), legacy packet loads, map
// lookups (null-checked, or kept in a callee-saved register after an early-out), updates,
// deletes and tail calls with keys and values on the stack, scalar ALU of both widths, stack
// spills and fills, helpers without arguments, bounded loops and bpf-to-bpf calls (root), and a
// return value in or out of the type's range. Each fragment is mutated with a small probability
// by one plausible mistake (a wrong or off-by-one offset, a missing null or bounds check, an
// uninitialised key or register, a too-short region, a bad shift, a pointer where a scalar
// belongs, a read on the failing side of a check, a counter never incremented), so that most
// programs load and rejections happen deep in the program. Maps are referred to by slot
// (ld_imm64 src_reg 1, imm = slot): the test creates `real_maps` and patches the fds in.
#pragma once

#include <ctbpf/insn.hpp>
#include <ctbpf/verify/context.hpp>
#include <ctbpf/verify/maps.hpp>
#include <ctbpf/verify/options.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace verify_fuzz_real {

struct map_def {
    ctbpf::map_type type;
    std::uint32_t key, value, max;
};
// the maps every program may use, by slot
inline constexpr map_def real_maps[] = {
    {ctbpf::map_type::hash, 4, 16, 64},        // 0
    {ctbpf::map_type::array, 4, 32, 8},        // 1
    {ctbpf::map_type::lru_hash, 8, 8, 32},     // 2
    {ctbpf::map_type::percpu_array, 4, 16, 4}, // 3
    {ctbpf::map_type::prog_array, 4, 4, 4},    // 4
};
inline constexpr int map_slots = 5, prog_array_slot = 4;

struct program {
    std::vector<bpf_insn> insns;
    ctbpf::prog_type type = ctbpf::prog_type::socket_filter;
    std::uint32_t attach = 0; // expected_attach_type
    std::string mutations;    // what was mutated ("" when nothing)
};

struct rng {
    std::uint64_t s;
    explicit rng(std::uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull ^ 0x2545f4914f6cdd1dull) {
        if (s == 0) s = 1;
        next();
    }
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
    bool one_in(std::uint32_t n) { return below(n) == 0; }
    bool percent(std::uint32_t p) { return below(100) < p; }
    template <class T, std::size_t N> const T& pick(const T (&a)[N]) { return a[below(N)]; }
};

class generator {
public:
    // unprivileged: socket_filter and cgroup_skb only, loops and calls only as mistakes
    generator(std::uint64_t seed, bool unprivileged, std::uint32_t mutate_percent = 45)
        : g_(seed), unpriv_(unprivileged), mut_pct_(mutate_percent) {}

    program make() {
        p_ = {};
        code_.clear();
        fix_.clear();
        labels_.clear();
        subs_.clear();
        for (auto& r : r_) r = {};
        for (auto& s : slot_) s = slot_kind::empty;
        sp_ = 0;
        choose_type();
        mutating_ = g_.percent(mut_pct_);
        made_ = 0;
        out_ = new_label();
        out_used_ = false;
        r_[1] = {kind::ctx};
        r_[10] = {kind::fp};
        // prologue: keep the context in r6 (as compilers do)
        if (!mutate_now(2, "ctx not saved")) mov_r(6, 1);
        else mov_k(6, 0);
        if (pkt_ok() && g_.percent(55)) packet_setup(true);
        const std::uint32_t n = 1 + g_.below(6);
        for (std::uint32_t i = 0; i < n; ++i) fragment();
        epilogue();
        for (std::size_t s = 0; s < subs_.size(); ++s) emit_sub(s);
        for (const auto& f : fix_) {
            const int target = labels_[static_cast<std::size_t>(f.label)];
            if (f.call) code_[f.at].imm = target - static_cast<int>(f.at) - 1;
            else code_[f.at].off = static_cast<std::int16_t>(target - static_cast<int>(f.at) - 1);
        }
        p_.insns = code_;
        return p_;
    }

private:
    enum class kind : std::uint8_t { none, scalar, ctx, fp, pkt, pkt_end, mapv };
    struct reg {
        kind k = kind::none;
        int range = 0;      // pkt: bytes known to be in the packet; mapv: value size
        std::int64_t c = 0; // scalar: the constant, when known
        bool known = false;
    };
    enum class slot_kind : std::uint8_t { empty, scalar, pointer };
    struct fixup {
        std::size_t at;
        int label;
        bool call;
    };
    struct sub {
        int label;
        int shape; // 0: r0 = r1 * 3; 1: read *(u64 *)r1; 2: r0 = r1 + r2
        bool bad;  // a mistake inside the subprogram
    };

    rng g_;
    bool unpriv_;
    std::uint32_t mut_pct_;
    bool mutating_ = false;
    int made_ = 0;
    program p_;
    std::vector<bpf_insn> code_;
    std::vector<fixup> fix_;
    std::vector<int> labels_;
    std::vector<sub> subs_;
    reg r_[11];
    slot_kind slot_[64]{}; // 8-byte stack slots: slot i is fp-8*(i+1)
    int sp_ = 0;           // bytes of stack handed out
    int out_ = -1;         // label of the shared "return" block
    bool out_used_ = false;
    bool pkt_setup_ = false;

    // ---- emission ----
    static bpf_insn I(int code, int dst, int src, int off, int imm) {
        return ctbpf::make_insn(static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(dst),
                                static_cast<std::uint8_t>(src), static_cast<std::int16_t>(off), imm);
    }
    void emit(int code, int dst, int src, int off, int imm) { code_.push_back(I(code, dst, src, off, imm)); }
    int new_label() {
        labels_.push_back(-1);
        return static_cast<int>(labels_.size()) - 1;
    }
    void bind(int l) { labels_[static_cast<std::size_t>(l)] = static_cast<int>(code_.size()); }
    void jump(int code, int dst, int src, int imm, int label) {
        if (label == out_) out_used_ = true;
        fix_.push_back({code_.size(), label, false});
        emit(code, dst, src, 0, imm);
    }
    void mov_k(int d, std::int32_t k, bool w32 = false) {
        emit(w32 ? 0xb4 : 0xb7, d, 0, 0, k);
        r_[d] = {kind::scalar, 0, w32 ? static_cast<std::int64_t>(static_cast<std::uint32_t>(k)) : k, true};
    }
    void mov_r(int d, int s) {
        emit(0xbf, d, s, 0, 0);
        r_[d] = r_[s];
    }
    void ld_map(int d, int slot) {
        emit(0x18, d, 1, 0, slot);
        emit(0, 0, 0, 0, 0);
        r_[d] = {kind::none};
    }
    void call(int id) {
        emit(0x85, 0, 0, 0, id);
        clobber();
        r_[0] = {kind::scalar};
    }
    void clobber() {
        for (int r = 1; r <= 5; ++r) r_[r] = {};
    }
    static int sz_code(int bytes) { return bytes == 4 ? 0x00 : bytes == 2 ? 0x08 : bytes == 1 ? 0x10 : 0x18; }
    void ldx(int size, int d, int s, int off) { emit(0x61 | sz_code(size), d, s, off, 0); }
    void stx(int size, int d, int s, int off) { emit(0x63 | sz_code(size), d, s, off, 0); }
    void st(int size, int d, int off, int imm) { emit(0x62 | sz_code(size), d, 0, off, imm); }

    // In a program chosen for mistakes (mutate_percent of them), each place that offers one takes
    // it with probability weight% until two were made.
    bool mutate_now(std::uint32_t weight, const char* what) {
        if (!mutating_ || made_ >= 2 || !g_.percent(weight)) return false;
        ++made_;
        if (!p_.mutations.empty()) p_.mutations += ", ";
        p_.mutations += what;
        return true;
    }
    bool mut(const char* what) { return mutate_now(12, what); }

    // ---- program type ----
    void choose_type() {
        pkt_setup_ = false;
        if (unpriv_) {
            if (g_.percent(60)) p_.type = ctbpf::prog_type::socket_filter;
            else {
                p_.type = ctbpf::prog_type::cgroup_skb;
                p_.attach = g_.percent(50) ? 0 : 1;
            }
            return;
        }
        switch (g_.below(4)) {
        case 0: p_.type = ctbpf::prog_type::socket_filter; break;
        case 1: p_.type = ctbpf::prog_type::xdp; break;
        case 2: p_.type = ctbpf::prog_type::sched_cls; break;
        default:
            p_.type = ctbpf::prog_type::cgroup_skb;
            p_.attach = g_.percent(50) ? 0 : 1; // ingress [0, 1], egress [0, 3]
            break;
        }
    }
    bool is_xdp() const { return p_.type == ctbpf::prog_type::xdp; }
    bool is_skb() const { return !is_xdp(); }
    // direct packet access (cgroup_skb: only with CAP_BPF)
    bool pkt_ok() const {
        return is_xdp() || p_.type == ctbpf::prog_type::sched_cls ||
               (p_.type == ctbpf::prog_type::cgroup_skb && !unpriv_);
    }
    int data_off() const { return is_xdp() ? 0 : 76; }
    int data_end_off() const { return is_xdp() ? 4 : 80; }
    bool may_write_pkt() const { return is_xdp() || p_.type == ctbpf::prog_type::sched_cls; }
    bool ret_limited() const { return p_.type == ctbpf::prog_type::cgroup_skb; }
    int ret_max() const { return p_.attach == 1 ? 3 : 1; }
    std::int32_t good_ret() {
        if (ret_limited()) return static_cast<std::int32_t>(g_.below(static_cast<std::uint32_t>(ret_max()) + 1));
        if (is_xdp()) return static_cast<std::int32_t>(g_.below(5)); // XDP_ABORTED .. XDP_REDIRECT
        if (p_.type == ctbpf::prog_type::sched_cls) return g_.percent(70) ? 0 : 2; // TC_ACT_OK, TC_ACT_SHOT
        return g_.percent(50) ? 0 : g_.percent(50) ? -1 : static_cast<std::int32_t>(g_.below(1500));
    }

    // ---- helpers for operands ----
    int scratch() { return static_cast<int>(g_.below(6)); } // r0-r5
    int saved() { return 7 + static_cast<int>(g_.below(3)); } // r7-r9 (r6 is ctx)
    int scalar_reg() { // a register holding a scalar, or -1
        int cand[11], n = 0;
        for (int r = 0; r < 10; ++r)
            if (r_[r].k == kind::scalar) cand[n++] = r;
        return n ? cand[g_.below(static_cast<std::uint32_t>(n))] : -1;
    }
    int find(kind k) {
        for (int r = 9; r >= 0; --r)
            if (r_[r].k == k) return r;
        return -1;
    }
    // a stack region of `bytes` (multiple of 8), as a negative offset from fp
    int stack_alloc(int bytes) {
        if (sp_ + bytes > 320) sp_ = 0;
        sp_ += bytes;
        return -sp_;
    }
    void mark_stack(int off, int bytes, slot_kind k) {
        for (int b = off; b < off + bytes; b += 8) {
            const int i = (-b - 1) / 8;
            if (i >= 0 && i < 64) slot_[i] = k;
        }
    }
    // registers and stack slots at a branch, and their join where the paths meet again
    struct snapshot {
        reg r[11];
        slot_kind st[64];
    };
    snapshot save() const {
        snapshot x;
        for (int i = 0; i < 11; ++i) x.r[i] = r_[i];
        for (int i = 0; i < 64; ++i) x.st[i] = slot_[i];
        return x;
    }
    void join(const snapshot& x) {
        for (int i = 0; i < 11; ++i)
            if (r_[i].k != x.r[i].k || r_[i].range != x.r[i].range || r_[i].known != x.r[i].known || r_[i].c != x.r[i].c)
                r_[i] = r_[i].k == kind::scalar && x.r[i].k == kind::scalar ? reg{kind::scalar} : reg{};
        for (int i = 0; i < 64; ++i)
            if (slot_[i] != x.st[i]) slot_[i] = slot_kind::empty;
    }
    int ctx_reg() { return r_[6].k == kind::ctx ? 6 : r_[1].k == kind::ctx ? 1 : 6; }

    // ---- fragments ----
    void fragment() {
        const std::uint32_t w = g_.below(100);
        if (w < 14) ctx_read();
        else if (w < 18) ctx_write();
        else if (w < 34) {
            if (pkt_ok()) packet_read();
            else if (p_.type != ctbpf::prog_type::cgroup_skb || mut("legacy packet load in cgroup_skb")) legacy_load();
            else ctx_read();
        } else if (w < 52) map_lookup();
        else if (w < 58) map_update();
        else if (w < 61) map_delete();
        else if (w < 70) alu();
        else if (w < 76) spill_fill();
        else if (w < 82) helper0();
        else if (w < 88) {
            if (!unpriv_ || g_.one_in(10)) loop();
            else alu();
        } else if (w < 94) {
            if (!unpriv_ || g_.one_in(10)) bpf_call();
            else spill_fill();
        } else if (w < 97) tail_call();
        else use_saved();
    }

    // r7 = data, r8 = data_end (+ an early-out check when `check`)
    void packet_setup(bool check) {
        const int c = ctx_reg();
        int doff = data_off(), eoff = data_end_off();
        if (mut("data/data_end swapped")) std::swap(doff, eoff);
        ldx(4, 7, c, doff);
        ldx(4, 8, c, eoff);
        r_[7] = {kind::pkt, 0};
        r_[8] = {kind::pkt_end};
        pkt_setup_ = true;
        if (!check) return;
        int n = 14 + static_cast<int>(g_.below(4)) * 10;
        mov_r(0, 7);
        emit(0x07, 0, 0, 0, n);
        r_[0] = {kind::none};
        if (mut("early-out check with >=")) jump(0x3d, 0, 8, 0, out_);
        else if (g_.percent(75)) jump(0x2d, 0, 8, 0, out_); // if r0 > r8 goto out
        else jump(0xad, 8, 0, 0, out_);                     // if r8 < r0 goto out
        if (mut("early-out check one byte short")) n += 1;
        r_[7].range = n;
    }

    void ctx_read() {
        const auto fields = ctbpf::detail::vfy::context_fields(p_.type);
        const ctbpf::privilege pv = unpriv_ ? ctbpf::privilege::unprivileged : ctbpf::privilege::root;
        const int c = ctx_reg();
        const bool bad = mut("context read at a wrong offset or size");
        for (int tries = 0; tries < 12; ++tries) {
            const ctbpf::detail::vfy::ctx_field& f = fields[g_.below(static_cast<std::uint32_t>(fields.size()))];
            int size = static_cast<int>(f.size / f.count);
            int off = f.off + static_cast<int>(g_.below(f.count)) * size;
            if (size > 8) size = 4;
            if (size == 4 && g_.one_in(5)) { // narrow load
                size = g_.percent(50) ? 2 : 1;
                off += size * static_cast<int>(g_.below(static_cast<std::uint32_t>(4 / size)));
            }
            if (bad) {
                switch (g_.below(4)) {
                case 0: off += 1 + static_cast<int>(g_.below(3)); break;
                case 1: size = 8; break;
                case 2: off = static_cast<int>(f.off) + size * 48; break;
                default: off -= 4; break;
                }
            }
            const auto a = ctbpf::detail::vfy::check_ctx_access(p_.type, p_.attach, pv, off, static_cast<std::uint32_t>(size),
                                                                ctbpf::detail::vfy::ctx_op::load);
            if (!bad && (!a.allowed || a.reg != ctbpf::detail::vfy::ctx_reg_type::scalar)) continue;
            const int d = g_.percent(50) ? scratch() : saved();
            if (d == c) continue;
            const bool sx = !bad && size < 8 && g_.one_in(12);
            emit((sx ? 0x81 : 0x61) | sz_code(size), d, c, off, 0);
            r_[d] = {kind::scalar};
            if (g_.percent(40)) scalar_op(d);
            return;
        }
    }

    void ctx_write() {
        if (is_xdp()) { // xdp_md is read-only: a mistake
            if (mut("write to xdp_md")) st(4, ctx_reg(), 12, 1);
            else ctx_read();
            return;
        }
        // cb[0..4] everywhere; mark and priority (sched_cls, cgroup_skb)
        int off = 48 + 4 * static_cast<int>(g_.below(5));
        if (p_.type != ctbpf::prog_type::socket_filter && g_.percent(40)) off = g_.percent(50) ? 8 : 32;
        if (mut("write to a read-only context field")) off = g_.pick({0, 4, 16, 36, 68});
        int size = 4;
        if (mut("context write of the wrong size")) size = g_.percent(50) ? 8 : 2;
        const int s = scalar_reg();
        if (s >= 0 && g_.percent(60)) stx(size, ctx_reg(), s, off);
        else st(size, ctx_reg(), off, static_cast<int>(g_.below(100)));
    }

    void legacy_load() { // LD_ABS / LD_IND (socket_filter, sched_cls): r6 must hold ctx
        const int size = 1 << g_.below(3);
        const int code = size == 4 ? 0x00 : size == 2 ? 0x08 : 0x10;
        if (g_.percent(70)) {
            emit(0x20 | code, 0, 0, 0, static_cast<int>(g_.below(60)));
        } else {
            int x = scalar_reg();
            if (x <= 0) {
                x = 3;
                mov_k(3, static_cast<int>(g_.below(20)));
            }
            if (mut("LD_IND index register uninitialised")) {
                for (int r = 1; r <= 9; ++r)
                    if (r_[r].k == kind::none) x = r;
            } else if (mut("LD_IND index is a pointer")) {
                x = 10;
            }
            emit(0x40 | code, 0, x, 0, static_cast<int>(g_.below(40)));
        }
        clobber();
        r_[0] = {kind::scalar};
        if (g_.percent(50)) mov_r(9, 0);
    }

    void packet_read() {
        if (!pkt_setup_ || r_[7].k != kind::pkt || r_[8].k != kind::pkt_end) packet_setup(g_.percent(30));
        const int form = static_cast<int>(g_.below(10));
        if (form < 3 && r_[7].range > 0) { // inside the range an earlier early-out established
            int size = 1 << g_.below(4);
            int off = static_cast<int>(g_.below(static_cast<std::uint32_t>(r_[7].range - size + 1 > 0 ? r_[7].range - size + 1 : 1)));
            if (mut("packet read past the early-out range")) off = r_[7].range - size + 1;
            const int d = scratch();
            ldx(size, d, 7, off);
            r_[d] = {kind::scalar};
            return;
        }
        // guarded block: r1 = r7 + n; if r1 > r8 goto end; reads; end:
        const int n = 1 + static_cast<int>(g_.below(60));
        const int end = new_label();
        int base = 7;
        if (form == 9) { // variable offset: r2 = r7 + (first byte & 15)
            if (r_[7].range < 1) {
                mov_r(1, 7);
                emit(0x07, 1, 0, 0, 1);
                jump(0x2d, 1, 8, 0, end);
            }
            ldx(1, 3, 7, 0);
            emit(0x57, 3, 0, 0, mut("variable offset not masked") ? 0x7fff : 15);
            mov_r(2, 7);
            emit(0x0f, 2, 3, 0, 0);
            base = 2;
        } else if (form == 8) { // a moved pointer
            mov_r(2, 7);
            emit(0x07, 2, 0, 0, static_cast<int>(g_.below(20)));
            base = 2;
        }
        if (mut("packet read before the check")) {
            ldx(1, 0, base, 0);
        }
        mov_r(1, base);
        emit(0x07, 1, 0, 0, n);
        r_[1] = {kind::none};
        const snapshot before = save();
        const int sense = static_cast<int>(g_.below(3));
        const bool wrong_side = mut("packet read on the failing side");
        const bool off_by_one = mut("packet read one past the checked range");
        if (sense == 0) jump(wrong_side ? 0xbd : 0x2d, 1, 8, 0, end); // if r1 > r8 goto end
        else if (sense == 1) jump(wrong_side ? 0x3d : 0xad, 8, 1, 0, end); // if r8 < r1 goto end
        else { // if r1 <= r8 goto body; goto end
            const int body = new_label();
            jump(wrong_side ? 0x2d : 0xbd, 1, 8, 0, body);
            jump(0x05, 0, 0, 0, end);
            bind(body);
        }
        r_[1] = {kind::none};
        const int reads = 1 + static_cast<int>(g_.below(3));
        for (int i = 0; i < reads; ++i) {
            int size = 1 << g_.below(4);
            while (size > n) size >>= 1;
            int off = static_cast<int>(g_.below(static_cast<std::uint32_t>(n - size + 1)));
            if (off_by_one && i == reads - 1) off = n - size + 1;
            if (may_write_pkt() && g_.percent(20)) {
                if (g_.percent(50)) st(size, base, off, static_cast<int>(g_.below(256)));
                else {
                    const int s = scalar_reg();
                    if (s >= 0 && s != 1) stx(size, base, s, off);
                    else st(size, base, off, 0);
                }
            } else if (!may_write_pkt() && g_.one_in(25) && mut("packet write in a read-only type")) {
                st(1, base, off, 1);
            } else {
                const int d = g_.percent(60) ? (g_.percent(50) ? 0 : 4 + static_cast<int>(g_.below(2))) : 9;
                ldx(size, d, base, off);
                r_[d] = {kind::scalar};
                if (g_.percent(30)) scalar_op(d);
            }
        }
        bind(end);
        join(before);
    }

    // key on the stack at fp+koff, r2 = fp+koff; false: the key was left uninitialised
    int key_on_stack(int slot, bool allow_cpu_key) {
        const int ks = static_cast<int>(real_maps[slot].key);
        int koff = stack_alloc(8);
        if (mut("key left uninitialised")) {
            mark_stack(koff, 8, slot_kind::empty);
        } else if (allow_cpu_key && ks == 4 && g_.percent(25)) {
            call(8); // key = bpf_get_smp_processor_id()
            stx(4, 10, 0, koff);
        } else if (ks == 4) {
            int k = static_cast<int>(g_.below(real_maps[slot].max + 2));
            const int s = scalar_reg();
            if (s >= 0 && g_.percent(30)) stx(4, 10, s, koff);
            else st(4, 10, koff, k);
            if (mut("key written one byte short")) code_.back().code = static_cast<std::uint8_t>((code_.back().code & ~0x18) | 0x08);
        } else {
            const int s = scalar_reg();
            if (s >= 0 && g_.percent(50)) stx(8, 10, s, koff);
            else st(8, 10, koff, static_cast<int>(g_.below(100)));
            if (mut("8-byte key written as 4")) code_.back().code = static_cast<std::uint8_t>(code_.back().code & ~0x18);
        }
        mark_stack(koff, 8, slot_kind::scalar);
        if (mut("key pointer past the frame")) koff = -static_cast<int>(g_.below(4));
        return koff;
    }
    int data_slot() { // a map that holds values (not the prog array)
        return static_cast<int>(g_.below(4));
    }

    void map_lookup() {
        int slot = data_slot();
        if (mut("lookup in a prog array")) slot = prog_array_slot;
        const int koff = key_on_stack(slot, true);
        if (!mut("key pointer not set")) {
            mov_r(2, 10);
            emit(0x07, 2, 0, 0, koff);
        }
        ld_map(1, slot);
        call(1);
        const int vs = static_cast<int>(real_maps[slot].value);
        const int style = static_cast<int>(g_.below(4));
        const bool no_check = mut("no null check");
        int end = new_label();
        r_[0] = {kind::none};
        const snapshot before = save();
        if (style == 0 && !no_check) { // early out: the value pointer lives on in r9 (or r7 without packets)
            jump(0x15, 0, 0, 0, out_);
            const int keep = r_[7].k == kind::pkt ? 9 : g_.percent(50) ? 9 : 7;
            r_[0] = {kind::mapv, vs};
            if (r_[keep].k == kind::pkt_end) return;
            mov_r(keep, 0);
            r_[keep] = {kind::mapv, vs};
            value_access(keep, vs);
            return;
        }
        if (!no_check) {
            if (style == 1) jump(0x15, 0, 0, 0, end); // if r0 == 0 goto end
            else if (style == 2) { // if r0 != 0 goto body; goto end
                const int body = new_label();
                jump(0x55, 0, 0, 0, body);
                jump(0x05, 0, 0, 0, end);
                bind(body);
            } else { // a copy is checked
                mov_r(6 + 3, 0);
                jump(0x15, 9, 0, 0, end);
                r_[9] = {kind::none};
            }
        }
        r_[0] = {kind::mapv, vs};
        value_access(0, vs);
        bind(end);
        join(before);
    }

    // reads, writes, atomics and updates through a map value pointer in `v`
    void value_access(int v, int vs) {
        const int n = 1 + static_cast<int>(g_.below(3));
        for (int i = 0; i < n; ++i) {
            int size = 1 << g_.below(4);
            while (size > vs) size >>= 1;
            int off = size * static_cast<int>(g_.below(static_cast<std::uint32_t>(vs / size)));
            if (mut("map value access past the end")) off = vs - size + 1 + static_cast<int>(g_.below(static_cast<std::uint32_t>(size)));
            if (mut("map value access before the start")) off = -size;
            const std::uint32_t w = g_.below(10);
            if (w < 4) {
                const int d = v == 0 ? 1 + static_cast<int>(g_.below(5)) : scratch();
                if (d == v) continue;
                ldx(size, d, v, off);
                r_[d] = {kind::scalar};
            } else if (w < 7) {
                const int s = scalar_reg();
                if (s >= 0 && s != v && g_.percent(50)) stx(size, v, s, off);
                else st(size, v, off, static_cast<int>(g_.below(1000)));
            } else if (w < 9) { // lock *(u64 *)(v + off) += r1
                int asz = g_.percent(60) && vs >= 8 ? 8 : 4;
                int aoff = asz * static_cast<int>(g_.below(static_cast<std::uint32_t>(vs / asz)));
                if (mut("misaligned atomic")) aoff += 2;
                int s = v == 1 ? 2 : 1;
                mov_k(s, 1);
                emit(0xc3 | sz_code(asz), v, s, aoff, g_.percent(70) ? 0x00 : 0x01);
                if (code_.back().imm == 0x01) r_[s] = {kind::scalar};
            } else if (v != 0 && g_.percent(50)) { // update with this value pointer as the value
                const int slot = g_.percent(50) ? 1 : 0;
                const int koff = key_on_stack(slot, false);
                mov_r(3, v);
                if (static_cast<int>(real_maps[slot].value) > vs && !mut("value pointer smaller than the map's value"))
                    continue;
                mov_r(2, 10);
                emit(0x07, 2, 0, 0, koff);
                mov_k(4, 0);
                ld_map(1, slot);
                call(2);
            } else { // through a moved copy
                const int d = v == 0 ? 5 : 0, t = v == 0 ? 4 : 5;
                mov_r(d, v);
                emit(0x07, d, 0, 0, off);
                r_[d] = {kind::none};
                if (off >= 0 && off + size <= vs && g_.percent(70)) {
                    ldx(size, t, d, 0);
                    r_[t] = {kind::scalar};
                }
            }
        }
    }

    void map_update() {
        int slot = data_slot();
        if (mut("update of a prog array")) slot = prog_array_slot;
        const int koff = key_on_stack(slot, true);
        const int vs = static_cast<int>(real_maps[slot].value);
        int vbytes = (vs + 7) / 8 * 8;
        int voff = stack_alloc(vbytes);
        // initialise the value (8-byte stores), maybe leaving part of it out
        int init = vbytes;
        if (mut("value partly uninitialised")) init = vbytes - 8;
        for (int b = 0; b < init; b += 8) {
            const int s = scalar_reg();
            if (s >= 0 && g_.percent(30)) stx(8, 10, s, voff + b);
            else st(8, 10, voff + b, static_cast<int>(g_.below(50)));
        }
        mark_stack(voff, init, slot_kind::scalar);
        if (mut("value region past the frame")) voff = vs > 8 ? -8 : -4;
        mov_r(2, 10);
        emit(0x07, 2, 0, 0, koff);
        mov_r(3, 10);
        emit(0x07, 3, 0, 0, voff);
        if (!mut("flags (r4) not set")) mov_k(4, g_.percent(80) ? 0 : static_cast<int>(g_.below(3)));
        else r_[4] = {};
        ld_map(1, slot);
        call(2);
        if (g_.percent(30)) mov_r(9, 0);
    }

    void map_delete() {
        int slot = data_slot();
        if (mut("delete from a prog array")) slot = prog_array_slot;
        const int koff = key_on_stack(slot, true);
        mov_r(2, 10);
        emit(0x07, 2, 0, 0, koff);
        ld_map(1, slot);
        call(3);
    }

    void tail_call() {
        const bool ctx_wrong = mut("tail call without ctx in r1");
        if (ctx_wrong) mov_r(1, 10);
        else mov_r(1, ctx_reg());
        ld_map(2, mut("tail call with a hash map") ? 0 : prog_array_slot);
        if (!mut("tail call index uninitialised")) mov_k(3, static_cast<int>(g_.below(6)), g_.percent(50));
        call(12);
        r_[0] = {}; // (bpf_tail_call returns void when it returns)
    }

    void helper0() {
        static constexpr int ids[] = {5, 7, 8, 5, 7, 8, 125}; // ktime_get_ns, prandom, smp_processor_id, ktime_get_boot_ns
        call(ids[g_.below(7)]);
        if (mut("helper result used as a pointer")) {
            ldx(4, 1, 0, 0);
            return;
        }
        const int d = g_.percent(50) ? 9 : 7;
        if (r_[d].k != kind::pkt && r_[d].k != kind::pkt_end && r_[d].k != kind::mapv) mov_r(d, 0);
        if (g_.percent(40)) scalar_op(0);
    }

    // one ALU operation on a scalar register
    void scalar_op(int d) {
        static constexpr int ops[] = {0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xc0};
        const int op = ops[g_.below(11)];
        const bool w32 = g_.percent(35);
        const int s = scalar_reg();
        if (s >= 0 && g_.percent(30) && op != 0x60 && op != 0x70 && op != 0xc0) {
            emit((w32 ? 0x0c : 0x0f) | op, d, s, 0, 0);
        } else {
            int k = static_cast<int>(g_.below(1000)) + 1;
            if (op == 0x60 || op == 0x70 || op == 0xc0) k = static_cast<int>(g_.below(w32 ? 32 : 64));
            if ((op == 0x60 || op == 0x70 || op == 0xc0) && mut("shift by the width")) k = w32 ? 32 : 64;
            if ((op == 0x30 || op == 0x90) && mut("division by zero constant")) k = 0;
            emit((w32 ? 0x04 : 0x07) | op, d, 0, 0, k);
        }
        r_[d] = {kind::scalar};
    }

    void alu() {
        int d = scalar_reg();
        if (d < 0 || g_.percent(30)) {
            d = g_.percent(50) ? scratch() : saved();
            if (r_[d].k == kind::pkt || r_[d].k == kind::pkt_end || r_[d].k == kind::mapv) d = scratch();
            mov_k(d, static_cast<int>(g_.next()), g_.percent(30));
        }
        const int n = 1 + static_cast<int>(g_.below(5));
        for (int i = 0; i < n; ++i) {
            const std::uint32_t w = g_.below(20);
            if (w == 0) {
                emit(0x87, d, 0, 0, 0); // neg
            } else if (w == 1) {
                emit(g_.percent(50) ? 0xdc : 0xd4, d, 0, 0, 16 << g_.below(3)); // be/le
            } else if (w == 2 && mut("arithmetic on a pointer")) {
                const int p = g_.percent(50) ? ctx_reg() : 10;
                mov_r(5, p);
                emit(g_.percent(50) ? 0x04 : 0x27, 5, 0, 0, 4); // w5 += 4 / r5 *= 4
                r_[5] = {kind::scalar};
                if (g_.percent(50)) return;
            } else if (w == 3 && mut("uninitialised source register")) {
                int u = -1;
                for (int r = 0; r < 10; ++r)
                    if (r_[r].k == kind::none) u = r;
                if (u >= 0) emit(0x0f, d, u, 0, 0);
            } else {
                scalar_op(d);
            }
        }
        r_[d] = {kind::scalar};
        // a constant branch on the result
        if (g_.percent(30)) {
            const int end = new_label();
            const snapshot before = save();
            jump(g_.pick({0x15, 0x25, 0xa5, 0x65, 0x16, 0xa6, 0x45}), d, 0, static_cast<int>(g_.below(100)), end);
            const int e = g_.percent(50) ? 0 : 9;
            if (r_[e].k != kind::mapv && r_[e].k != kind::pkt) mov_k(e, static_cast<int>(g_.below(8)));
            bind(end);
            join(before);
        }
    }

    void spill_fill() {
        int what = -1;
        for (int tries = 0; tries < 6 && what < 0; ++tries) {
            const int r = static_cast<int>(g_.below(10));
            if (r_[r].k != kind::none) what = r;
        }
        if (what < 0) what = 6;
        int off = stack_alloc(8);
        stx(8, 10, what, off);
        mark_stack(off, 8, r_[what].k == kind::scalar ? slot_kind::scalar : slot_kind::pointer);
        const reg kept = r_[what];
        // something in between that clobbers scratch registers
        if (g_.percent(40)) call(g_.percent(50) ? 7 : 5);
        int d = what >= 6 && what <= 9 && g_.percent(50) ? what : scratch();
        int size = 8, foff = off;
        if (mut("fill of a different slot")) foff = off - 8 * (1 + static_cast<int>(g_.below(3)));
        if (kept.k != kind::scalar && mut("partial fill of a spilled pointer")) size = 4;
        if (mut("misaligned stack access")) foff += 4;
        if (mut("fill from above the frame")) foff = 8;
        ldx(size, d, 10, foff);
        r_[d] = foff == off && size == 8 ? kept : reg{kind::scalar};
        if (size != 8 || foff != off) r_[d] = {kind::none};
        // use the filled value
        if (r_[d].k == kind::mapv && r_[d].range > 0 && g_.percent(60)) {
            ldx(4, d == 0 ? 1 : 0, d, 0);
            r_[d == 0 ? 1 : 0] = {kind::scalar};
        } else if (r_[d].k == kind::scalar && g_.percent(50)) {
            scalar_op(d);
        } else if (r_[d].k == kind::ctx && g_.percent(50)) {
            ldx(4, 0, d, is_xdp() ? 12 : 0); // ingress_ifindex, len
            r_[0] = {kind::scalar};
        }
    }

    void loop() {
        const int counter = g_.percent(50) ? 5 : 4;
        int bound = 2 + static_cast<int>(g_.below(30));
        const bool no_inc = mut("loop counter never incremented");
        if (!mut("loop counter uninitialised")) mov_k(counter, 0);
        const int acc = scalar_reg() >= 0 && scalar_reg() != counter ? scalar_reg() : 3;
        if (r_[acc].k != kind::scalar) mov_k(acc, 1);
        const int top = new_label();
        bind(top);
        // body: arithmetic, a stack write indexed by nothing, maybe a packet read in range
        // (without an increment the body changes nothing either: the kernel sees the same state again)
        if (!no_inc) emit(0x07 | g_.pick({0x00, 0x20, 0xa0}), acc, 0, 0, static_cast<int>(g_.below(9)) + 1);
        if (g_.percent(40)) {
            const int off = stack_alloc(8);
            stx(8, 10, acc, off);
            mark_stack(off, 8, slot_kind::scalar);
        }
        if (r_[7].k == kind::pkt && r_[7].range >= 1 && g_.percent(40)) ldx(1, 0, 7, 0);
        if (!no_inc) emit(0x07, counter, 0, 0, 1);
        if (!no_inc && g_.percent(20)) emit(0x04, acc, 0, 0, 0); // w-op: zero-extends
        const bool jmp32 = g_.percent(30);
        jump(jmp32 ? 0xa6 : 0xa5, counter, 0, bound, top); // if counter < bound goto top
        r_[counter] = {kind::scalar};
        r_[acc] = {kind::scalar};
        r_[0] = r_[0].k == kind::scalar ? r_[0] : reg{};
    }

    void bpf_call() {
        sub s{new_label(), static_cast<int>(g_.below(3)), mut("mistake in a subprogram")};
        subs_.push_back(s);
        // arguments
        if (s.shape == 1) {
            const int off = stack_alloc(8);
            if (!mut("stack argument uninitialised")) {
                st(8, 10, off, static_cast<int>(g_.below(100)));
                mark_stack(off, 8, slot_kind::scalar);
            }
            mov_r(1, 10);
            emit(0x07, 1, 0, 0, off);
        } else {
            const int x = scalar_reg();
            if (x >= 0 && x != 1) mov_r(1, x);
            else mov_k(1, static_cast<int>(g_.below(100)));
            if (s.shape == 2 && !mut("second argument not set")) mov_k(2, 7);
        }
        fix_.push_back({code_.size(), s.label, true});
        emit(0x85, 0, 1, 0, 0);
        clobber();
        r_[0] = {kind::scalar};
        if (mut("argument register used after the call")) {
            emit(0x0f, 0, 2, 0, 0);
        }
        if (g_.percent(50)) mov_r(9, 0);
    }

    void emit_sub(std::size_t i) {
        const sub s = subs_[i];
        bind(s.label);
        const int mistake = s.bad ? static_cast<int>(g_.below(3)) : -1;
        switch (s.shape) {
        case 0:
            emit(0xbf, 0, 1, 0, 0);
            emit(0x27, 0, 0, 0, 3);
            if (mistake == 0) emit(0x0f, 0, 6, 0, 0); // callee's r6 is not set
            break;
        case 1:
            emit(0x79, 0, 1, mistake == 0 ? 8 : 0, 0); // (mistake: reads the caller's frame above the slot)
            if (mistake == 1) emit(0x7b, 1, 0, 16, 0);
            emit(0x07, 0, 0, 0, 1);
            break;
        default:
            emit(0xbf, 0, 1, 0, 0);
            emit(0x0f, 0, 2, 0, 0);
            if (mistake == 0) emit(0x0f, 0, 3, 0, 0);
            break;
        }
        if (mistake == 2) emit(0xbf, 0, 4, 0, 0); // r0 = r4: not an argument
        emit(0x95, 0, 0, 0, 0);
    }

    // use a register that an earlier fragment left behind (map value in r7/r9, scalars)
    void use_saved() {
        for (int r : {9, 7}) {
            if (r_[r].k == kind::mapv) {
                value_access(r, r_[r].range);
                return;
            }
        }
        const int s = scalar_reg();
        if (s >= 0) scalar_op(s);
        else helper0();
    }

    void epilogue() {
        const std::uint32_t w = g_.below(100);
        if (mut("return value out of range") && ret_limited()) {
            mov_k(0, ret_max() + 1 + static_cast<int>(g_.below(3)));
        } else if (ret_limited() && mut("return value unknown")) {
            ldx(4, 0, ctx_reg(), 0);
        } else if (mut("r0 not set at exit")) {
            // whatever r0 holds
        } else if (w < 20 && ret_limited()) { // a computed value in range
            const int s = scalar_reg();
            if (s >= 0) mov_r(0, s);
            else mov_k(0, 0);
            emit(0x57, 0, 0, 0, ret_max());
        } else if (w < 30 && !ret_limited()) {
            const int s = scalar_reg();
            if (s >= 0) mov_r(0, s);
            else mov_k(0, good_ret());
        } else {
            mov_k(0, good_ret(), g_.percent(30));
        }
        emit(0x95, 0, 0, 0, 0);
        if (!out_used_) return;
        bind(out_);
        if (!mut("out block without r0")) mov_k(0, good_ret());
        else if (g_.percent(50)) mov_k(2, 0);
        emit(0x95, 0, 0, 0, 0);
    }
};

} // namespace verify_fuzz_real
