/* Runs a fuzz target over seed files, whole or cut short, as tests without a fuzzing engine. */
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

/* With --truncate=HEAD,STRIDE,TAIL each file is not run whole but cut short: at every length
 * below HEAD (the file header, the first blocks and records), at every STRIDE-th length after
 * that, and at every length in the last TAIL bytes up to the whole file. One process runs every
 * cut, so a dense sweep costs the target's work and not a process start per cut. */
typedef struct {
    bool enabled;
    size_t head;
    size_t stride;
    size_t tail;
} Cuts;

static bool is_cut(const Cuts *cuts, size_t size, size_t length)
{
    return length < cuts->head || length + cuts->tail >= size ||
           (length - cuts->head) % cuts->stride == 0;
}

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

static void run_input(const char *path, const uint8_t *data, size_t size, Tally *tally)
{
    int result = LLVMFuzzerTestOneInput(data, size);
    /* libFuzzer reserves every value but 0 and -1 (-1: keep this input out of the corpus). */
    if (result != 0 && result != -1) {
        fprintf(stderr, "not ok - %s (%zu bytes): the target returned %d\n", path, size, result);
        tally->failed++;
        return;
    }
    tally->passed++;
}

static void run_file(const char *path, const Cuts *cuts, Tally *tally)
{
    uint8_t *data = NULL;
    size_t size = 0;
    if (!read_whole_file(path, &data, &size)) {
        fprintf(stderr, "not ok - %s: cannot read: %s\n", path, strerror(errno));
        tally->failed++;
        return;
    }
    if (!cuts->enabled) {
        /* Named before the run: if the target aborts, the last line says which input did it. */
        fprintf(stderr, "running %s (%zu bytes)\n", path, size);
        run_input(path, data, size, tally);
        free(data);
        return;
    }
    fprintf(stderr, "running %s cut short (%zu bytes whole)\n", path, size);
    for (size_t length = 0; length <= size; length++) {
        if (!is_cut(cuts, size, length))
            continue;
        /* Each cut in a buffer of its own length, so that a read past the cut is caught. */
        uint8_t *cut = malloc(length > 0 ? length : 1);
        if (cut == NULL)
            abort();
        memcpy(cut, data, length);
        /* Named before the run: if the target aborts, the last line says which cut did it. */
        fprintf(stderr, "cut at %zu bytes (reproduce: head -c %zu %s > cut)\n", length, length,
                path);
        run_input(path, cut, length, tally);
        free(cut);
    }
    free(data);
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

static void run_path(const char *path, const Cuts *cuts, Tally *tally);

/* Every file below a folder, in name order so that runs compare; hidden entries are skipped. */
static void run_folder(const char *path, const Cuts *cuts, Tally *tally)
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
        run_path(names[index], cuts, tally);
        free(names[index]);
    }
    free(names);
}

static void run_path(const char *path, const Cuts *cuts, Tally *tally)
{
    struct stat status;
    if (stat(path, &status) != 0) {
        fprintf(stderr, "not ok - %s: %s\n", path, strerror(errno));
        tally->failed++;
    } else if (S_ISDIR(status.st_mode)) {
        run_folder(path, cuts, tally);
    } else {
        run_file(path, cuts, tally);
    }
}

static bool parse_cuts(const char *text, Cuts *cuts)
{
    unsigned long head = 0, stride = 0, tail = 0;
    int consumed = 0;
    if (sscanf(text, "%lu,%lu,%lu%n", &head, &stride, &tail, &consumed) != 3 ||
        text[consumed] != '\0' || stride == 0)
        return false;
    *cuts = (Cuts){.enabled = true, .head = head, .stride = stride, .tail = tail};
    return true;
}

int main(int argc, char **argv)
{
    Tally tally = {0, 0};
    Cuts cuts = {.enabled = false};
    static const char truncate_option[] = "--truncate=";
    for (int index = 1; index < argc; index++) {
        if (strncmp(argv[index], truncate_option, strlen(truncate_option)) == 0) {
            if (!parse_cuts(argv[index] + strlen(truncate_option), &cuts)) {
                fprintf(stderr,
                        "usage: %s [--truncate=HEAD,STRIDE,TAIL] FILE_OR_FOLDER...\n"
                        "(STRIDE at least 1)\n",
                        argv[0]);
                return 2;
            }
            continue;
        }
        /* libFuzzer options (-runs=..., -max_len=...) are accepted and ignored, so one command
         * line serves both builds. */
        if (argv[index][0] == '-')
            continue;
        run_path(argv[index], &cuts, &tally);
    }
    printf("%u passed, %u failed\n", tally.passed, tally.failed);
    return tally.failed == 0 && tally.passed > 0 ? 0 : 1;
}
