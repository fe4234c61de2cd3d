/* Counts libpcap filter compilations in the process it is preloaded into, for the safety test. */
#include <dlfcn.h> /* RTLD_NEXT: the project builds with _GNU_SOURCE */
#include <stdio.h>
#include <stdlib.h>

#include <pcap/pcap.h>

typedef int (*CompileFunction)(pcap_t *, struct bpf_program *, const char *, int, bpf_u_int32);

static unsigned compilations;

static void report_compilations(void)
{
    const char *path = getenv("ODDPORT_COUNT_COMPILES_TO");
    FILE *file = path != NULL ? fopen(path, "w") : NULL;
    if (file == NULL)
        return;
    fprintf(file, "%u\n", compilations);
    fclose(file);
}

int pcap_compile(pcap_t *handle, struct bpf_program *program, const char *expression, int optimize,
                 bpf_u_int32 netmask)
{
    static CompileFunction real_compile;
    if (real_compile == NULL) {
        *(void **)&real_compile = dlsym(RTLD_NEXT, "pcap_compile");
        atexit(report_compilations);
    }
    compilations++;
    return real_compile(handle, program, expression, optimize, netmask);
}
