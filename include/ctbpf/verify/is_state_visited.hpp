// Verifier internals: is_state_visited(): states recorded where the kernel records them, equal
// for pruning by hash (live registers; imprecise scalars by kind), an infinite loop as an exact
// repeat of the whole state; lint mode's widening.
#pragma once

#include "ctbpf/verify/check_cond_jmp_op.hpp"

namespace ctbpf::detail::vfy {

class pruning : public jmp_transfer {
protected:
    using jmp_transfer::jmp_transfer;

    // The state's key at a prune point: the hash without the current frame's dead registers.
    constexpr std::uint64_t state_key() const {
        std::uint64_t k = h_;
        for (std::uint32_t live = live_.p[pc_], prec = prec_.p[pc_]; live != 0; live &= live - 1) {
            const std::uint32_t r = static_cast<std::uint32_t>(std::countr_zero(live));
            k ^= (prec >> r) & 1 ? cell_hash(base_ + r, rf_.f[cf_].r[r]) : kind_hash(base_ + r, rf_.f[cf_].r[r]);
        }
        for (std::uint32_t f = 0; f < cf_; ++f) // the callers' registers
            for (std::uint32_t r = 0; r < 10; ++r) k ^= cell_hash(f * frame_cells + r, rf_.f[f].r[r]);
        return k;
    }
    // An imprecise register: only what kind of value it holds (scalar values are all alike).
    static constexpr std::uint64_t kind_hash(std::uint32_t i, const cell& c) {
        return cell_hash(i, cell{0, c.kind == k_const ? std::uint8_t{k_scalar} : c.kind, 0, 0, 0});
    }
    // At a prune point (is_state_visited()): 0 go on, 1 stop this path, -1 rejected (infinite loop).
    // A state equal for pruning to one explored completely ends the path; one still open on this
    // path is a loop when the whole state repeats. A new state is recorded when the kernel would
    // record one: at least 2 jumps and 8 instructions since the last (20 jumps or 100
    // instructions inside a loop), always at may_goto. (Not modelled: the kernel also forces one
    // after 40 jump-history entries, caps unprivileged programs at 64 states per instruction and
    // evicts states that keep missing.)
    constexpr int prune_check() {
        work_ += 2 + static_cast<std::uint32_t>(std::popcount(live_.p[pc_])) / 3 + 5 * cf_; // (the callers' registers)
        key_ = state_key();
        if (2 * groups_.size >= gtable_.n || (loops_ && 2 * records_.size >= xtable_.n))
            rehash(gtable_.n == 0 ? 256 : 2 * gtable_.n, xtable_.n == 0 ? 256 : 2 * xtable_.n);
        const std::uint32_t gslot = group_slot(key_, pc_);
        const std::uint32_t g = gtable_.p[gslot];
        std::uint64_t exact = 0;
        if (g != 0) {
            const state_group& grp = groups_.p[g - 1];
            if (grp.closed != 0) return 1; // an equal state was explored completely
            const visit_record& first = records_.p[grp.first];
            if (lint_) return revisit(first);
            if (first.gotos != c_.p[cell_gotos].v) return 1; // converged (may_goto bounds it)
            if (loops_) { // (an open state here means a loop)
                exact = exact_key();
                const std::uint32_t x = xtable_.p[exact_slot(exact, pc_)];
                if (x != 0 && records_.p[x - 1].open) return revisit(records_.p[x - 1]); // the same state again
            }
        }
        if (lint_ && open_count_.p[pc_] != 0) return widen_and_check(); // another iteration of a loop
        if (!lint_) {
            const bool force = p_[pc_].code == 0xe5; // may_goto
            const std::uint32_t jumps = jmps_ - prev_jmps_, insns = r_.visits - prev_insns_;
            if (!force && (jumps < 2 || insns < 8 || (open_count_.p[pc_] != 0 && jumps < 20 && insns < 100))) return 0;
            prev_jmps_ = jmps_;
            prev_insns_ = r_.visits;
            if (g == 0 && loops_) exact = exact_key();
        }
        add_record(gslot, exact);
        return 0;
    }
    // A new state here (gslot: where its group is or goes).
    constexpr void add_record(std::uint32_t gslot, std::uint64_t exact) {
        if (gtable_.p[gslot] == 0) {
            groups_.push({key_, pc_, records_.size, 0});
            gtable_.p[gslot] = groups_.size;
        }
        records_.push({exact, c_.p[cell_forks].v, c_.p[cell_gotos].v, lossy_, pc_, trail_.size, gtable_.p[gslot] - 1, true});
        if (loops_) xtable_.p[exact_slot(exact, pc_)] = records_.size;
        open_.push(records_.size - 1);
        ++open_count_.p[pc_];
    }
    // The whole state: the stack and frame cells and every register of every frame.
    constexpr std::uint64_t exact_key() {
        work_ += 10 * (cf_ + 1); // (about 300 evaluation steps a frame)
        std::uint64_t k = h_;
        for (std::uint32_t f = 0; f <= cf_; ++f)
            for (std::uint32_t r = 0; r < 11; ++r) k ^= cell_hash(f * frame_cells + r, rf_.f[f].r[r]);
        for (std::uint32_t r = 0; r < 10; ++r) // the kernel compares the current frame's ids as they are
            if (rf_.f[cf_].r[r].id != 0) k ^= avalanche((std::uint64_t{rf_.f[cf_].r[r].id} << 4 | r) * 0x9e3779b97f4a7c15ull);
        return k;
    }
    // An equal state was seen here: explored completely (prune), or still on this path (a loop).
    constexpr int revisit(const visit_record& r) {
        if (!r.open) return 1;
        if (r.forks == c_.p[cell_forks].v && r.lossy == lossy_) {
            fail(errc::infinite_loop_detected, pc_).put("infinite loop detected at insn ").put_uint(pc_);
            return -1;
        }
        if (lint_ || r.gotos != c_.p[cell_gotos].v) return 1; // converged (may_goto bounds it)
        defer(deferral::undecided_loop, pc_);
        return 1;
    }
    constexpr int widen_and_check() {
        widen();
        key_ = state_key();
        const std::uint32_t gslot = group_slot(key_, pc_);
        if (gtable_.p[gslot] != 0) return revisit(records_.p[groups_.p[gtable_.p[gslot] - 1].first]);
        add_record(gslot, 0);
        return 0;
    }
    // Open addressing, index + 1 (0: empty): groups by (key, instruction), records by (exact
    // state, instruction). Returns the matching slot or the free one where the search stopped.
    static constexpr std::uint32_t bucket(std::uint64_t key, std::uint32_t insn, std::uint32_t n) {
        return static_cast<std::uint32_t>(((key ^ std::uint64_t{insn}) * 0x9e3779b97f4a7c15ull) >> 40) & (n - 1);
    }
    constexpr std::uint32_t group_slot(std::uint64_t key, std::uint32_t insn) const {
        std::uint32_t slot = bucket(key, insn, gtable_.n);
        while (gtable_.p[slot] != 0 && (groups_.p[gtable_.p[slot] - 1].hash != key || groups_.p[gtable_.p[slot] - 1].insn != insn))
            slot = (slot + 1) & (gtable_.n - 1);
        return slot;
    }
    constexpr std::uint32_t exact_slot(std::uint64_t exact, std::uint32_t insn) const {
        std::uint32_t slot = bucket(exact, insn, xtable_.n);
        while (xtable_.p[slot] != 0 && (records_.p[xtable_.p[slot] - 1].exact != exact || records_.p[xtable_.p[slot] - 1].insn != insn))
            slot = (slot + 1) & (xtable_.n - 1);
        return slot;
    }
    constexpr void rehash(std::uint32_t groups, std::uint32_t records) {
        gtable_.reset(groups);
        for (std::uint32_t i = 0; i < groups_.size; ++i) gtable_.p[group_slot(groups_.p[i].hash, groups_.p[i].insn)] = i + 1;
        if (!loops_) return;
        xtable_.reset(records);
        for (std::uint32_t i = 0; i < records_.size; ++i) xtable_.p[exact_slot(records_.p[i].exact, records_.p[i].insn)] = i + 1;
    }
    // lint mode: forget constants so that loops converge
    constexpr void widen() {
        const std::uint32_t end = (cf_ + 1) * frame_cells;
        for (std::uint32_t i = 0; i < end; ++i) {
            const cell& c = c_.p[i];
            if (c.kind == k_const) set(i, {0, k_scalar, c.frame, c.init, c.size});
        }
        for (std::uint32_t f = 0; f <= cf_; ++f)
            for (cell& c : rf_.f[f].r)
                if (c.kind == k_const) c = {0, k_scalar, 0, 0, 0};
    }
};

} // namespace ctbpf::detail::vfy
