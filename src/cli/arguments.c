/* Short options written with their value attached ("-j2"), made into what GOption reads. */
#include "arguments.h"

#include <stdbool.h>
#include <string.h>

static const GOptionEntry *find_entry(const GOptionEntry *const *entries, char short_name,
                                      const char *long_name, size_t long_length)
{
    for (const GOptionEntry *const *table = entries; *table != NULL; table++) {
        for (const GOptionEntry *entry = *table; entry->long_name != NULL; entry++) {
            if (short_name != '\0' && entry->short_name == short_name)
                return entry;
            if (long_name != NULL && strlen(entry->long_name) == long_length &&
                strncmp(entry->long_name, long_name, long_length) == 0)
                return entry;
        }
    }
    return NULL;
}

static bool takes_value(const GOptionEntry *entry)
{
    return entry != NULL && entry->arg != G_OPTION_ARG_NONE;
}

char **oddport_split_attached_values(int argc, char **argv, const GOptionEntry *const *entries)
{
    GPtrArray *split = g_ptr_array_new();
    bool value_next = false; /* the argument before was an option waiting for its value */
    bool options_over = false;
    for (int index = 0; index < argc; index++) {
        const char *argument = argv[index];
        if (index == 0 || options_over || value_next || argument[0] != '-' || argument[1] == '\0') {
            g_ptr_array_add(split, g_strdup(argument));
            value_next = false;
            continue;
        }
        if (argument[1] == '-') {
            options_over = argument[2] == '\0';
            /* A name not in the tables may still be one GOption knows (it also takes a
             * group's options as --GROUP-NAME): what follows may be its value, and is left as
             * it is. */
            if (!options_over && strchr(argument, '=') == NULL) {
                const GOptionEntry *entry =
                    find_entry(entries, '\0', argument + 2, strlen(argument + 2));
                value_next = entry == NULL || takes_value(entry);
            }
            g_ptr_array_add(split, g_strdup(argument));
            continue;
        }
        /* A cluster of short options: the first that takes a value ends it, and whatever
         * follows that option's letter is its value. */
        size_t length = strlen(argument);
        size_t cut = length;
        for (size_t letter = 1; letter < length; letter++) {
            if (takes_value(find_entry(entries, argument[letter], NULL, 0))) {
                cut = letter + 1;
                break;
            }
        }
        g_ptr_array_add(split, g_strndup(argument, cut));
        if (cut < length)
            g_ptr_array_add(split, g_strdup(argument + cut));
        else
            value_next = takes_value(find_entry(entries, argument[length - 1], NULL, 0));
    }
    g_ptr_array_add(split, NULL);
    return (char **)g_ptr_array_free(split, FALSE);
}
