/* Unit tests of the input plan: folders, repeated files, standard input and time order. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "inputs.h"
#include "oddport/capture.h"

#if ODDPORT_HAVE_ZLIB
#include <zlib.h>
#endif

#define NANOSECONDS_PER_SECOND UINT64_C(1000000000)

/* A folder of its own for each test, removed with everything in it at the end. */
typedef struct {
    char *path;
} Folder;

static Folder folder_new(void)
{
    GError *error = NULL;
    Folder folder = {g_dir_make_tmp("oddport-inputs-XXXXXX", &error)};
    g_assert_no_error(error);
    return folder;
}

static void remove_tree(const char *path)
{
    GDir *directory = g_dir_open(path, 0, NULL);
    if (directory != NULL) {
        const char *name;
        while ((name = g_dir_read_name(directory)) != NULL) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            struct stat info;
            if (lstat(child, &info) == 0 && S_ISDIR(info.st_mode))
                remove_tree(child);
            else
                g_unlink(child);
        }
        g_dir_close(directory);
    }
    g_rmdir(path);
}

static void folder_free(Folder *folder)
{
    remove_tree(folder->path);
    g_free(folder->path);
}

/* `name` inside the folder (transfer full). */
static char *in_folder(const Folder *folder, const char *name)
{
    return g_build_filename(folder->path, name, NULL);
}

static void write_bytes(const char *path, const void *bytes, size_t length)
{
    GError *error = NULL;
    g_file_set_contents(path, bytes, (gssize)length, &error);
    g_assert_no_error(error);
}

static void put_u32_le(GByteArray *bytes, uint32_t value)
{
    uint8_t field[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                        (uint8_t)(value >> 24)};
    g_byte_array_append(bytes, field, sizeof field);
}

/* A little-endian microsecond pcap whose records start at `seconds` and follow one a second
 * apart; no record at all for `records` 0 (transfer full). */
static GByteArray *pcap_bytes(uint32_t seconds, unsigned records)
{
    GByteArray *bytes = g_byte_array_new();
    static const uint8_t header[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0,    0, 0, 0,
                                     0,    0,    0,    0,    0, 0, 4, 0, 0x01, 0, 0, 0};
    g_byte_array_append(bytes, header, sizeof header);
    for (unsigned index = 0; index < records; index++) {
        static const uint8_t frame[14] = {0};
        put_u32_le(bytes, seconds + index);
        put_u32_le(bytes, 0);
        put_u32_le(bytes, sizeof frame);
        put_u32_le(bytes, sizeof frame);
        g_byte_array_append(bytes, frame, sizeof frame);
    }
    return bytes;
}

/* Writes a capture named `name` in the folder and returns its path (transfer full). */
static char *write_capture(const Folder *folder, const char *name, uint32_t seconds,
                           unsigned records)
{
    char *path = in_folder(folder, name);
    g_autoptr(GByteArray) bytes = pcap_bytes(seconds, records);
    write_bytes(path, bytes->data, bytes->len);
    return path;
}

static void assert_order(const OddportInputPlan *plan, const char *const *expected)
{
    guint count = g_strv_length((char **)expected);
    for (guint index = 0; index < MIN(count, plan->inputs->len); index++) {
        const OddportInput *input = g_ptr_array_index(plan->inputs, index);
        g_assert_cmpstr(input->path, ==, expected[index]);
    }
    g_assert_cmpuint(plan->inputs->len, ==, count);
}

static const OddportInput *input_at(const OddportInputPlan *plan, guint index)
{
    g_assert_cmpuint(index, <, plan->inputs->len);
    return g_ptr_array_index(plan->inputs, index);
}

static void assert_warnings(const OddportInputPlan *plan, const char *const *expected)
{
    guint count = g_strv_length((char **)expected);
    for (guint index = 0; index < MIN(count, plan->warnings->len); index++)
        g_assert_cmpstr(g_ptr_array_index(plan->warnings, index), ==, expected[index]);
    g_assert_cmpuint(plan->warnings->len, ==, count);
    for (guint index = 0; index < plan->warnings->len; index++)
        g_assert_null(strchr(g_ptr_array_index(plan->warnings, index), '\n'));
}

/* The warning that names the new order: the paths, comma-separated (transfer full). */
static char *order_warning(const char *const *paths)
{
    g_autofree char *joined = g_strjoinv(", ", (char **)paths);
    return g_strconcat("read in time order (of first packets), not as given: ", joined, NULL);
}

/* ---- Time order ---- */

