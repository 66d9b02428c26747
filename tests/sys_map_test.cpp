// Kernel tests of maps: every element operation and update flag (BPF_NOEXIST refused on an array),
// get-next-key iteration, lookup-and-delete, batches, freeze, per-CPU values, queues, a tail-call
// chain through a program array, ring-buffer records, pinning and reference counts on bpffs.
#include "sys_test_util.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace sys = ctbpf::sys;
using sys_test::bytes;

namespace {

using U32 = std::uint32_t;
using U64 = std::uint64_t;

struct stats {
    U64 packets;
    U32 last_len;
    U32 flags;
};

// Tail-call chain: first -> slot 1 -> slot 2. Each falls through to its own return value when
// the next slot is empty: first returns 1, middle returns 7, last returns 42.
constexpr auto first = sys_test::tail_call_or<1, 1>;
constexpr auto middle = sys_test::tail_call_or<2, 7>;
constexpr auto last = [] {
    using namespace ctbpf::syntax;
    return program{w0 = 42, exit_()};
};

// Writes one 8-byte record (0xc0ffee00 + the low byte of the first packet byte) per run.
constexpr auto emit = [] {
    using namespace ctbpf::syntax;
    return program{
        r2 = mem<u32>(r1 + 4),
        r1 = mem<u32>(r1 + 0),
        r3 = r1,
        r3 += 1,
        w0 = XDP_ABORTED,
        if_(r3 > r2).goto_("out"),
        r2 = mem<u8>(r1 + 0),
        w2 |= 0xc0ffee00,
        mem<u64>(r10 - 8) = r2,
        r1 = map("events"),
        r2 = r10,
        r2 += -8,
        r3 = 8,
        r4 = 0,
        call(helper::ringbuf_output),
        w0 = XDP_PASS,
    label("out"),
        exit_(),
    };
};

std::array<unsigned char, 64> packet(unsigned char first_byte = 0) {
    std::array<unsigned char, 64> p{};
    p[0] = first_byte;
    return p;
}

} // namespace

// result<T>::value() && and operator* && return T (a reference into the temporary would dangle).
static_assert(std::is_same_v<decltype(std::declval<sys::result<std::vector<int>>>().value()), std::vector<int>>);
static_assert(std::is_same_v<decltype(*std::declval<sys::result<std::vector<int>>>()), std::vector<int>>);
static_assert(std::is_same_v<decltype(std::declval<sys::result<std::vector<int>>&>().value()), std::vector<int>&>);

TEST_CASE("result<T>: a temporary's value() in a range-for owns its elements") {
    auto make = [] { return sys::result<std::vector<std::string>>(std::vector<std::string>{"a", std::string(64, 'b')}); };
    std::vector<std::string> seen;
    for (auto& s : make().value()) seen.push_back(s);
    CHECK(seen == std::vector<std::string>{"a", std::string(64, 'b')});
    sys::result<std::vector<int>> r(std::vector<int>{1, 2, 3});
    static_assert(std::is_same_v<decltype(std::move(r).value()), std::vector<int>>);
    CHECK(std::move(r).value() == std::vector<int>{1, 2, 3});
}

TEST_CASE("hash map: lookup, update with BPF_ANY / BPF_NOEXIST / BPF_EXIST, delete") {
    KERNEL_TEST();
    auto m = sys::map<U32, stats>::create(BPF_MAP_TYPE_HASH, 16, {.name = "stats"});
    REQUIRE(m.ok());
    CHECK(m->lookup(1).error().not_found());
    CHECK(m->lookup(1).error().message.find("there is no such key") != std::string::npos);

    REQUIRE(m->update(1, {10, 64, 0}, sys::update_flag::noexist).ok()); // create
    auto again = m->update(1, {11, 64, 0}, sys::update_flag::noexist);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().is(std::errc::file_exists));
    CHECK(again.error().message.find("BPF_NOEXIST: the key exists") != std::string::npos);

    auto missing = m->update(2, {1, 1, 1}, sys::update_flag::exist);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().not_found());
    CHECK(missing.error().message.find("BPF_EXIST: there is no such key") != std::string::npos);

    REQUIRE(m->update(1, {12, 128, 3}, sys::update_flag::exist).ok()); // replace
    REQUIRE(m->update(2, {2, 2, 2}).ok());                           // BPF_ANY creates
    REQUIRE(m->update(2, {5, 5, 5}).ok());                           // BPF_ANY replaces
    auto v = m->lookup(1);
    REQUIRE(v.ok());
    CHECK(v->packets == 12);
    CHECK(v->last_len == 128);
    CHECK(v->flags == 3);
    CHECK(m->lookup(2)->packets == 5);

    REQUIRE(m->erase(1).ok());
    CHECK(m->lookup(1).error().not_found());
    CHECK(m->erase(1).error().not_found());
}

