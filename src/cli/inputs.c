/* Plans which captures the command reads, in what order: folders, repeats, first packet times. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inputs.h"
#include "oddport/capture.h"

/* clang-format would put spaces around the dashes, and the macro turns them into the name. */
// clang-format off
G_DEFINE_QUARK(oddport-input-error-quark, oddport_input_error)
// clang-format on

/* A warning lists this many names, then counts the rest, so that it stays one readable line. */
#define WARNING_NAMES_MAXIMUM 10

typedef struct {
    OddportInputPlan *plan;
    /* "device:inode" of every file and folder taken so far, to the path it was first given by. */
    GHashTable *first_path_of;
} Planner;

static void input_free(gpointer data)
{
    OddportInput *input = data;
    g_free(input->path);
    g_clear_error(&input->error);
    g_free(input);
}

void oddport_input_plan_free(OddportInputPlan *plan)
{
    if (plan == NULL)
        return;
    g_ptr_array_unref(plan->inputs);
    g_ptr_array_unref(plan->warnings);
    g_free(plan);
}

G_GNUC_PRINTF(2, 3)
static void warn(Planner *planner, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    g_ptr_array_add(planner->plan->warnings, g_strdup_vprintf(format, arguments));
    va_end(arguments);
}

/* strerror text with a lower-case start, as the capture reader's messages have. */
static char *error_text(int errnum)
{
    char *text = g_strdup(g_strerror(errnum));
    if (g_ascii_isupper(text[0]) && !g_ascii_isupper(text[1]))
        text[0] = g_ascii_tolower(text[0]);
    return text;
}

static char *identity_of(const struct stat *info)
{
    return g_strdup_printf("%ju:%ju", (uintmax_t)info->st_dev, (uintmax_t)info->st_ino);
}

/* Whether `path` names a file or folder taken before; if so, says so in a warning. */
static bool seen_before(Planner *planner, const char *path, const char *identity)
{
    const char *first = g_hash_table_lookup(planner->first_path_of, identity);
    if (first == NULL)
        return false;
    if (strcmp(first, path) == 0)
        warn(planner, "%s: given twice; read once", path);
    else
        warn(planner, "%s: the same file as %s, given twice; read once", path, first);
    return true;
}

static void remember(Planner *planner, const char *path, const char *identity)
{
    g_hash_table_insert(planner->first_path_of, g_strdup(identity), g_strdup(path));
}

static OddportInput *add_input(Planner *planner, const char *path)
{
    OddportInput *input = g_new0(OddportInput, 1);
    input->path = g_strdup(path);
    g_ptr_array_add(planner->plan->inputs, input);
    return input;
}

/* Opens a regular file's capture to learn its first record's time. Returns the open error
 * (transfer full), or NULL when the capture opened. A first record that is missing, damaged or
 * carries no time (pcapng simple packets say 0) leaves the time unknown. */
static GError *look_at_capture(const char *path, OddportInput *input)
{
    GError *error = NULL;
    OddportCaptureReader *reader = oddport_capture_open(path, &error);
    if (reader == NULL)
        return error;
    OddportRecord record;
    if (oddport_capture_next(reader, &record, NULL) == ODDPORT_READ_RECORD &&
        record.timestamp_ns != 0) {
        input->has_first_timestamp = true;
        input->first_timestamp_ns = record.timestamp_ns;
    }
    oddport_capture_close(reader);
    return NULL;
}

/* A path that is not a folder: a capture, which stays in the plan even if it cannot be
 * read. `info` is NULL when the path could not be looked at; opening it then says why. */
static void add_capture(Planner *planner, const char *path, const struct stat *info)
{
    g_autofree char *identity = info != NULL ? identity_of(info) : NULL;
    if (identity != NULL && seen_before(planner, path, identity))
        return;
    if (identity != NULL)
        remember(planner, path, identity);
    OddportInput *input = add_input(planner, path);
    /* A pipe or device would lose what was read ahead; it is read only once, when its turn
     * comes. */
    if (info != NULL && !S_ISREG(info->st_mode))
        return;
    input->error = look_at_capture(path, input);
}

