/* Where a report goes, written so that an interrupted run never leaves half a report under the
 * real name; shared by oddport and oddport merge. */
#include "report-output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The unfinished report's name, for a signal handler to remove it (unlink is
 * async-signal-safe). */
static volatile sig_atomic_t cleanup_path_ready;
static char cleanup_path[PATH_MAX];

void oddport_report_output_remove_unfinished(void)
{
    if (cleanup_path_ready)
        unlink(cleanup_path);
}

const char *oddport_report_output_name(const OddportReportOutput *output)
{
    return output->target_path != NULL ? output->target_path : "standard output";
}

static bool same_file(const struct stat *left, const struct stat *right)
{
    return left->st_dev == right->st_dev && left->st_ino == right->st_ino;
}

const char *oddport_report_output_overwrites(const char *output_path, const char *const *paths,
                                             size_t count)
{
    struct stat output_status;
    if (output_path == NULL || strcmp(output_path, "-") == 0 ||
        stat(output_path, &output_status) != 0)
        return NULL;
    for (size_t index = 0; index < count; index++) {
        /* Standard input may be the report's file too, redirected: `-o x.pcap - < x.pcap`. */
        struct stat input_status;
        bool known = strcmp(paths[index], "-") == 0 ? fstat(STDIN_FILENO, &input_status) == 0
                                                    : stat(paths[index], &input_status) == 0;
        if (known && same_file(&output_status, &input_status))
            return paths[index];
    }
    return NULL;
}

/* Names the temporary file after the report, shortened so that it stays a valid name. */
static char *temporary_name_beside(const char *final_path)
{
    enum { MARK_LENGTH = sizeof ".oddport-XXXXXX" - 1, NAME_LIMIT = 255 };
    g_autofree char *directory = g_path_get_dirname(final_path);
    g_autofree char *base = g_path_get_basename(final_path);
    int kept = (int)MIN(strlen(base), (size_t)(NAME_LIMIT - 1 - MARK_LENGTH));
    return g_strdup_printf("%s/.%.*s.oddport-XXXXXX", directory, kept, base);
}

/* Publishes the unfinished file's name to the signal handler, which removes it on a second
 * signal; the fence keeps the name written before the flag that says it may be read. */
static void publish_cleanup_path(const char *path)
{
    size_t length = strlen(path);
    if (length >= sizeof cleanup_path)
        return;
    memcpy(cleanup_path, path, length + 1);
    atomic_signal_fence(memory_order_release);
    cleanup_path_ready = 1;
}

/* Whether a file is one its owner made read-only, errno set to say why. access() tells for
 * anyone but root, who may write anything: for root, no write permission for anyone is the
 * owner's word (chmod a-w) and is kept as well. */
static bool is_read_only(const char *path, const struct stat *status)
{
    if (geteuid() != 0)
        return access(path, W_OK) != 0;
    errno = EACCES;
    return (status->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0;
}

bool oddport_report_output_open(const char *path, OddportReportOutput *output, GError **error)
{
    *output = (OddportReportOutput){.stream = stdout};
    if (path == NULL || strcmp(path, "-") == 0) {
        struct stat status;
        output->is_pipe = fstat(STDOUT_FILENO, &status) == 0 &&
                          (S_ISFIFO(status.st_mode) || S_ISSOCK(status.st_mode));
        return true;
    }
    output->target_path = path;
    output->stream = NULL;
    if (path[0] == '\0') {
        /* Found out now, not after reading every capture, when the finished file is renamed. */
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "cannot write the report: -o names no file (an empty name)");
        return false;
    }
    struct stat status;
    struct stat link_status;
    bool exists = stat(path, &status) == 0;
    bool dangling_link = !exists && lstat(path, &link_status) == 0 && S_ISLNK(link_status.st_mode);
    if (exists && S_ISREG(status.st_mode) && is_read_only(path, &status)) {
        /* A report the user made read-only is not replaced behind their back. */
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "%s: cannot write the report: %s", path, g_strerror(errno));
        return false;
    }
    /* Devices, pipes, a file with other hard links (they must see the new report) and a link
     * to nowhere yet are written as they are. */
    output->in_place =
        (exists && (!S_ISREG(status.st_mode) || status.st_nlink > 1)) || dangling_link;
    if (!output->in_place) {
        /* A link to a report is followed, so the report replaces the file it points to rather
         * than the link itself. */
        char *resolved = exists ? realpath(path, NULL) : NULL;
        output->final_path = g_strdup(resolved != NULL ? resolved : path);
        free(resolved);
        output->temporary_path = temporary_name_beside(output->final_path);
        int descriptor = g_mkstemp_full(output->temporary_path, O_WRONLY | O_CLOEXEC, 0600);
        if (descriptor >= 0) {
            /* mkstemp's 0600 is for the unfinished file; the report gets the mode a new file
             * would get, or keeps the owner and mode of the one it replaces. */
            mode_t mask = umask(0);
            umask(mask);
            if (exists && fchown(descriptor, status.st_uid, status.st_gid) != 0) {
                /* Only root may give a file away; anyone else's report becomes theirs. */
            }
            fchmod(descriptor, exists ? (status.st_mode & 07777) : (0666 & ~mask));
            output->stream = fdopen(descriptor, "w");
            if (output->stream == NULL)
                close(descriptor);
            else
                publish_cleanup_path(output->temporary_path);
        } else if (exists) {
            /* A writable report in a folder where nothing may be created. */
            g_clear_pointer(&output->temporary_path, g_free);
            output->in_place = true;
        }
    }
    if (output->in_place) {
        output->stream = fopen(path, "w");
        output->is_pipe = exists && (S_ISFIFO(status.st_mode) || S_ISSOCK(status.st_mode));
        /* A device or pipe holds no file an early end could leave half written. */
        output->in_place = !exists || S_ISREG(status.st_mode);
    }
    if (output->stream == NULL) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "%s: cannot write the report: %s", path, g_strerror(errno));
        g_clear_pointer(&output->temporary_path, g_free);
        g_clear_pointer(&output->final_path, g_free);
        return false;
    }
    return true;
}

bool oddport_report_output_close(OddportReportOutput *output, bool keep)
{
    bool written = true;
    if (output->stream != stdout) {
        if (keep && output->temporary_path != NULL &&
            (fflush(output->stream) != 0 || fsync(fileno(output->stream)) != 0))
            written = false;
        int saved_errno = errno;
        if (fclose(output->stream) != 0 && written) {
            written = false;
            saved_errno = errno;
        }
        if (output->temporary_path != NULL) {
            if (keep && written && rename(output->temporary_path, output->final_path) != 0) {
                written = false;
                saved_errno = errno;
            }
            if (!keep || !written)
                unlink(output->temporary_path);
            cleanup_path_ready = 0;
        }
        errno = saved_errno;
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
        written = false;
    }
    g_clear_pointer(&output->temporary_path, g_free);
    g_clear_pointer(&output->final_path, g_free);
    return written;
}