/* Rotated files as a glob sorts them (dump, dump1, dump10, dump2) are read as they were written. */
static void test_time_order(void)
{
    Folder folder = folder_new();
    g_autofree char *dump = write_capture(&folder, "dump", 1000, 3);
    g_autofree char *dump1 = write_capture(&folder, "dump1", 2000, 3);
    g_autofree char *dump10 = write_capture(&folder, "dump10", 11000, 3);
    g_autofree char *dump2 = write_capture(&folder, "dump2", 3000, 3);
    char *arguments[] = {dump, dump1, dump10, dump2, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);

    const char *expected[] = {dump, dump1, dump2, dump10, NULL};
    assert_order(plan, expected);
    g_autofree char *warning = order_warning(expected);
    const char *warnings[] = {warning, NULL};
    assert_warnings(plan, warnings);
    for (guint index = 0; index < plan->inputs->len; index++) {
        g_assert_no_error(input_at(plan, index)->error);
        g_assert_true(input_at(plan, index)->has_first_timestamp);
    }
    g_assert_cmpuint(input_at(plan, 3)->first_timestamp_ns, ==, 11000 * NANOSECONDS_PER_SECOND);

    /* Already in order: no warning. */
    char *in_order[] = {dump, dump1, dump2, dump10, NULL};
    g_autoptr(OddportInputPlan) ordered = oddport_input_plan_new(in_order);
    assert_order(ordered, expected);
    const char *none[] = {NULL};
    assert_warnings(ordered, none);
    folder_free(&folder);
}

static void test_equal_times_keep_given_order(void)
{
    Folder folder = folder_new();
    g_autofree char *first = write_capture(&folder, "first", 500, 1);
    g_autofree char *second = write_capture(&folder, "second", 500, 2);
    g_autofree char *earlier = write_capture(&folder, "earlier", 100, 1);
    char *arguments[] = {second, first, earlier, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);
    const char *expected[] = {earlier, second, first, NULL};
    assert_order(plan, expected);
    folder_free(&folder);
}

/* Captures whose first time is unknown keep their positions; the others fill the rest. */
static void test_unknown_times_stay(void)
{
    Folder folder = folder_new();
    g_autofree char *late = write_capture(&folder, "late.pcap", 5000, 1);
    g_autofree char *no_records = write_capture(&folder, "no-records.pcap", 0, 0);
    g_autofree char *missing = in_folder(&folder, "missing.pcap");
    g_autofree char *not_capture = in_folder(&folder, "notes.txt");
    write_bytes(not_capture, "hello\n", 6);
    g_autofree char *early = write_capture(&folder, "early.pcap", 1000, 1);
    char *arguments[] = {late, no_records, missing, not_capture, early, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);

    const char *expected[] = {early, no_records, missing, not_capture, late, NULL};
    assert_order(plan, expected);
    g_assert_no_error(input_at(plan, 1)->error);
    g_assert_false(input_at(plan, 1)->has_first_timestamp);
    /* Every capture named stays in the plan with the reader's own error, for the report. */
    g_assert_error(input_at(plan, 2)->error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_OPEN);
    g_assert_cmpstr(input_at(plan, 2)->error->message, ==, "no such file or directory");
    g_assert_error(input_at(plan, 3)->error, ODDPORT_CAPTURE_ERROR,
                   ODDPORT_CAPTURE_ERROR_NOT_CAPTURE);
    g_assert_false(input_at(plan, 3)->has_first_timestamp);
    folder_free(&folder);
}

/* A capture cut inside its first record has no known time; it is kept without an error, since
 * what the reader finds is for the report to say. */
static void test_damaged_first_record(void)
{
    Folder folder = folder_new();
    g_autoptr(GByteArray) bytes = pcap_bytes(900, 1);
    g_byte_array_set_size(bytes, bytes->len - 3);
    g_autofree char *cut = in_folder(&folder, "cut.pcap");
    write_bytes(cut, bytes->data, bytes->len);
    g_autofree char *later = write_capture(&folder, "later.pcap", 2000, 1);
    g_autofree char *earlier = write_capture(&folder, "earlier.pcap", 1000, 1);
    char *arguments[] = {later, cut, earlier, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);
    const char *expected[] = {earlier, cut, later, NULL};
    assert_order(plan, expected);
    g_assert_no_error(input_at(plan, 1)->error);
    folder_free(&folder);
}

/* ---- Standard input and pipes ---- */

/* Replaces standard input with `fd` for one plan; returns the saved descriptor. */
static int replace_stdin(int fd)
{
    int saved = dup(STDIN_FILENO);
    g_assert_cmpint(dup2(fd, STDIN_FILENO), ==, STDIN_FILENO);
    close(fd);
    return saved;
}