static void add_standard_input(Planner *planner)
{
    /* Standard input has an identity of its own for "-" given twice, and that of the pipe or
     * file behind it for a path naming the same one (/dev/stdin, a redirected file). */
    if (g_hash_table_contains(planner->first_path_of, "-")) {
        warn(planner, "-: given twice; read once");
        return;
    }
    struct stat info;
    g_autofree char *identity = fstat(STDIN_FILENO, &info) == 0 ? identity_of(&info) : NULL;
    if (identity != NULL && seen_before(planner, "-", identity))
        return;
    remember(planner, "-", "-");
    if (identity != NULL)
        remember(planner, "-", identity);
    add_input(planner, "-");
}

/* Why a folder's entry is not read, in a few words (transfer none), or NULL to read it. */
static const char *reason_to_leave_out(const GError *error)
{
    if (error == NULL || error->domain != ODDPORT_CAPTURE_ERROR)
        return NULL;
    switch (error->code) {
    case ODDPORT_CAPTURE_ERROR_NOT_CAPTURE:
        return "not a capture";
    case ODDPORT_CAPTURE_ERROR_EMPTY:
        return "empty";
    case ODDPORT_CAPTURE_ERROR_UNSUPPORTED_COMPRESSION:
        return "compressed in a way this oddport does not read";
    default:
        /* It looks like a capture but cannot be read: that is for the report to say. */
        return NULL;
    }
}

/* Natural order, so that dump2 comes before dump10 when the times cannot decide. */
static gint compare_names(gconstpointer left, gconstpointer right)
{
    return strverscmp(*(const char *const *)left, *(const char *const *)right);
}

/* The names in a folder, hidden ones left out, in natural order (transfer full), or NULL with
 * errno set. */
static GPtrArray *list_folder(const char *path)
{
    DIR *folder = opendir(path);
    if (folder == NULL)
        return NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (;;) {
        errno = 0;
        struct dirent *entry = readdir(folder);
        if (entry == NULL)
            break;
        if (entry->d_name[0] != '.')
            g_ptr_array_add(names, g_strdup(entry->d_name));
    }
    int errnum = errno;
    closedir(folder);
    if (errnum != 0) {
        g_ptr_array_unref(names);
        errno = errnum;
        return NULL;
    }
    g_ptr_array_sort(names, compare_names);
    return names;
}

/* Appends "name (reason)" to a list of left-out entries, counting those beyond the limit. */
static void note_left_out(GString *list, guint *count, const char *name, const char *reason)
{
    (*count)++;
    if (*count > WARNING_NAMES_MAXIMUM)
        return;
    g_string_append_printf(list, "%s%s (%s)", *count > 1 ? ", " : "", name, reason);
}

static void add_folder(Planner *planner, const char *path)
{
    g_autoptr(GPtrArray) names = list_folder(path);
    if (names == NULL) {
        g_autofree char *text = error_text(errno);
        OddportInput *input = add_input(planner, path);
        input->error = g_error_new_literal(ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_OPEN, text);
        return;
    }
    guint taken = 0;
    guint left_out = 0;
    g_autoptr(GString) left_out_list = g_string_new(NULL);
    for (guint index = 0; index < names->len; index++) {
        const char *name = g_ptr_array_index(names, index);
        g_autofree char *member = g_build_filename(path, name, NULL);
        struct stat info;
        if (stat(member, &info) != 0) {
            g_autofree char *text = error_text(errno);
            note_left_out(left_out_list, &left_out, name, text);
            continue;
        }
        if (S_ISDIR(info.st_mode)) {
            note_left_out(left_out_list, &left_out, name, "a folder: folders inside are not read");
            continue;
        }
        if (!S_ISREG(info.st_mode)) {
            note_left_out(left_out_list, &left_out, name, "not a regular file");
            continue;
        }
        g_autofree char *identity = identity_of(&info);
        if (seen_before(planner, member, identity)) {
            taken++;
            continue;
        }
        OddportInput peeked = {0};
        GError *error = look_at_capture(member, &peeked);
        const char *reason = reason_to_leave_out(error);
        if (reason != NULL) {
            note_left_out(left_out_list, &left_out, name, reason);
            g_error_free(error);
            continue;
        }
        remember(planner, member, identity);
        OddportInput *input = add_input(planner, member);
        input->error = error;
        input->has_first_timestamp = peeked.has_first_timestamp;
        input->first_timestamp_ns = peeked.first_timestamp_ns;
        taken++;
    }
    if (left_out > WARNING_NAMES_MAXIMUM)
        g_string_append_printf(left_out_list, " and %u more", left_out - WARNING_NAMES_MAXIMUM);
    if (left_out > 0)
        warn(planner, "%s: left out %u %s: %s", path, left_out, left_out == 1 ? "entry" : "entries",
             left_out_list->str);
    if (taken == 0) {
        OddportInput *input = add_input(planner, path);
        input->error = g_error_new_literal(ODDPORT_INPUT_ERROR, ODDPORT_INPUT_ERROR_NO_CAPTURES,
                                           "folder holds no capture");
    }
}

