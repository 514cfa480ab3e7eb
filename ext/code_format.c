/*
 * The room code format. A code is ten letters in groups of 3, 4 and 3; the stored form is
 * lowercase with dashes between the groups. People type codes in other shapes and paste
 * whole links, so normalizing is lenient about what surrounds the letters and strict
 * about the letters themselves.
 *
 * A link may hold words that read as codes besides the code itself (a path such as
 * /conference/, a query such as ?team=engineering), so it is never read by taking the
 * first code-shaped part. Past the scheme and host, which are never the code, the link is
 * cut into parts at / ? # & = and every candidate is ranked, most clearly marked first:
 *   ROUTE     a part right after a part "meeting" or "preview" (so also streaming/meeting/)
 *             and a "/", or right after a key code, roomcode, room_code or room-code and
 *             a "=", that reads as a code in any spelling;
 *   DASHED    letters-dash-letters-dash-letters in groups of exactly 3, 4 and 3 letters,
 *             anywhere (also inside a part: {code}.html);
 *   EMBEDDED  the same with more letters before or after, the dashes marking the code
 *             (xabc-defg-hijx reads as abc-defg-hij);
 *   WEAK      a whole part that reads as a code in any spelling (conference, XVM WXWO GBL).
 * The code is the candidate of the highest rank present when every candidate of that rank
 * is the same code; otherwise there is no code. roomcode_link relies on this: it refuses
 * a base whose links would not come back to their code.
 */
#include "code_format.h"

#include <string.h>

enum mark { WEAK = 1, EMBEDDED, DASHED, ROUTE };

static const size_t group_end[2] = {3, 7}; /* letter counts after which a group ends */

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_letter(char c) { return is_lower(c) || is_upper(c); }
static char to_lower(char c) { return is_upper(c) ? (char)(c - 'A' + 'a') : c; }
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
        c = to_lower(c);
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

/* Where the authority that starts at i ends (RFC 3986: at / ? or #). */
static size_t authority_end(const char *s, size_t n, size_t i) {
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    return i;
}

/*
 * Where the parts that may hold the code start: after "scheme://host", after "//host", or,
 * without a scheme, after a first part that reads as a host[:port] (it holds a dot or a
 * colon, and nothing a host cannot hold), so that acme.app.100ms.live/meeting/... and
 * www.acme.com (which reads as the code www-acme-com) are hosts while abc-defg-hij/host is
 * a code and a role.
 */
static size_t parts_start(const char *s, size_t n) {
    for (size_t k = 0; k + 2 < n && !is_link_delimiter(s[k]); k++) {
        if (s[k] == ':' && s[k + 1] == '/' && s[k + 2] == '/')
            return authority_end(s, n, k + 3);
    }
    if (n >= 2 && s[0] == '/' && s[1] == '/')
        return authority_end(s, n, 2);
    size_t end = authority_end(s, n, 0);
    int dotted = 0;
    for (size_t i = 0; i < end; i++) {
        char c = s[i];
        if (c == '.' || c == ':')
            dotted = 1;
        else if (!is_letter(c) && !(c >= '0' && c <= '9') && (!c || !strchr("-_@[]%", c)))
            return 0;
    }
    return dotted ? end : 0;
}

static int equals_nocase(const char *s, size_t n, const char *word) {
    size_t i = 0;
    for (; i < n && word[i]; i++)
        if (to_lower(s[i]) != word[i])
            return 0;
    return i == n && !word[i];
}

/* Does the part s[0..n), followed by delimiter d, mark the next part as the code? */
static int marks_next(const char *s, size_t n, char d) {
    if (d == '/')
        return equals_nocase(s, n, "meeting") || equals_nocase(s, n, "preview");
    if (d == '=')
        return equals_nocase(s, n, "code") || equals_nocase(s, n, "roomcode") ||
               equals_nocase(s, n, "room_code") || equals_nocase(s, n, "room-code");
    return 0;
}

/* The candidates seen so far: the best rank, its code, and whether it has two codes. */
typedef struct pick {
    enum mark mark; /* 0 while there is no candidate */
    int ambiguous;
    char code[ROOMCODE_LEN + 1];
} pick;

static void consider(pick *p, enum mark mark, const char code[ROOMCODE_LEN + 1]) {
    if (mark > p->mark) {
        p->mark = mark;
        p->ambiguous = 0;
        memcpy(p->code, code, ROOMCODE_LEN + 1);
    } else if (mark == p->mark && memcmp(p->code, code, ROOMCODE_LEN) != 0) {
        p->ambiguous = 1;
    }
}

/* Letters in a row from s[i] on, stepping by dir, within [lo, hi), counting at most 4. */
static size_t letter_run(const char *s, size_t lo, size_t hi, size_t i, int dir) {
    size_t count = 0;
    while (count < 4 && i >= lo && i < hi && is_letter(s[i])) {
        count++;
        if (dir < 0 && i == 0)
            break;
        i = dir > 0 ? i + 1 : i - 1;
    }
    return count;
}

/* Every xxx-xxxx-xxx in s[lo..hi), found by its dashes, DASHED or EMBEDDED. */
static void find_dashed(const char *s, size_t lo, size_t hi, pick *p) {
    for (size_t d = lo + 3; d + 8 < hi; d++) {
        if (s[d] != '-' || s[d + 5] != '-' || letter_run(s, lo, hi, d + 1, 1) != 4)
            continue;
        size_t before = letter_run(s, lo, hi, d - 1, -1);
        size_t after = letter_run(s, lo, hi, d + 6, 1);
        if (before < 3 || after < 3)
            continue;
        char code[ROOMCODE_LEN + 1];
        for (size_t i = 0; i < ROOMCODE_LEN; i++)
            code[i] = to_lower(s[d - 3 + i]);
        code[ROOMCODE_LEN] = '\0';
        consider(p, before == 3 && after == 3 ? DASHED : EMBEDDED, code);
    }
}

/* Every part of s[lo..hi) that reads as a code, ROUTE when marked, else WEAK. */
static void find_parts(const char *s, size_t lo, size_t hi, pick *p) {
    size_t prev = lo, prev_len = 0;
    char prev_delim = 0; /* the delimiter after the previous part; 0 for the first part */
    for (size_t i = lo; i <= hi;) {
        size_t start = i;
        while (i < hi && !is_link_delimiter(s[i]))
            i++;
        char code[ROOMCODE_LEN + 1];
        if (i > start && parse_bare(s + start, i - start, code)) {
            int marked = prev_delim && marks_next(s + prev, prev_len, prev_delim);
            consider(p, marked ? ROUTE : WEAK, code);
        }
        if (i == hi)
            break;
        prev = start;
        prev_len = i - start;
        prev_delim = s[i++];
    }
}

int roomcode_normalize_text(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    if (memchr(s, '\0', n))
        return 0;
    while (n > 0 && is_blank(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n == 0)
        return 0;
    int link = 0;
    for (size_t i = 0; i < n && !link; i++)
        link = is_link_delimiter(s[i]);
    if (!link)
        return parse_bare(s, n, out);

    pick p = {0, 0, ""};
    size_t lo = parts_start(s, n);
    find_parts(s, lo, n, &p);
    find_dashed(s, lo, n, &p);
    if (!p.mark || p.ambiguous)
        return 0;
    memcpy(out, p.code, ROOMCODE_LEN + 1);
    return 1;
}
