/* G_ALWAYS_INLINE for GLib releases before 2.74, which oddport still builds with (internal). */
#ifndef ODDPORT_ALWAYS_INLINE_H
#define ODDPORT_ALWAYS_INLINE_H

#include <glib.h>

/* GLib 2.74 defines it the same way for GCC and Clang, the compilers oddport builds with. */
#ifndef G_ALWAYS_INLINE
#define G_ALWAYS_INLINE __attribute__((__always_inline__))
#endif

#endif