TEST_CASE("hash map full: E2BIG says so") {
    KERNEL_TEST();
    auto m = sys::map<U64, U64>::create(BPF_MAP_TYPE_HASH, 2, {.flags = BPF_F_NO_PREALLOC});
    REQUIRE(m.ok());
    REQUIRE(m->update(1, 1).ok());
    REQUIRE(m->update(2, 2).ok());
    auto full = m->update(3, 3);
    REQUIRE_FALSE(full.ok());
    CHECK(full.error().is(std::errc::argument_list_too_long));
    CHECK(full.error().message.find("the map is full (max_entries 2)") != std::string::npos);
}

TEST_CASE("array map: BPF_NOEXIST is refused, BPF_EXIST works, indices are bounded, no deletes") {
    KERNEL_TEST();
    auto a = sys::map<U32, U64>::create(BPF_MAP_TYPE_ARRAY, 4, {.name = "arr"});
    REQUIRE(a.ok());
    CHECK(a->lookup(3).value() == 0); // every key exists, zeroed
    auto noexist = a->update(0, 9, sys::update_flag::noexist);
    REQUIRE_FALSE(noexist.ok());
    CHECK(noexist.error().is(std::errc::file_exists));
    CHECK(noexist.error().message ==
          "BPF_MAP_UPDATE_ELEM array 'arr': File exists (EEXIST): BPF_NOEXIST is refused: every key of an array map "
          "always exists");
    REQUIRE(a->update(0, 9, sys::update_flag::exist).ok());
    CHECK(a->lookup(0).value() == 9);
    auto out_of_range = a->update(4, 1);
    REQUIRE_FALSE(out_of_range.ok());
    CHECK(out_of_range.error().message.find("the index is outside the array (max_entries 4)") != std::string::npos);
    CHECK(a->lookup(4).error().not_found());
    auto del = a->erase(0);
    REQUIRE_FALSE(del.ok());
    CHECK(del.error().is(std::errc::invalid_argument));
    CHECK(del.error().message.find("elements of array maps cannot be deleted") != std::string::npos);
}

TEST_CASE("get-next-key iteration, entries, lookup-and-delete") {
    KERNEL_TEST();
    auto m = sys::map<U64, U32>::create(BPF_MAP_TYPE_HASH, 64);
    REQUIRE(m.ok());
    std::set<U64> want;
    for (U64 k = 100; k < 120; ++k) {
        REQUIRE(m->update(k, static_cast<U32>(k * 2)).ok());
        want.insert(k);
    }
    auto first_key = m->next_key();
    REQUIRE(first_key.ok());
    REQUIRE(first_key->has_value());
    CHECK(want.count(**first_key) == 1);
    auto keys = m->keys();
    REQUIRE(keys.ok());
    CHECK(std::set<U64>(keys->begin(), keys->end()) == want);
    CHECK(keys->size() == want.size());
    auto entries = m->entries();
    REQUIRE(entries.ok());
    CHECK(entries->size() == 20);
    for (const auto& [k, v] : *entries) CHECK(v == k * 2);
    // A temporary's value() in a range-for: the vector is returned by value, not dangling.
    std::set<U64> seen;
    for (auto& [k, v] : m->entries().value()) {
        CHECK(v == k * 2);
        seen.insert(k);
    }
    CHECK(seen == want);

    auto taken = m->lookup_and_delete(105);
    REQUIRE(taken.ok());
    CHECK(*taken == 210);
    CHECK(m->lookup(105).error().not_found());
    CHECK(m->lookup_and_delete(105).error().not_found());

    // The end of the iteration is not an error.
    auto empty = sys::map<U64, U32>::create(BPF_MAP_TYPE_HASH, 4);
    REQUIRE(empty.ok());
    auto none = empty->next_key();
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
}

