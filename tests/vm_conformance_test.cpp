// Every program of the bpf_conformance corpus (shared/corpora/bpf_conformance, read at test time)
// through the interpreter at run time: r0 must be the corpus's expected result. The memory section
// is the context (r1) and its size is r2, as the corpus's harness passes them. callx (0x8d) is not
// a Linux instruction: those programs must fault with bad_instruction.
#include <cstdio>
#include <string>

#include "ctbpf/vm.hpp"
#include "ubpf_asm.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: vm_conformance_test CORPUS_TESTS_DIR\n");
        return 2;
    }
    std::vector<ubpf_asm::test_case> cases;
    try {
        cases = ubpf_asm::read_corpus(argv[1]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "FAIL: %s\n", e.what());
        return 1;
    }
    int passed = 0, failed = 0, linux_rejects = 0;
    std::uint64_t executed = 0;
    for (const auto& c : cases) {
        const bool callx = std::any_of(c.code.begin(), c.code.end(), [](const ctbpf::insn& i) {
            return i.code == (ctbpf::op::jmp | ctbpf::op::call | ctbpf::op::x);
        });
        const std::uint64_t args[1] = {c.mem.size()};
        ctbpf::vm::input in{};
        in.ctx = c.mem;
        in.args = args;
        const ctbpf::vm::result r = ctbpf::vm::run(c.code, in);
        executed += r.executed;
        if (callx) {
            if (r.fault == ctbpf::vm::fault::bad_instruction) {
                ++linux_rejects;
                continue;
            }
            std::printf("FAIL %s: callx ran (%s)\n", c.name.c_str(), std::string(r.message.view()).c_str());
            ++failed;
            continue;
        }
        if (!r.ok()) {
            std::printf("FAIL %s: fault at insn %u: %s\n", c.name.c_str(), r.index, std::string(r.message.view()).c_str());
            ++failed;
        } else if (!c.has_result || r.retval != c.result) {
            std::printf("FAIL %s: r0 = %#llx, expected %#llx\n", c.name.c_str(), (unsigned long long)r.retval,
                        (unsigned long long)c.result);
            ++failed;
        } else {
            ++passed;
        }
    }
    std::printf("bpf_conformance at run time: %zu programs, %d give the expected r0, %d callx programs fault "
                "(not a Linux instruction), %d fail; %llu instructions executed\n",
                cases.size(), passed, linux_rejects, failed, (unsigned long long)executed);
    return failed == 0 && passed > 300 ? 0 : 1;
}
