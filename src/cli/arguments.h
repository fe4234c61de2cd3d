/* Short options written with their value attached ("-j2"), made into what GOption reads. */
#ifndef ODDPORT_ARGUMENTS_H
#define ODDPORT_ARGUMENTS_H

#include <glib.h>

/*
 * getopt, and so tcpdump, make and most tools users know, take a short option's value written
 * straight after it: "-j2", "-oreport.json", "-qj2". GOption does not: it reads "-j2" as the
 * options -j and -2 and takes the next argument as -j's value, which turns a working habit into
 * a puzzling error ("cannot parse integer value 'capture.pcap' for -j").
 *
 * Returns a copy of `argv` (`argc` elements; free it with g_strfreev) in which every short
 * option taking a value and written with that value attached is split in two: "-j2" becomes
 * "-j" "2", "-qj2" becomes "-qj" "2". `entries` is the NULL-terminated list of the command's
 * option tables, each ended by G_OPTION_ENTRY_NULL, which say which options take a value. An
 * argument that is the value of the option before it ("-o" "-j2": a file named -j2) or may be
 * (after a long option the tables do not name), "-", and everything after "--" are left as
 * they are.
 */
char **oddport_split_attached_values(int argc, char **argv, const GOptionEntry *const *entries);

#endif
