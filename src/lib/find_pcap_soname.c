/* Run by the build: prints the soname of the libpcap it is linked with, as the loader found it. */
/* dl_iterate_phdr is a GNU extension. */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

/* The loader looked for each library by the name the program was linked against, its soname,
 * and the file it opened bears that name. */
static int print_if_libpcap(struct dl_phdr_info *info, size_t size, void *found)
{
    (void)size;
    const char *slash = strrchr(info->dlpi_name, '/');
    const char *name = slash != NULL ? slash + 1 : info->dlpi_name;
    if (strncmp(name, "libpcap.so.", strlen("libpcap.so.")) != 0)
        return 0;
    printf("%s\n", name);
    *(int *)found = 1;
    return 1;
}

int main(void)
{
    /* A call, so that the linker keeps libpcap even where it drops unused libraries. */
    if (pcap_lib_version() == NULL)
        return 1;
    int found = 0;
    dl_iterate_phdr(print_if_libpcap, &found);
    return found ? 0 : 1;
}