TEST_CASE("batch operations: update, lookup in chunks, delete, lookup-and-delete") {
    KERNEL_TEST();
    auto m = sys::map<U32, U64>::create(BPF_MAP_TYPE_HASH, 256);
    REQUIRE(m.ok());
    std::vector<U32> keys;
    std::vector<U64> values;
    for (U32 i = 0; i < 100; ++i) {
        keys.push_back(i);
        values.push_back(U64{i} * 1000);
    }
    auto n = m->update_batch(keys, values);
    REQUIRE(n.ok());
    CHECK(*n == 100);
    auto noexist = m->update_batch(std::span<const U32>(keys).first(1), std::span<const U64>(values).first(1),
                                   sys::update_flag::noexist);
    REQUIRE_FALSE(noexist.ok()); // batches take BPF_ANY or BPF_F_LOCK only
    CHECK(noexist.error().is(std::errc::invalid_argument));
    CHECK(noexist.error().message.find("batch updates take only BPF_ANY or BPF_F_LOCK") != std::string::npos);

    auto all = m->lookup_batch(7);
    REQUIRE(all.ok());
    CHECK(all->size() == 100);
    for (const auto& [k, v] : *all) CHECK(v == U64{k} * 1000);

    auto deleted = m->delete_batch(std::span<const U32>(keys).first(50));
    REQUIRE(deleted.ok());
    CHECK(*deleted == 50);
    CHECK(m->lookup(10).error().not_found());

    auto drained = m->lookup_and_delete_batch(16);
    REQUIRE(drained.ok());
    CHECK(drained->size() == 50);
    auto rest = m->keys();
    REQUIRE(rest.ok());
    CHECK(rest->empty());

    // Arrays batch too (lookup; lookup-and-delete is refused).
    auto a = sys::map<U32, U32>::create(BPF_MAP_TYPE_ARRAY, 10);
    REQUIRE(a.ok());
    REQUIRE(a->update(3, 33).ok());
    auto arr = a->lookup_batch(4);
    REQUIRE(arr.ok());
    REQUIRE(arr->size() == 10);
    CHECK((*arr)[3] == std::pair<U32, U32>{3, 33});
    auto refused = a->lookup_and_delete_batch();
    REQUIRE_FALSE(refused.ok());
}

TEST_CASE("freeze: user space can read but no longer write") {
    KERNEL_TEST();
    auto m = sys::map<U32, U64>::create(BPF_MAP_TYPE_ARRAY, 2, {.name = "config"});
    REQUIRE(m.ok());
    REQUIRE(m->update(0, 77).ok());
    REQUIRE(m->freeze().ok());
    auto w = m->update(0, 78);
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().is(std::errc::operation_not_permitted));
    CHECK(w.error().message.find("frozen") != std::string::npos);
    CHECK(m->lookup(0).value() == 77);
    auto again = m->freeze();
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message.find("frozen already") != std::string::npos);
}

TEST_CASE("per-CPU values: one per possible CPU") {
    KERNEL_TEST();
    const U32 cpus = sys::possible_cpus();
    REQUIRE(cpus >= 1);
    auto m = sys::map<U32, sys::percpu<U32>>::create(BPF_MAP_TYPE_PERCPU_ARRAY, 2);
    REQUIRE(m.ok());
    std::vector<U32> v(cpus);
    for (U32 c = 0; c < cpus; ++c) v[c] = 100 + c;
    REQUIRE(m->update(1, v).ok());
    auto got = m->lookup(1);
    REQUIRE(got.ok());
    CHECK(*got == v);
    CHECK(m->lookup(0).value() == std::vector<U32>(cpus, 0));

    auto h = sys::map<U64, sys::percpu<U64>>::create(BPF_MAP_TYPE_PERCPU_HASH, 8);
    REQUIRE(h.ok());
    std::vector<U64> keys{1, 2, 3};
    std::vector<std::vector<U64>> vals{std::vector<U64>(cpus, 1), std::vector<U64>(cpus, 2), std::vector<U64>(cpus, 3)};
    REQUIRE(h->update_batch(keys, vals).ok());
    auto all = h->lookup_batch(2);
    REQUIRE(all.ok());
    CHECK(all->size() == 3);
    for (const auto& [k, per_cpu] : *all) CHECK(per_cpu == std::vector<U64>(cpus, k));

    auto wrong = sys::map<U32, U32>::create(BPF_MAP_TYPE_PERCPU_ARRAY, 1);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("needs map<K, percpu<T>>") != std::string::npos);
}

