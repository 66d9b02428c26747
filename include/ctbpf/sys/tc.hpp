// Traffic control: tcx links (BPF_LINK_CREATE with BPF_TCX_INGRESS/EGRESS, Linux 6.6+) with
// before/after anchors and an expected revision, BPF_PROG_QUERY of a tcx hook; and legacy tc for
// older kernels through rtnetlink (our own messages, no libnl or iproute2): the clsact qdisc and a
// direct-action cls_bpf filter on its ingress or egress hook, removed when the handle is destroyed;
// netkit (Linux 6.7+, CONFIG_NETKIT): a device pair made over rtnetlink, programs on its primary and
// peer hooks through links with the same anchors as tcx.
// Programs for either are BPF_PROG_TYPE_SCHED_CLS; they return TCX_NEXT (-1), TCX_PASS / TC_ACT_OK
// (0) or TCX_DROP / TC_ACT_SHOT (2).
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES
#include "ctbpf/sys/attach.hpp"
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/prog.hpp"
#include "ctbpf/sys/names.hpp"

#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctbpf::sys {

enum class tc_direction : std::uint8_t { ingress, egress };

inline std::string_view tc_direction_name(tc_direction d) { return d == tc_direction::ingress ? "ingress" : "egress"; }

// ---- tcx ----

// Flags newer than Linux 6.1's uapi header (values from 6.6's include/uapi/linux/bpf.h).
namespace k {
inline constexpr std::uint32_t f_before = 1u << 3;
inline constexpr std::uint32_t f_after = 1u << 4;
inline constexpr std::uint32_t f_id = 1u << 5;
inline constexpr std::uint32_t f_link = 1u << 13;
} // namespace k

// Where a new tcx program goes among those attached to the same hook. The default is last.
struct tcx_anchor {
    std::uint32_t flags = 0;    // BPF_F_BEFORE / BPF_F_AFTER, | BPF_F_ID, | BPF_F_LINK (k::f_*)
    std::uint32_t relative = 0; // an fd or an id (BPF_F_ID) of a program or (BPF_F_LINK) a link

    static tcx_anchor first() { return {k::f_before, 0}; }
    static tcx_anchor last() { return {k::f_after, 0}; }
    static tcx_anchor before(const prog& p) { return {k::f_before, static_cast<std::uint32_t>(p.fd())}; }
    static tcx_anchor after(const prog& p) { return {k::f_after, static_cast<std::uint32_t>(p.fd())}; }
    static tcx_anchor before(const link& l) { return {k::f_before | k::f_link, static_cast<std::uint32_t>(l.fd())}; }
    static tcx_anchor after(const link& l) { return {k::f_after | k::f_link, static_cast<std::uint32_t>(l.fd())}; }
    static tcx_anchor before_prog_id(std::uint32_t id) { return {k::f_before | k::f_id, id}; }
    static tcx_anchor after_prog_id(std::uint32_t id) { return {k::f_after | k::f_id, id}; }
    static tcx_anchor before_link_id(std::uint32_t id) { return {k::f_before | k::f_id | k::f_link, id}; }
    static tcx_anchor after_link_id(std::uint32_t id) { return {k::f_after | k::f_id | k::f_link, id}; }
};

struct tcx_options {
    tcx_anchor anchor{};
    // Attach only if the hook's revision (tcx_query().revision) is still this one; 0: any.
    std::uint64_t expected_revision = 0;
};

// The programs on a tcx hook, first to run first, and the hook's revision (it changes with every
// attach and detach).
struct tcx_state {
    std::vector<std::uint32_t> prog_ids, link_ids; // link_ids[i] is 0 for a program attached without a link
    std::uint64_t revision = 0;
};

