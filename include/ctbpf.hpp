// ctbpf: eBPF programs as typed C++ expressions, assembled at compile time. Umbrella header.
#pragma once

#include "ctbpf/insn.hpp"
#include "ctbpf/diagnostics.hpp"
#include "ctbpf/operands.hpp"
#include "ctbpf/item.hpp"
#include "ctbpf/helper_table.hpp"
#include "ctbpf/encode.hpp"
#include "ctbpf/syntax.hpp"
#include "ctbpf/program.hpp"
#include "ctbpf/verify.hpp"
#include "ctbpf/assemble.hpp"
#include "ctbpf/func.hpp"