TEST_CASE("queue maps: push, peek, pop (raw_map, no key)") {
    KERNEL_TEST();
    auto q = sys::raw_map::create(BPF_MAP_TYPE_QUEUE, 0, sizeof(U32), 4);
    REQUIRE(q.ok());
    for (U32 v : {5u, 6u, 7u}) REQUIRE(q->push(&v).ok());
    U32 out = 0;
    REQUIRE(q->peek(&out).ok());
    CHECK(out == 5);
    for (U32 want : {5u, 6u, 7u}) {
        REQUIRE(q->lookup_and_delete(nullptr, &out).ok());
        CHECK(out == want);
    }
    CHECK(q->lookup_and_delete(nullptr, &out).error().not_found());
}

TEST_CASE("map creation errors say what to fix") {
    KERNEL_TEST();
    auto bad_key = sys::raw_map::create(BPF_MAP_TYPE_ARRAY, 8, 8, 4, {.name = "bad"});
    REQUIRE_FALSE(bad_key.ok());
    CHECK(bad_key.error().is(std::errc::invalid_argument));
    CHECK(bad_key.error().message.find("BPF_MAP_CREATE array 'bad'") == 0);
    CHECK(bad_key.error().message.find("array maps need 4-byte keys") != std::string::npos);
    auto bad_ring = sys::ringbuf::create(1000);
    REQUIRE_FALSE(bad_ring.ok());
    CHECK(bad_ring.error().message.find("must be a power of 2") != std::string::npos);
}

TEST_CASE("a tail-call chain through a program array") {
    KERNEL_TEST();
    auto jumps = sys::prog_array::create(4, {.name = "jumps"});
    REQUIRE(jumps.ok());
    auto a = sys::load<first>({.type = BPF_PROG_TYPE_XDP, .name = "first"}, {{"jumps", *jumps}});
    auto b = sys::load<middle>({.type = BPF_PROG_TYPE_XDP, .name = "middle"}, {{"jumps", *jumps}});
    auto c = sys::load<last>({.type = BPF_PROG_TYPE_XDP, .name = "last"});
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(c.ok());
    const auto pkt = packet();
    auto run = [&] { return sys::test_run(*a, {.data = bytes(pkt.data(), pkt.size())}).value().retval; };
    CHECK(run() == 1); // slot 1 empty
    REQUIRE(jumps->set(1, *b).ok());
    CHECK(run() == 7); // first -> middle, slot 2 empty
    REQUIRE(jumps->set(2, *c).ok());
    CHECK(run() == 42); // first -> middle -> last
    CHECK(jumps->prog_id(2).value() == c->info().value().id);
    REQUIRE(jumps->erase(2).ok());
    CHECK(run() == 7);
    CHECK(jumps->prog_id(2).error().not_found());
}

TEST_CASE("ring buffer: records from test runs reach the consumer's callback") {
    KERNEL_TEST();
    auto events = sys::ringbuf::create(4096 * 4, {.name = "events"});
    REQUIRE(events.ok());
    auto p = sys::load<emit>({.type = BPF_PROG_TYPE_XDP}, {{"events", *events}});
    REQUIRE(p.ok());
    auto consumer = sys::ringbuf_consumer::create(*events);
    REQUIRE(consumer.ok());

    // Nothing yet: a short poll times out with no records.
    auto none = consumer->poll(10, [](std::span<const std::byte>) {});
    REQUIRE(none.ok());
    CHECK(*none == 0);

    const auto pkt = packet(0x2a);
    REQUIRE(sys::test_run(*p, {.data = bytes(pkt.data(), pkt.size()), .repeat = 5}).ok());
    std::vector<U64> got;
    auto n = consumer->poll(1000, [&](std::span<const std::byte> rec) {
        REQUIRE(rec.size() == 8);
        U64 v = 0;
        std::memcpy(&v, rec.data(), 8);
        got.push_back(v);
    });
    REQUIRE(n.ok());
    CHECK(*n == 5);
    CHECK(got == std::vector<U64>(5, 0xc0ffee2a));

    // A callback returning false stops; the rest stays for the next call.
    REQUIRE(sys::test_run(*p, {.data = bytes(pkt.data(), pkt.size()), .repeat = 3}).ok());
    int seen = 0;
    CHECK(consumer->consume([&](std::span<const std::byte>) { return ++seen < 1; }) == 1);
    CHECK(consumer->consume([](std::span<const std::byte>) {}) == 2);

    // Records wrap around the end of the buffer (8 + 8 bytes each; 16 KiB buffer).
    std::size_t total = 0;
    for (int round = 0; round < 3; ++round) {
        REQUIRE(sys::test_run(*p, {.data = bytes(pkt.data(), pkt.size()), .repeat = 700}).ok());
        total += consumer->consume([](std::span<const std::byte> rec) { CHECK(rec.size() == 8); });
    }
    CHECK(total == 2100);

    // Moving the consumer keeps it working.
    sys::ringbuf_consumer moved = std::move(consumer).value();
    REQUIRE(sys::test_run(*p, {.data = bytes(pkt.data(), pkt.size())}).ok());
    CHECK(moved.consume([](std::span<const std::byte>) {}) == 1);
}