namespace detail {
// BPF_LINK_CREATE with the tcx tail.
struct attr_link_create_tcx {
    u32 prog_fd = 0;
    u32 target_ifindex = 0;
    u32 attach_type = 0;
    u32 flags = 0;
    u32 relative = 0; // relative_fd or relative_id
    u32 pad_ = 0;
    alignas(8) u64 expected_revision = 0;
    alignas(8) u64 tail[2] = {};
};
// BPF_PROG_QUERY.
struct attr_prog_query {
    u32 target = 0; // target_fd or target_ifindex
    u32 attach_type = 0;
    u32 query_flags = 0;
    u32 attach_flags = 0;
    alignas(8) u64 prog_ids = 0;
    u32 count = 0;
    u32 pad_ = 0;
    alignas(8) u64 prog_attach_flags = 0;
    alignas(8) u64 link_ids = 0;
    alignas(8) u64 link_attach_flags = 0;
    alignas(8) u64 revision = 0;
};
static_assert(offsetof(attr_link_create_tcx, flags) == offsetof(union bpf_attr, link_create.flags));
static_assert(offsetof(attr_link_create_tcx, relative) == 16 && offsetof(attr_link_create_tcx, expected_revision) == 24);
static_assert(offsetof(attr_prog_query, prog_ids) == offsetof(union bpf_attr, query.prog_ids));
static_assert(offsetof(attr_prog_query, count) == offsetof(union bpf_attr, query.prog_cnt));
static_assert(offsetof(attr_prog_query, revision) == 56);

inline std::uint32_t tcx_attach_type(tc_direction d) {
    return d == tc_direction::ingress ? k::attach_tcx_ingress : k::attach_tcx_egress;
}
inline std::string ifname_of(unsigned ifindex) {
    char buf[IF_NAMESIZE] = {};
    return ::if_indextoname(ifindex, buf) ? std::string(buf) : "ifindex " + std::to_string(ifindex);
}
} // namespace detail

namespace detail {
// BPF_LINK_CREATE on a bpf_mprog hook (tcx, netkit): the tail and the errors are the same.
CTBPF_SYS_INLINE result<link> link_create_mprog(const prog& p, unsigned ifindex, std::uint32_t attach_type, const tcx_options& o,
                                                const std::string& what, std::string_view einval_hint)
#if CTBPF_SYS_BODIES
{
    attr_link_create_tcx a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.target_ifindex = ifindex;
    a.attach_type = attach_type;
    a.flags = o.anchor.flags;
    a.relative = o.anchor.relative;
    a.expected_revision = o.expected_revision;
    const int fd = bpf(BPF_LINK_CREATE, a);
    if (fd < 0) {
        const int e = errno;
        std::string hint;
        if (e == ESTALE)
            hint = "the hook's revision is no longer " + std::to_string(o.expected_revision) +
                   " (another program was attached or detached meanwhile): query it again";
        else if (e == ENOENT && (o.anchor.flags & (k::f_before | k::f_after)) && o.anchor.relative != 0)
            hint = "the anchor (the program or link to go before or after) is not attached to this hook";
        else if (e == EEXIST)
            hint = "this program is attached to this hook already";
        else if (e == ERANGE)
            hint = "the hook holds the most programs it can (64), or a before and an after anchor that are not neighbours were given";
        else if (e == EINVAL)
            hint = (p.type() == BPF_PROG_TYPE_SCHED_CLS ? "" : "the program must be sched_cls (it is " + prog_type_name(p.type()) + "), ") +
                   std::string(einval_hint) + ", and an anchor needs BPF_F_BEFORE or BPF_F_AFTER";
        else if (e == EBADF)
            hint = "the anchor's fd is not a program or link";
        else if (e == ENODEV)
            hint = "no such network interface in this network namespace";
        else if (e == ENXIO)
            hint = "the interface is not a netkit device";
        else if (e == EACCES)
            hint = "this is a netkit peer: attach to the primary device, with netkit_side::peer for the peer's hook";
        return make_error(e, "BPF_LINK_CREATE " + what, hint);
    }
    return link(unique_fd(fd), link::kind::bpf_link, what);
}
#else
;
#endif
} // namespace detail

// Attaches a sched_cls program to the tcx ingress or egress hook of `ifindex` through a bpf link
// (Linux 6.6+); the program is detached when the link is destroyed.
inline result<link> attach_tcx(const prog& p, unsigned ifindex, tc_direction dir, const tcx_options& o = {}) {
    return detail::link_create_mprog(p, ifindex, detail::tcx_attach_type(dir), o,
                                     "tcx " + std::string(tc_direction_name(dir)) + " on " + detail::ifname_of(ifindex),
                                     "the kernel needs tcx (Linux 6.6+)");
}
CTBPF_SYS_INLINE result<link> attach_tcx(const prog& p, std::string_view ifname, tc_direction dir, const tcx_options& o = {})
#if CTBPF_SYS_BODIES
{
    const result<unsigned> ifindex = detail::ifindex_named(ifname, "tcx " + std::string(tc_direction_name(dir)) + " on " + std::string(ifname));
    if (!ifindex) return ifindex.error();
    return attach_tcx(p, *ifindex, dir, o);
}
#else
;
#endif

