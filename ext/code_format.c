/*
 * The room code format. A code is ten letters in groups of 3, 4 and 3; the stored form is
 * lowercase with dashes between the groups. People type codes in other shapes and paste
 * whole links, so normalizing is lenient about what surrounds the letters and strict
 * about the letters themselves.
 */
#include "code_format.h"

static const size_t group_end[2] = {3, 7}; /* letter counts after which a group ends */

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_separator(char c) { return c == '-' || c == '.' || c == '_' || is_blank(c); }

int roomcode_is_canonical(const char *s, size_t n) {
    if (n != ROOMCODE_LEN)
        return 0;
    for (size_t i = 0; i < ROOMCODE_LEN; i++) {
        int dash = (i == 3 || i == 8);
        if (dash ? s[i] != '-' : !is_lower(s[i]))
            return 0;
    }
    return 1;
}

void roomcode_format_letters(const unsigned char letters[ROOMCODE_LETTERS],
                             char out[ROOMCODE_LEN + 1]) {
    /* where each letter goes: around the dashes at offsets 3 and 8 */
    static const unsigned char at[ROOMCODE_LETTERS] = {0, 1, 2, 4, 5, 6, 7, 9, 10, 11};
    for (size_t i = 0; i < ROOMCODE_LETTERS; i++)
        out[at[i]] = (char)('a' + letters[i] % 26);
    out[3] = out[8] = '-';
    out[ROOMCODE_LEN] = '\0';
}

/* A bare code: letters, with runs of separators allowed only where a group ends. */
static int parse_bare(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    unsigned char letters[ROOMCODE_LETTERS];
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_separator(c)) {
            if (count != group_end[0] && count != group_end[1])
                return 0;
            continue;
        }
        if (is_upper(c))
            c = (char)(c - 'A' + 'a');
        if (!is_lower(c) || count == ROOMCODE_LETTERS)
            return 0;
        letters[count++] = (unsigned char)(c - 'a');
    }
    if (count != ROOMCODE_LETTERS || is_separator(s[0]) || is_separator(s[n - 1]))
        return 0;
    roomcode_format_letters(letters, out);
    return 1;
}

static int is_link_delimiter(char c) {
    return c == '/' || c == '?' || c == '&' || c == '=' || c == '#';
}

/*
 * A link: the first path segment, query value or fragment piece that is a bare code wins.
 * The host is skipped, since a custom domain such as abc.defg.hij is not the code.
 */
static int parse_link(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    size_t i = 0;
    for (size_t k = 0; k + 2 < n; k++) {
        if (s[k] == ':' && s[k + 1] == '/' && s[k + 2] == '/') {
            i = k + 3;
            break;
        }
        if (is_link_delimiter(s[k]))
            break;
    }
    if (s[0] != '/') {
        while (i < n && !is_link_delimiter(s[i]))
            i++;
    }
    while (i < n) {
        while (i < n && is_link_delimiter(s[i]))
            i++;
        size_t start = i;
        while (i < n && !is_link_delimiter(s[i]))
            i++;
        if (i > start && parse_bare(s + start, i - start, out))
            return 1;
    }
    return 0;
}

int roomcode_normalize_text(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    while (n > 0 && is_blank(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (is_link_delimiter(s[i]))
            return parse_link(s, n, out);
    }
    return parse_bare(s, n, out);
}
