// The shim's build mode. Header-only by default: every function is defined inline in its header.
// With CTBPF_SYS_COMPILED defined (CMake: link ctbpf::sys), the shim's larger non-template functions
// (and the BTF reader's, ctbpf/btf.hpp) are only declared in the headers and come from the ctbpf_sys
// library (src/sys.cpp), so a program's translation unit neither parses nor compiles their bodies.
#pragma once

#if defined(CTBPF_SYS_BUILDING) // src/sys.cpp: the definitions, not inline
#define CTBPF_SYS_INLINE
#define CTBPF_SYS_BODIES 1
#elif defined(CTBPF_SYS_COMPILED) // a user of the library: declarations
#define CTBPF_SYS_INLINE
#define CTBPF_SYS_BODIES 0
#else // header-only
#define CTBPF_SYS_INLINE inline
#define CTBPF_SYS_BODIES 1
#endif