namespace detail {
CTBPF_SYS_INLINE result<tcx_state> query_mprog(unsigned ifindex, std::uint32_t attach_type, const std::string& what, std::string_view einval_hint)
#if CTBPF_SYS_BODIES
{
    for (std::uint32_t room = 16;; room *= 4) {
        tcx_state s;
        s.prog_ids.resize(room);
        s.link_ids.resize(room);
        attr_prog_query a;
        a.target = ifindex;
        a.attach_type = attach_type;
        a.prog_ids = ptr(s.prog_ids.data());
        a.link_ids = ptr(s.link_ids.data());
        a.count = room;
        const int r = bpf(BPF_PROG_QUERY, a);
        if (r < 0 && errno == ENOSPC && room < 4096) continue;
        if (r < 0)
            return make_error(errno, what,
                              errno == EINVAL ? std::string(einval_hint)
                              : errno == ENODEV ? "no such network interface"
                              : errno == ENXIO  ? "the interface is not a netkit device"
                              : errno == EACCES ? "this is a netkit peer: query the primary device with netkit_side::peer"
                                                : "");
        s.prog_ids.resize(a.count);
        s.link_ids.resize(a.count);
        s.revision = a.revision;
        return s;
    }
}
#else
;
#endif
} // namespace detail

// BPF_PROG_QUERY of a tcx hook: its programs in the order they run, their links, its revision.
inline result<tcx_state> query_tcx(unsigned ifindex, tc_direction dir) {
    return detail::query_mprog(ifindex, detail::tcx_attach_type(dir),
                               "BPF_PROG_QUERY tcx " + std::string(tc_direction_name(dir)) + " on " + detail::ifname_of(ifindex),
                               "the kernel needs tcx (Linux 6.6+)");
}

// ---- legacy tc through rtnetlink ----

namespace detail {

// One rtnetlink request: an nlmsghdr, a fixed header, attributes (nested ones too).
class nl_request {
public:
    nl_request(std::uint16_t type, std::uint16_t flags) {
        buf_.resize(NLMSG_HDRLEN);
        hdr()->nlmsg_type = type;
        hdr()->nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST | NLM_F_ACK);
    }
    template <class T>
    void put_header(const T& h) { append(&h, sizeof h); }
    void put(std::uint16_t type, const void* data, std::size_t len) {
        rtattr ra{};
        ra.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
        ra.rta_type = type;
        append(&ra, sizeof ra);
        append(data, len);
    }
    void put_u32(std::uint16_t type, std::uint32_t v) { put(type, &v, sizeof v); }
    void put_str(std::uint16_t type, std::string_view s) {
        std::string z(s);
        put(type, z.c_str(), z.size() + 1);
    }
    std::size_t begin_nest(std::uint16_t type, bool nested_flag = true) {
        const std::size_t at = buf_.size();
        rtattr ra{};
        ra.rta_type = static_cast<unsigned short>(nested_flag ? type | NLA_F_NESTED : type);
        append(&ra, sizeof ra);
        return at;
    }
    void end_nest(std::size_t at) {
        rtattr ra;
        std::memcpy(&ra, buf_.data() + at, sizeof ra);
        ra.rta_len = static_cast<unsigned short>(buf_.size() - at);
        std::memcpy(buf_.data() + at, &ra, sizeof ra);
    }
    std::vector<unsigned char>& finish(std::uint32_t seq) {
        hdr()->nlmsg_len = static_cast<std::uint32_t>(buf_.size());
        hdr()->nlmsg_seq = seq;
        return buf_;
    }

private:
    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    void append(const void* p, std::size_t n) {
        const std::size_t at = buf_.size();
        buf_.resize(at + NLMSG_ALIGN(n));
        std::memcpy(buf_.data() + at, p, n);
    }
    std::vector<unsigned char> buf_;
};