static void restore_stdin(int saved)
{
    g_assert_cmpint(dup2(saved, STDIN_FILENO), ==, STDIN_FILENO);
    close(saved);
}

static void test_standard_input_stays(void)
{
    Folder folder = folder_new();
    g_autofree char *late = write_capture(&folder, "late.pcap", 5000, 1);
    g_autofree char *early = write_capture(&folder, "early.pcap", 1000, 1);
    int ends[2];
    g_assert_cmpint(pipe(ends), ==, 0);
    int saved = replace_stdin(ends[0]);

    char *arguments[] = {late, "-", early, "-", NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);
    restore_stdin(saved);
    close(ends[1]);

    const char *expected[] = {early, "-", late, NULL};
    assert_order(plan, expected);
    g_assert_false(input_at(plan, 1)->has_first_timestamp);
    g_assert_no_error(input_at(plan, 1)->error);
    const char *order[] = {early, "-", late, NULL};
    g_autofree char *warning = order_warning(order);
    const char *warnings[] = {"-: given twice; read once", warning, NULL};
    assert_warnings(plan, warnings);
    folder_free(&folder);
}

/* `oddport - capture.pcap < capture.pcap` names one file twice. */
static void test_standard_input_same_file(void)
{
    Folder folder = folder_new();
    g_autofree char *capture = write_capture(&folder, "capture.pcap", 1000, 1);
    int saved = replace_stdin(open(capture, O_RDONLY));
    char *arguments[] = {"-", capture, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);
    restore_stdin(saved);
    const char *expected[] = {"-", NULL};
    assert_order(plan, expected);
    g_autofree char *warning =
        g_strdup_printf("%s: the same file as -, given twice; read once", capture);
    const char *warnings[] = {warning, NULL};
    assert_warnings(plan, warnings);

    /* The other way round: the file first, then standard input redirected from it. */
    saved = replace_stdin(open(capture, O_RDONLY));
    char *file_first[] = {capture, "-", NULL};
    g_autoptr(OddportInputPlan) file_first_plan = oddport_input_plan_new(file_first);
    restore_stdin(saved);
    const char *file_first_expected[] = {capture, NULL};
    assert_order(file_first_plan, file_first_expected);
    g_autofree char *stdin_warning =
        g_strdup_printf("-: the same file as %s, given twice; read once", capture);
    const char *file_first_warnings[] = {stdin_warning, NULL};
    assert_warnings(file_first_plan, file_first_warnings);
    folder_free(&folder);
}

/* A FIFO given by path is not opened ahead: opening one with no writer would wait for ever, and
 * reading ahead would lose its bytes. */
static void test_fifo_not_read_ahead(void)
{
    Folder folder = folder_new();
    g_autofree char *fifo = in_folder(&folder, "capture.fifo");
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_autofree char *late = write_capture(&folder, "late.pcap", 5000, 1);
    g_autofree char *early = write_capture(&folder, "early.pcap", 1000, 1);
    char *arguments[] = {late, fifo, early, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);
    const char *expected[] = {early, fifo, late, NULL};
    assert_order(plan, expected);
    g_assert_no_error(input_at(plan, 1)->error);
    g_assert_false(input_at(plan, 1)->has_first_timestamp);
    folder_free(&folder);
}

/* ---- The same file twice ---- */

static void test_same_file_twice(void)
{
    Folder folder = folder_new();
    g_autofree char *capture = write_capture(&folder, "capture.pcap", 1000, 1);
    g_autofree char *other = write_capture(&folder, "other.pcap", 2000, 1);
    g_autofree char *symbolic_link = in_folder(&folder, "link.pcap");
    g_assert_cmpint(symlink("capture.pcap", symbolic_link), ==, 0);
    g_autofree char *hard_link = in_folder(&folder, "hard.pcap");
    g_assert_cmpint(link(capture, hard_link), ==, 0);
    g_autofree char *roundabout =
        g_build_filename(folder.path, "..", strrchr(folder.path, '/') + 1, "capture.pcap", NULL);
    char *arguments[] = {capture, other, capture, symbolic_link, hard_link, roundabout, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);

    const char *expected[] = {capture, other, NULL};
    assert_order(plan, expected);
    g_autofree char *twice = g_strdup_printf("%s: given twice; read once", capture);
    g_autofree char *via_link =
        g_strdup_printf("%s: the same file as %s, given twice; read once", symbolic_link, capture);
    g_autofree char *via_hard_link =
        g_strdup_printf("%s: the same file as %s, given twice; read once", hard_link, capture);
    g_autofree char *via_path =
        g_strdup_printf("%s: the same file as %s, given twice; read once", roundabout, capture);
    const char *warnings[] = {twice, via_link, via_hard_link, via_path, NULL};
    assert_warnings(plan, warnings);
    folder_free(&folder);
}