static void add_argument(Planner *planner, const char *argument)
{
    if (strcmp(argument, "-") == 0) {
        add_standard_input(planner);
        return;
    }
    struct stat info;
    if (stat(argument, &info) != 0) {
        add_capture(planner, argument, NULL);
        return;
    }
    if (!S_ISDIR(info.st_mode)) {
        add_capture(planner, argument, &info);
        return;
    }
    g_autofree char *identity = identity_of(&info);
    if (seen_before(planner, argument, identity))
        return;
    remember(planner, argument, identity);
    add_folder(planner, argument);
}

/* Earlier time first; equal times in the order given, which `given` holds. */
static gint compare_times(gconstpointer left_pointer, gconstpointer right_pointer,
                          gpointer given_pointer)
{
    const OddportInput *left = *(OddportInput *const *)left_pointer;
    const OddportInput *right = *(OddportInput *const *)right_pointer;
    GHashTable *given = given_pointer;
    if (left->first_timestamp_ns != right->first_timestamp_ns)
        return left->first_timestamp_ns < right->first_timestamp_ns ? -1 : 1;
    guint left_position = GPOINTER_TO_UINT(g_hash_table_lookup(given, left));
    guint right_position = GPOINTER_TO_UINT(g_hash_table_lookup(given, right));
    return left_position < right_position ? -1 : left_position > right_position;
}

/* Sorts the inputs whose first time is known into the positions they hold together; the others
 * stay where they are. Says so when the order changed. */
static void order_by_time(Planner *planner)
{
    GPtrArray *inputs = planner->plan->inputs;
    g_autoptr(GHashTable) given = g_hash_table_new(NULL, NULL);
    g_autoptr(GPtrArray) timed = g_ptr_array_new();
    for (guint index = 0; index < inputs->len; index++) {
        OddportInput *input = g_ptr_array_index(inputs, index);
        g_hash_table_insert(given, input, GUINT_TO_POINTER(index));
        if (input->has_first_timestamp)
            g_ptr_array_add(timed, input);
    }
    g_ptr_array_sort_with_data(timed, compare_times, given);

    bool changed = false;
    guint next = 0;
    for (guint index = 0; index < inputs->len; index++) {
        OddportInput *input = g_ptr_array_index(inputs, index);
        if (!input->has_first_timestamp)
            continue;
        OddportInput *sorted = g_ptr_array_index(timed, next++);
        changed = changed || sorted != input;
        inputs->pdata[index] = sorted;
    }
    if (!changed)
        return;
    g_autoptr(GString) order = g_string_new(NULL);
    for (guint index = 0; index < inputs->len && index < WARNING_NAMES_MAXIMUM; index++) {
        const OddportInput *input = g_ptr_array_index(inputs, index);
        g_string_append_printf(order, "%s%s", index > 0 ? ", " : "", input->path);
    }
    if (inputs->len > WARNING_NAMES_MAXIMUM)
        g_string_append_printf(order, " and %u more", inputs->len - WARNING_NAMES_MAXIMUM);
    warn(planner, "read in time order (of first packets), not as given: %s", order->str);
}

OddportInputPlan *oddport_input_plan_new(char *const *arguments)
{
    g_return_val_if_fail(arguments != NULL, NULL);
    OddportInputPlan *plan = g_new0(OddportInputPlan, 1);
    plan->inputs = g_ptr_array_new_with_free_func(input_free);
    plan->warnings = g_ptr_array_new_with_free_func(g_free);
    Planner planner = {plan, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
    for (char *const *argument = arguments; *argument != NULL; argument++)
        add_argument(&planner, *argument);
    order_by_time(&planner);
    g_hash_table_unref(planner.first_path_of);
    return plan;
}