CTBPF_SYS_INLINE result<unique_fd> rtnl_open()
#if CTBPF_SYS_BODIES
{
    unique_fd s(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!s) return make_error(errno, "socket(AF_NETLINK, NETLINK_ROUTE)");
    const int one = 1;
    ::setsockopt(s.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one); // the kernel's message with errors
    ::setsockopt(s.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one); // acks without our request echoed
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return make_error(errno, "bind(AF_NETLINK)");
    return s;
}
#else
;
#endif

// Sends one request and waits for its acknowledgement: the errno of NLMSG_ERROR (0 when it
// succeeded) and the kernel's extended-ack message, if any.
struct nl_ack {
    int error = 0;
    std::string message;
};
CTBPF_SYS_INLINE result<nl_ack> rtnl_transact(int sock, nl_request& req, std::string_view what)
#if CTBPF_SYS_BODIES
{
    static std::atomic<std::uint32_t> seq_counter{0};
    const std::uint32_t seq = ++seq_counter;
    std::vector<unsigned char>& msg = req.finish(seq);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(sock, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return make_error(errno, std::string(what) + ": sending the rtnetlink request");
    alignas(nlmsghdr) unsigned char buf[16384];
    for (;;) {
        const ssize_t n = ::recv(sock, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error(errno, std::string(what) + ": receiving the rtnetlink answer");
        }
        auto len = static_cast<std::size_t>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR) continue;
            const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
            nl_ack ack;
            ack.error = -err->error;
            if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
                // The attributes follow the echoed request (only its header when capped).
                std::size_t off = NLMSG_HDRLEN + sizeof(nlmsgerr);
                if (!(h->nlmsg_flags & NLM_F_CAPPED)) off += NLMSG_ALIGN(err->msg.nlmsg_len) - sizeof(nlmsghdr);
                while (off + sizeof(rtattr) <= h->nlmsg_len) {
                    rtattr ra;
                    std::memcpy(&ra, reinterpret_cast<const unsigned char*>(h) + off, sizeof ra);
                    if (ra.rta_len < sizeof ra || off + ra.rta_len > h->nlmsg_len) break;
                    if (ra.rta_type == NLMSGERR_ATTR_MSG) {
                        const char* s = reinterpret_cast<const char*>(h) + off + RTA_LENGTH(0);
                        ack.message.assign(s, strnlen(s, ra.rta_len - RTA_LENGTH(0)));
                    }
                    off += RTA_ALIGN(ra.rta_len);
                }
            }
            return ack;
        }
    }
}
#else
;
#endif

inline error rtnl_error(const nl_ack& ack, const std::string& what, std::string hint) {
    if (!ack.message.empty()) hint = "the kernel says: " + ack.message + (hint.empty() ? "" : "; " + hint);
    return make_error(ack.error, what, hint);
}

CTBPF_SYS_INLINE tcmsg make_tcmsg(unsigned ifindex, std::uint32_t parent, std::uint32_t handle, std::uint32_t info)
#if CTBPF_SYS_BODIES
{
    tcmsg t{};
    t.tcm_family = AF_UNSPEC;
    t.tcm_ifindex = static_cast<int>(ifindex);
    t.tcm_parent = parent;
    t.tcm_handle = handle;
    t.tcm_info = info;
    return t;
}
#else
;
#endif

} // namespace detail

