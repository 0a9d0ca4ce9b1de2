/*
 * mem: hints for the few very large arrays kproof fills at once (the history
 * checker's tables for tens of millions of records).
 */
#ifndef KP_MEM_H
#define KP_MEM_H

#include <stddef.h>

/* Asks for transparent huge pages over [p, p + n) before the array is first
 * written: a 10 M-record check touches hundreds of MiB of fresh memory, and
 * one fault per 2 MiB instead of per 4 KiB takes most of the kernel's share
 * of that time. Only for n >= 4 MiB; a kernel that refuses changes nothing. */
void kp_mem_huge(void *p, size_t n);

#endif
