#include "util/mem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

void kp_mem_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
        long pg = sysconf(_SC_PAGESIZE);
        uintptr_t a, b;

        if (!p || n < ((size_t)4 << 20) || pg <= 0)
                return;
        /* madvise wants page-aligned bounds: the pages wholly inside. */
        a = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
        b = ((uintptr_t)p + n) & ~((uintptr_t)pg - 1);
        if (b > a)
                (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
        (void)p;
        (void)n;
#endif
}