// Adds the clsact qdisc to `ifindex` (RTM_NEWQDISC). Returns true when it was added, false when
// the interface had one already.
CTBPF_SYS_INLINE result<bool> add_clsact(unsigned ifindex)
#if CTBPF_SYS_BODIES
{
    const std::string what = "RTM_NEWQDISC clsact on " + detail::ifname_of(ifindex);
    result<unique_fd> s = detail::rtnl_open();
    if (!s) return std::move(s).error();
    detail::nl_request req(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
    req.put_header(detail::make_tcmsg(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0));
    req.put_str(TCA_KIND, "clsact");
    result<detail::nl_ack> ack = detail::rtnl_transact(s->get(), req, what);
    if (!ack) return std::move(ack).error();
    if (ack->error == 0) return true;
    if (ack->error == EEXIST) return false;
    return detail::rtnl_error(*ack, what,
                              ack->error == ENODEV ? "no such network interface in this network namespace"
                              : ack->error == ENOENT ? "this kernel has no clsact qdisc (CONFIG_NET_SCH_INGRESS)"
                              : ack->error == EPERM  ? "needs CAP_NET_ADMIN in this network namespace"
                                                     : "");
}
#else
;
#endif

// Removes the clsact qdisc of `ifindex` and every filter on it (RTM_DELQDISC).
CTBPF_SYS_INLINE result<void> remove_clsact(unsigned ifindex)
#if CTBPF_SYS_BODIES
{
    const std::string what = "RTM_DELQDISC clsact on " + detail::ifname_of(ifindex);
    result<unique_fd> s = detail::rtnl_open();
    if (!s) return std::move(s).error();
    detail::nl_request req(RTM_DELQDISC, 0);
    req.put_header(detail::make_tcmsg(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0));
    req.put_str(TCA_KIND, "clsact");
    result<detail::nl_ack> ack = detail::rtnl_transact(s->get(), req, what);
    if (!ack) return std::move(ack).error();
    if (ack->error == 0) return {};
    return detail::rtnl_error(*ack, what, ack->error == EINVAL || ack->error == ENOENT ? "the interface has no clsact qdisc" : "");
}
#else
;
#endif

struct tc_options {
    std::uint16_t priority = 1;       // lower runs first
    std::uint32_t handle = 1;         // the filter's handle within its priority (not 0: removal names it)
    std::string_view name{};          // TCA_BPF_NAME as tc shows it; empty: the program's name
    bool replace = false;             // replace a filter with the same priority and handle
    bool create_clsact = true;        // add the clsact qdisc when the interface has none
};

// A direct-action cls_bpf filter on the clsact qdisc of an interface; removed (RTM_DELTFILTER)
// when destroyed or by remove(). It keeps the rtnetlink socket it was made with, so it is removed
// in the network namespace it was added in.
class tc_filter {
public:
    tc_filter() = default;
    tc_filter(tc_filter&& o) noexcept { swap(o); }
    tc_filter& operator=(tc_filter&& o) noexcept {
        tc_filter t(std::move(o));
        swap(t);
        return *this;
    }
    ~tc_filter() { (void)remove(); }

    explicit operator bool() const noexcept { return static_cast<bool>(sock_); }
    unsigned ifindex() const noexcept { return ifindex_; }
    std::uint16_t priority() const noexcept { return prio_; }
    std::uint32_t handle() const noexcept { return handle_; }
    const std::string& what() const noexcept { return what_; }

    // Removes the filter now (the clsact qdisc stays; see remove_clsact).
    result<void> remove();

private:
    friend result<tc_filter> attach_tc(const prog&, unsigned, tc_direction, const tc_options&);
    void swap(tc_filter& o) noexcept {
        std::swap(sock_, o.sock_);
        std::swap(ifindex_, o.ifindex_);
        std::swap(parent_, o.parent_);
        std::swap(handle_, o.handle_);
        std::swap(prio_, o.prio_);
        std::swap(what_, o.what_);
    }
    unique_fd sock_;
    unsigned ifindex_ = 0;
    std::uint32_t parent_ = 0, handle_ = 0;
    std::uint16_t prio_ = 0;
    std::string what_;
};

#if CTBPF_SYS_BODIES
CTBPF_SYS_INLINE result<void> tc_filter::remove() {
    if (!sock_) return {};
    detail::nl_request req(RTM_DELTFILTER, 0);
    req.put_header(detail::make_tcmsg(ifindex_, parent_, handle_, TC_H_MAKE(std::uint32_t{prio_} << 16, htons(ETH_P_ALL))));
    req.put_str(TCA_KIND, "bpf");
    result<detail::nl_ack> ack = detail::rtnl_transact(sock_.get(), req, "RTM_DELTFILTER " + what_);
    sock_.reset();
    if (!ack) return std::move(ack).error();
    if (ack->error != 0)
        return detail::rtnl_error(*ack, "RTM_DELTFILTER " + what_,
                                  ack->error == ENOENT ? "the filter is gone already (its qdisc or interface was removed)" : "");
    return {};
}
#endif

// Attaches a sched_cls program as a direct-action cls_bpf filter to the clsact ingress or egress
// hook of `ifindex` (RTM_NEWTFILTER; the legacy way, for kernels without tcx).
CTBPF_SYS_INLINE result<tc_filter> attach_tc(const prog& p, unsigned ifindex, tc_direction dir, const tc_options& o = {})
#if CTBPF_SYS_BODIES
{
    const std::string what = "tc " + std::string(tc_direction_name(dir)) + " filter (priority " + std::to_string(o.priority) +
                             ", handle " + std::to_string(o.handle) + ") on " + detail::ifname_of(ifindex);
    if (o.handle == 0 || o.priority == 0)
        return make_error(EINVAL, "RTM_NEWTFILTER " + what,
                          "give a nonzero priority and handle: the filter is removed by them, and 0 would let the kernel "
                          "choose (and a removal by 0 take every filter of the priority)");
    if (o.create_clsact) {
        result<bool> q = add_clsact(ifindex);
        if (!q) return std::move(q).error();
    }
    result<unique_fd> s = detail::rtnl_open();
    if (!s) return std::move(s).error();
    const std::uint32_t parent = TC_H_MAKE(TC_H_CLSACT, dir == tc_direction::ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
    detail::nl_request req(RTM_NEWTFILTER, NLM_F_CREATE | (o.replace ? NLM_F_REPLACE : NLM_F_EXCL));
    req.put_header(detail::make_tcmsg(ifindex, parent, o.handle, TC_H_MAKE(std::uint32_t{o.priority} << 16, htons(ETH_P_ALL))));
    req.put_str(TCA_KIND, "bpf");
    const std::size_t opts = req.begin_nest(TCA_OPTIONS);
    req.put_u32(TCA_BPF_FD, static_cast<std::uint32_t>(p.fd()));
    req.put_str(TCA_BPF_NAME, o.name.empty() ? (p.name().empty() ? std::string_view("ctbpf") : std::string_view(p.name())) : o.name);
    req.put_u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
    req.end_nest(opts);
    result<detail::nl_ack> ack = detail::rtnl_transact(s->get(), req, "RTM_NEWTFILTER " + what);
    if (!ack) return std::move(ack).error();
    if (ack->error != 0) {
        std::string hint;
        if (ack->error == EEXIST) hint = "a filter with this priority and handle exists (set tc_options::replace, or another handle)";
        if (ack->error == EINVAL) hint = "the program must be sched_cls or sched_act (it is " + prog_type_name(p.type()) + ")";
        if (ack->error == ENOENT) hint = "the interface has no clsact qdisc (tc_options::create_clsact adds it) or the kernel no cls_bpf";
        if (ack->error == ENODEV) hint = "no such network interface in this network namespace";
        return detail::rtnl_error(*ack, "RTM_NEWTFILTER " + what, hint);
    }
    tc_filter f;
    f.sock_ = std::move(s).value();
    f.ifindex_ = ifindex;
    f.parent_ = parent;
    f.handle_ = o.handle;
    f.prio_ = o.priority;
    f.what_ = what;
    return f;
}
#else
;
#endif
CTBPF_SYS_INLINE result<tc_filter> attach_tc(const prog& p, std::string_view ifname, tc_direction dir, const tc_options& o = {})
#if CTBPF_SYS_BODIES
{
    const result<unsigned> ifindex = detail::ifindex_named(ifname, "tc " + std::string(tc_direction_name(dir)) + " filter on " + std::string(ifname));
    if (!ifindex) return ifindex.error();
    return attach_tc(p, *ifindex, dir, o);
}
#else
;
#endif

// ---- netkit (Linux 6.7+) ----

// uapi values newer than Linux 6.1's headers (include/uapi/linux/if_link.h, bpf.h of 6.7+).
namespace k {
inline constexpr std::uint32_t attach_netkit_primary = 54;
inline constexpr std::uint32_t attach_netkit_peer = 55;
inline constexpr std::uint16_t ifla_netkit_peer_info = 1;
inline constexpr std::uint16_t ifla_netkit_policy = 3;
inline constexpr std::uint16_t ifla_netkit_peer_policy = 4;
inline constexpr std::uint16_t ifla_netkit_mode = 5;
} // namespace k

// l3: no link-layer header (programs see the IP header first); l2: Ethernet, like a veth.
enum class netkit_mode : std::uint32_t { l2 = 0, l3 = 1 };
// The hook of the primary device (its transmit: traffic into the peer) or of the peer (traffic
// leaving the peer). Both are attached through the primary device's ifindex.
enum class netkit_side : std::uint8_t { primary, peer };
inline std::string_view netkit_side_name(netkit_side s) { return s == netkit_side::primary ? "primary" : "peer"; }

struct netkit_options {
    netkit_mode mode = netkit_mode::l3;
    int peer_netns_fd = -1;  // the network namespace of the peer (an fd of /proc/PID/ns/net); -1: this one
    bool drop_by_default = false, peer_drop_by_default = false; // the policy without programs: drop, else pass
};

// A netkit pair made by RTM_NEWLINK (IFLA_INFO_KIND "netkit"); deleted (the peer with it) when
// destroyed or by remove(), through the rtnetlink socket it was made with (so in its namespace).
class netkit_pair {
public:
    netkit_pair() = default;
    netkit_pair(netkit_pair&& o) noexcept { swap(o); }
    netkit_pair& operator=(netkit_pair&& o) noexcept {
        netkit_pair t(std::move(o));
        swap(t);
        return *this;
    }
    ~netkit_pair() { (void)remove(); }

    explicit operator bool() const noexcept { return static_cast<bool>(sock_); }
    unsigned primary_ifindex() const noexcept { return ifindex_; }
    const std::string& primary_name() const noexcept { return name_; }

    result<void> remove();

private:
    friend result<netkit_pair> create_netkit(std::string_view, std::string_view, const netkit_options&);
    void swap(netkit_pair& o) noexcept {
        std::swap(sock_, o.sock_);
        std::swap(ifindex_, o.ifindex_);
        std::swap(name_, o.name_);
    }
    unique_fd sock_;
    unsigned ifindex_ = 0;
    std::string name_;
};

#if CTBPF_SYS_BODIES
CTBPF_SYS_INLINE result<void> netkit_pair::remove() {
    if (!sock_) return {};
    detail::nl_request req(RTM_DELLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = static_cast<int>(ifindex_);
    req.put_header(ifi);
    const std::string what = "RTM_DELLINK netkit " + name_;
    result<detail::nl_ack> ack = detail::rtnl_transact(sock_.get(), req, what);
    sock_.reset();
    if (!ack) return std::move(ack).error();
    if (ack->error != 0) return detail::rtnl_error(*ack, what, ack->error == ENODEV ? "the device is gone already" : "");
    return {};
}
#endif

namespace detail {
// The RTM_NEWLINK of a netkit pair. A veth peer (VETH_INFO_PEER, also attribute 1) has the same
// layout, so with kind "veth" it makes a veth pair (the other attributes are beyond veth's): the
// tests check the layout with it on kernels without netkit.
CTBPF_SYS_INLINE nl_request new_pair_request(std::string_view kind, std::string_view primary, std::string_view peer, const netkit_options& o)
#if CTBPF_SYS_BODIES
{
    nl_request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    req.put_header(ifi);
    req.put_str(IFLA_IFNAME, primary);
    const std::size_t linkinfo = req.begin_nest(IFLA_LINKINFO);
    req.put_str(IFLA_INFO_KIND, kind);
    const std::size_t data = req.begin_nest(IFLA_INFO_DATA);
    req.put_u32(k::ifla_netkit_mode, static_cast<std::uint32_t>(o.mode));
    req.put_u32(k::ifla_netkit_policy, o.drop_by_default ? 2u : 0u); // NETKIT_DROP, NETKIT_PASS
    req.put_u32(k::ifla_netkit_peer_policy, o.peer_drop_by_default ? 2u : 0u);
    // The peer: an ifinfomsg and its own attributes (as a veth peer; not flagged nested).
    const std::size_t peer_info = req.begin_nest(k::ifla_netkit_peer_info, false);
    req.put_header(ifi);
    req.put_str(IFLA_IFNAME, peer);
    if (o.peer_netns_fd >= 0) req.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(o.peer_netns_fd));
    req.end_nest(peer_info);
    req.end_nest(data);
    req.end_nest(linkinfo);
    return req;
}
#else
;
#endif
} // namespace detail

// Creates the netkit device `primary` in this network namespace and its peer `peer` (in
// o.peer_netns_fd's when given). Fails with "this kernel has no netkit (CONFIG_NETKIT)" when the
// kernel does not know the device kind.
CTBPF_SYS_INLINE result<netkit_pair> create_netkit(std::string_view primary, std::string_view peer, const netkit_options& o = {})
#if CTBPF_SYS_BODIES
{
    const std::string what = "RTM_NEWLINK netkit " + std::string(primary) + " (peer " + std::string(peer) + ")";
    if (primary.empty() || primary.size() >= IF_NAMESIZE || peer.empty() || peer.size() >= IF_NAMESIZE)
        return make_error(EINVAL, what, "interface names are 1 to " + std::to_string(IF_NAMESIZE - 1) + " characters");
    result<unique_fd> s = detail::rtnl_open();
    if (!s) return std::move(s).error();
    detail::nl_request req = detail::new_pair_request("netkit", primary, peer, o);
    result<detail::nl_ack> ack = detail::rtnl_transact(s->get(), req, what);
    if (!ack) return std::move(ack).error();
    if (ack->error != 0) {
        std::string hint;
        if (ack->error == EOPNOTSUPP && (ack->message.empty() || ack->message.find("Unknown device type") != std::string::npos))
            hint = "this kernel has no netkit (CONFIG_NETKIT)";
        else if (ack->error == EOPNOTSUPP)
            hint = "netkit refused the options (l3 mode takes no link-layer addresses)";
        else if (ack->error == EEXIST)
            hint = "an interface with one of these names exists";
        else if (ack->error == EPERM)
            hint = "needs CAP_NET_ADMIN (in both network namespaces)";
        return detail::rtnl_error(*ack, what, hint);
    }
    const std::string n(primary);
    const unsigned ifindex = ::if_nametoindex(n.c_str());
    if (ifindex == 0) return make_error(errno, what, "the device was made but is not found by name");
    netkit_pair pr;
    pr.sock_ = std::move(s).value();
    pr.ifindex_ = ifindex;
    pr.name_ = n;
    return pr;
}
#else
;
#endif

// Attaches a sched_cls program to the primary or peer hook of the netkit pair whose primary
// device is `primary_ifindex` (BPF_LINK_CREATE with BPF_NETKIT_PRIMARY / BPF_NETKIT_PEER), placed
// by the same anchors as tcx. Programs return NETKIT_NEXT (-1), NETKIT_PASS (0), NETKIT_DROP (2)
// or NETKIT_REDIRECT (7).
CTBPF_SYS_INLINE result<link> attach_netkit(const prog& p, unsigned primary_ifindex, netkit_side side, const tcx_options& o = {})
#if CTBPF_SYS_BODIES
{
    return detail::link_create_mprog(
        p, primary_ifindex, side == netkit_side::primary ? k::attach_netkit_primary : k::attach_netkit_peer, o,
        "netkit " + std::string(netkit_side_name(side)) + " on " + detail::ifname_of(primary_ifindex),
        "the interface must be a netkit primary device and the kernel have netkit (Linux 6.7+, CONFIG_NETKIT)");
}
#else
;
#endif
CTBPF_SYS_INLINE result<link> attach_netkit(const prog& p, std::string_view primary, netkit_side side, const tcx_options& o = {})
#if CTBPF_SYS_BODIES
{
    const result<unsigned> ifindex = detail::ifindex_named(primary, "netkit " + std::string(netkit_side_name(side)) + " on " + std::string(primary));
    if (!ifindex) return ifindex.error();
    return attach_netkit(p, *ifindex, side, o);
}
#else
;
#endif

// BPF_PROG_QUERY of a netkit hook (through the primary device).
inline result<tcx_state> query_netkit(unsigned primary_ifindex, netkit_side side) {
    return detail::query_mprog(primary_ifindex, side == netkit_side::primary ? k::attach_netkit_primary : k::attach_netkit_peer,
                               "BPF_PROG_QUERY netkit " + std::string(netkit_side_name(side)) + " on " + detail::ifname_of(primary_ifindex),
                               "the interface must be a netkit primary device and the kernel have netkit (Linux 6.7+, CONFIG_NETKIT)");
}

} // namespace ctbpf::sys