TEST_CASE("pinning on a private bpffs: the pin holds a reference; unpinned and closed, the map is freed") {
    KERNEL_TEST();
    char dir[] = "/tmp/ctbpf-bpffs.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string root = dir;
    auto mounted = sys::mount_bpffs(root);
    REQUIRE_MESSAGE(mounted.ok(), (mounted.ok() ? "" : mounted.error().message));
    CHECK(sys::on_bpffs(root));
    const std::string path = root + "/counts";

    U32 id = 0;
    {
        auto m = sys::map<U32, U64>::create(BPF_MAP_TYPE_HASH, 8, {.name = "pinned"});
        REQUIRE(m.ok());
        REQUIRE(m->update(7, 700).ok());
        id = m->info().value().id;
        REQUIRE(sys::pin(*m, path).ok());
        auto twice = sys::pin(*m, path);
        REQUIRE_FALSE(twice.ok());
        CHECK(twice.error().message.find("pinned at '" + path + "' already") != std::string::npos);
    } // the fd is closed; the pin keeps the map

    auto opened = sys::open_pinned_map<U32, U64>(path);
    REQUIRE(opened.ok());
    CHECK(opened->info().value().id == id);
    CHECK(opened->lookup(7).value() == 700);
    auto wrong = sys::open_pinned_map<U64, U64>(path);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("map<K, V> expects 8 and 8") != std::string::npos);
    auto as_prog = sys::open_pinned_prog(path);
    REQUIRE_FALSE(as_prog.ok());
    CHECK(as_prog.error().message.find("it is anon_inode:bpf-map") != std::string::npos);

    // Programs pin too.
    auto p = sys::load<last>({.type = BPF_PROG_TYPE_XDP, .name = "pinned_prog"});
    REQUIRE(p.ok());
    REQUIRE(sys::pin(*p, root + "/prog").ok());
    auto p2 = sys::open_pinned_prog(root + "/prog");
    REQUIRE(p2.ok());
    CHECK(p2->type() == BPF_PROG_TYPE_XDP);
    CHECK(p2->info().value().id == p->info().value().id);
    REQUIRE(sys::unpin(root + "/prog").ok());

    // Outside bpffs the error says where to mount one.
    auto outside = sys::pin(*opened, root + "-not-bpffs/x");
    REQUIRE_FALSE(outside.ok());
    CHECK(outside.error().message.find("is not on a bpf filesystem") != std::string::npos);
    CHECK(sys::open_pinned(root + "/nothing").error().message.find("nothing is pinned at") != std::string::npos);

    // Unpin and close: the last reference goes, and the kernel frees the map (after an RCU grace period).
    REQUIRE(sys::unpin(path).ok());
    CHECK(sys::raw_map::from_id(id).ok()); // our fd still holds it
    opened = sys::map<U32, U64>{};
    bool freed = false;
    for (int i = 0; i < 200 && !freed; ++i) {
        auto again = sys::raw_map::from_id(id);
        freed = !again.ok() && again.error().not_found();
        if (!freed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(freed);

    CHECK(::umount2(dir, MNT_DETACH) == 0);
    CHECK(::rmdir(dir) == 0);
}
