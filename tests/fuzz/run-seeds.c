/* Runs a fuzz target over seed files without a fuzzing engine, so seeds run as plain tests. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    unsigned passed;
    unsigned failed;
} Tally;

/* Reads a whole file into a buffer of exactly its size, as libFuzzer hands inputs over, so a
 * read one byte past the end is caught by AddressSanitizer. */
static bool read_whole_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return false;
    bool ok = fseek(file, 0, SEEK_END) == 0;
    long length = ok ? ftell(file) : -1;
    ok = ok && length >= 0 && fseek(file, 0, SEEK_SET) == 0;
    uint8_t *buffer = ok ? malloc(length > 0 ? (size_t)length : 1) : NULL;
    ok = buffer != NULL && fread(buffer, 1, (size_t)length, file) == (size_t)length;
    fclose(file);
    if (!ok) {
        free(buffer);
        return false;
    }
    *data = buffer;
    *size = (size_t)length;
    return true;
}

static void run_file(const char *path, Tally *tally)
{
    uint8_t *data = NULL;
    size_t size = 0;
    if (!read_whole_file(path, &data, &size)) {
        fprintf(stderr, "not ok - %s: cannot read: %s\n", path, strerror(errno));
        tally->failed++;
        return;
    }
    /* Named before the run: if the target aborts, the last line says which input did it. */
    fprintf(stderr, "running %s (%zu bytes)\n", path, size);
    int result = LLVMFuzzerTestOneInput(data, size);
    free(data);
    /* libFuzzer reserves every value but 0 and -1 (-1: keep this input out of the corpus). */
    if (result != 0 && result != -1) {
        fprintf(stderr, "not ok - %s: the target returned %d\n", path, result);
        tally->failed++;
        return;
    }
    tally->passed++;
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

static void run_path(const char *path, Tally *tally);

/* Every file below a folder, in name order so that runs compare; hidden entries are skipped. */
static void run_folder(const char *path, Tally *tally)
{
    DIR *folder = opendir(path);
    if (folder == NULL) {
        fprintf(stderr, "not ok - %s: cannot open: %s\n", path, strerror(errno));
        tally->failed++;
        return;
    }
    char **names = NULL;
    size_t count = 0;
    size_t capacity = 0;
    for (struct dirent *entry = readdir(folder); entry != NULL; entry = readdir(folder)) {
        if (entry->d_name[0] == '.')
            continue;
        if (count == capacity) {
            capacity = capacity > 0 ? 2 * capacity : 64;
            char **grown = realloc(names, capacity * sizeof *names);
            if (grown == NULL)
                abort();
            names = grown;
        }
        size_t length = strlen(path) + strlen(entry->d_name) + 2;
        names[count] = malloc(length);
        if (names[count] == NULL)
            abort();
        snprintf(names[count], length, "%s/%s", path, entry->d_name);
        count++;
    }
    closedir(folder);
    if (count > 0)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t index = 0; index < count; index++) {
        run_path(names[index], tally);
        free(names[index]);
    }
    free(names);
}

static void run_path(const char *path, Tally *tally)
{
    struct stat status;
    if (stat(path, &status) != 0) {
        fprintf(stderr, "not ok - %s: %s\n", path, strerror(errno));
        tally->failed++;
    } else if (S_ISDIR(status.st_mode)) {
        run_folder(path, tally);
    } else {
        run_file(path, tally);
    }
}

int main(int argc, char **argv)
{
    Tally tally = {0, 0};
    for (int index = 1; index < argc; index++) {
        /* libFuzzer options (-runs=..., -max_len=...) are accepted and ignored, so one command
         * line serves both builds. */
        if (argv[index][0] == '-')
            continue;
        run_path(argv[index], &tally);
    }
    printf("%u passed, %u failed\n", tally.passed, tally.failed);
    return tally.failed == 0 && tally.passed > 0 ? 0 : 1;
}
