/*
 * oracle_exceptions: the targets whose documented design an oracle does
 * not count against them (ORACLE_EXCEPT_* of fuzz_oracle.h), by base name.
 */
#ifndef VFS_ORACLE_EXCEPTIONS_H
#define VFS_ORACLE_EXCEPTIONS_H

#include "target/target.h"

struct oracle_exception {
	const char *base;
	unsigned except;
};

/* The ORACLE_EXCEPT_* bits for @t. */
unsigned oracle_exceptions_of(const struct target *t);
const struct oracle_exception *oracle_exceptions_table(int *n);

#endif
