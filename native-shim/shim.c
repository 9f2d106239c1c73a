/* Placeholder: the shim's owner replaces this file. */
#include "tsdbg_ptrace.h"
int tsdbg_shim_abi_version(void) { return 1; }