/* ---- Folders ---- */

/* Appends `bytes` gzip-compressed to the file at `path`, or writes them plain without zlib. */
static void write_gzip(const char *path, const GByteArray *bytes)
{
#if ODDPORT_HAVE_ZLIB
    gzFile file = gzopen(path, "wb");
    g_assert_nonnull(file);
    g_assert_cmpint(gzwrite(file, bytes->data, bytes->len), ==, (int)bytes->len);
    g_assert_cmpint(gzclose(file), ==, Z_OK);
#else
    write_bytes(path, bytes->data, bytes->len);
#endif
}

static void test_folder(void)
{
    Folder folder = folder_new();
    g_autofree char *b = write_capture(&folder, "b.pcap", 2000, 2);
    g_autofree char *a = in_folder(&folder, "a.pcap.gz");
    g_autoptr(GByteArray) a_bytes = pcap_bytes(3000, 2);
    write_gzip(a, a_bytes);
    g_autofree char *c10 = write_capture(&folder, "c10.pcap", 4000, 1);
    g_autofree char *c2 = write_capture(&folder, "c2.pcap", 4000, 1);
    /* A hidden capture, which a folder argument leaves out. */
    g_free(write_capture(&folder, ".hidden.pcap", 1, 1));
    g_autofree char *notes = in_folder(&folder, "notes.txt");
    write_bytes(notes, "not a capture\n", 14);
    g_autofree char *empty = in_folder(&folder, "empty.pcap");
    write_bytes(empty, "", 0);
    g_autofree char *xz = in_folder(&folder, "old.pcap.xz");
    write_bytes(xz,
                "\xfd"
                "7zXZ\x00\x00\x04",
                8);
    g_autofree char *bad_header = in_folder(&folder, "bad-header.pcap");
    write_bytes(bad_header, "\xd4\xc3\xb2\xa1\x02\x00", 6);
    g_autofree char *sub = in_folder(&folder, "sub");
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    g_autofree char *inside = g_build_filename(sub, "inside.pcap", NULL);
    g_autoptr(GByteArray) inside_bytes = pcap_bytes(1, 1);
    write_bytes(inside, inside_bytes->data, inside_bytes->len);
    g_autofree char *fifo = in_folder(&folder, "pipe");
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_autofree char *dangling = in_folder(&folder, "dangling");
    g_assert_cmpint(symlink("nowhere", dangling), ==, 0);
    g_autofree char *link_to_b = in_folder(&folder, "z-link.pcap");
    g_assert_cmpint(symlink("b.pcap", link_to_b), ==, 0);

    char *arguments[] = {folder.path, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);

    /* Natural name order (a.pcap.gz, b.pcap, bad-header.pcap, c2.pcap, c10.pcap), then the
     * timed ones sorted around bad-header.pcap, which cannot be read but is reported. */
    const char *expected[] = {b, a, bad_header, c2, c10, NULL};
    assert_order(plan, expected);
    g_assert_cmpuint(input_at(plan, 1)->first_timestamp_ns, ==, 3000 * NANOSECONDS_PER_SECOND);
    g_assert_error(input_at(plan, 2)->error, ODDPORT_CAPTURE_ERROR,
                   ODDPORT_CAPTURE_ERROR_BAD_HEADER);

    /* The symlink names b.pcap again: a repeat, not a left-out entry. Hidden names are not
     * looked at, like a shell glob's. */
    g_autofree char *repeat =
        g_strdup_printf("%s: the same file as %s, given twice; read once", link_to_b, b);
    g_autofree char *left_out = g_strdup_printf(
        "%s: left out 6 entries: dangling (no such file or directory), empty.pcap (empty), "
        "notes.txt (not a capture), old.pcap.xz (compressed in a way this oddport does not "
        "read), pipe (not a regular file), sub (a folder: folders inside are not read)",
        folder.path);
    g_autofree char *order = order_warning(expected);
    const char *warnings[] = {repeat, left_out, order, NULL};
    assert_warnings(plan, warnings);

    /* The folder again, and one of its captures by name: each read once. */
    char *again[] = {folder.path, b, folder.path, NULL};
    g_autoptr(OddportInputPlan) plan_again = oddport_input_plan_new(again);
    assert_order(plan_again, expected);
    g_autofree char *b_twice = g_strdup_printf("%s: given twice; read once", b);
    g_autofree char *folder_twice = g_strdup_printf("%s: given twice; read once", folder.path);
    const char *warnings_again[] = {repeat, left_out, b_twice, folder_twice, order, NULL};
    assert_warnings(plan_again, warnings_again);
    folder_free(&folder);
}

/* A folder with nothing to read is an entry with an error, so that the command fails for it. */
static void test_folder_without_captures(void)
{
    Folder folder = folder_new();
    g_autofree char *notes = in_folder(&folder, "notes.txt");
    write_bytes(notes, "not a capture\n", 14);
    /* A hidden capture, which a folder argument leaves out. */
    g_free(write_capture(&folder, ".hidden.pcap", 1, 1));
    g_autofree char *empty_folder = in_folder(&folder, "empty");
    g_assert_cmpint(g_mkdir(empty_folder, 0700), ==, 0);

    char *arguments[] = {folder.path, empty_folder, NULL};
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(arguments);
    const char *expected[] = {folder.path, empty_folder, NULL};
    assert_order(plan, expected);
    g_assert_error(input_at(plan, 0)->error, ODDPORT_INPUT_ERROR, ODDPORT_INPUT_ERROR_NO_CAPTURES);
    g_assert_cmpstr(input_at(plan, 0)->error->message, ==, "folder holds no capture");
    g_assert_error(input_at(plan, 1)->error, ODDPORT_INPUT_ERROR, ODDPORT_INPUT_ERROR_NO_CAPTURES);
    g_autofree char *left_out = g_strdup_printf(
        "%s: left out 2 entries: empty (a folder: folders inside are not read), notes.txt (not a "
        "capture)",
        folder.path);
    const char *warnings[] = {left_out, NULL};
    assert_warnings(plan, warnings);

    /* A folder that cannot be listed is an entry with the reason. */
    if (geteuid() != 0) {
        g_assert_cmpint(g_chmod(empty_folder, 0), ==, 0);
        char *locked[] = {empty_folder, NULL};
        g_autoptr(OddportInputPlan) locked_plan = oddport_input_plan_new(locked);
        g_assert_error(input_at(locked_plan, 0)->error, ODDPORT_CAPTURE_ERROR,
                       ODDPORT_CAPTURE_ERROR_OPEN);
        g_assert_cmpstr(input_at(locked_plan, 0)->error->message, ==, "permission denied");
        g_chmod(empty_folder, 0700);
    }
    folder_free(&folder);
}

/* Many captures out of order: the warning lists ten and counts the rest. */
static void test_long_order_warning(void)
{
    Folder folder = folder_new();
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    for (unsigned index = 0; index < 13; index++) {
        g_autofree char *name = g_strdup_printf("part%02u", index);
        g_ptr_array_add(paths, write_capture(&folder, name, 1000 * (13 - index), 1));
    }
    g_ptr_array_add(paths, NULL);
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new((char **)paths->pdata);
    g_assert_cmpuint(plan->inputs->len, ==, 13);
    g_assert_cmpuint(plan->warnings->len, ==, 1);
    const char *warning = g_ptr_array_index(plan->warnings, 0);
    g_assert_true(g_str_has_suffix(warning, " and 3 more"));
    g_autofree char *first = g_strdup_printf("not as given: %s, ", (char *)paths->pdata[12]);
    g_assert_nonnull(strstr(warning, first));
    g_ptr_array_unref(paths);
    folder_free(&folder);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/inputs/time-order", test_time_order);
    g_test_add_func("/inputs/equal-times-keep-given-order", test_equal_times_keep_given_order);
    g_test_add_func("/inputs/unknown-times-stay", test_unknown_times_stay);
    g_test_add_func("/inputs/damaged-first-record", test_damaged_first_record);
    g_test_add_func("/inputs/standard-input-stays", test_standard_input_stays);
    g_test_add_func("/inputs/standard-input-same-file", test_standard_input_same_file);
    g_test_add_func("/inputs/fifo-not-read-ahead", test_fifo_not_read_ahead);
    g_test_add_func("/inputs/same-file-twice", test_same_file_twice);
    g_test_add_func("/inputs/folder", test_folder);
    g_test_add_func("/inputs/folder-without-captures", test_folder_without_captures);
    g_test_add_func("/inputs/long-order-warning", test_long_order_warning);
    return g_test_run();
}
