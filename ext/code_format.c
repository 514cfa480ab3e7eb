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
 *
 * People also paste chat messages ("Use code toz-mfgy-vep to join.") and type on phones
 * whose keyboards turn "-" into an en dash. So every Unicode dash and hyphen reads as "-",
 * every Unicode space as a blank, and curly quotes as straight ones, before anything else.
 * Text that is not a code as a whole, nor a link in one piece, is read word by word: a
 * code written with dashes, standing alone between blanks or punctuation
 * ("(toz-mfgy-vep)," but not "toz-mfgy-vep.html" or "well-made-things"), and each link
 * among the words, as above. Every code so read, and the reading of the whole text, must
 * be the same code; two different codes give none. Links have no blanks and are ASCII,
 * so none of this changes how a link reads.
 */
#include "code_format.h"

#include <stdlib.h>
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

/*
 * The code a link-shaped text names by the ranking above: 1 and the code in out, 0 when it
 * holds no candidate, -1 when its best candidates are different codes.
 */
static int read_link(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    pick p = {0, 0, ""};
    size_t lo = parts_start(s, n);
    find_parts(s, lo, n, &p);
    find_dashed(s, lo, n, &p);
    if (!p.mark)
        return 0;
    if (p.ambiguous)
        return -1;
    memcpy(out, p.code, ROOMCODE_LEN + 1);
    return 1;
}

static int has_link_delimiter(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (is_link_delimiter(s[i]))
            return 1;
    return 0;
}

static int is_alnum(char c) { return is_letter(c) || (c >= '0' && c <= '9'); }

/* Letters, digits, '-', '_' and any byte of a non-ASCII character are part of a word. */
static int is_word_byte(char c) {
    return is_alnum(c) || c == '-' || c == '_' || (unsigned char)c >= 0x80;
}

/*
 * Every code written as letters-dash-letters-dash-letters (3, 4 and 3) that is a whole
 * word of s[0..n): a word is a run of word bytes, also joined by an inner '.', '@' or ':'
 * (a host, a file name, an address), so that abc-defg-hij.html is no code.
 */
static void find_written_codes(const char *s, size_t n, pick *p) {
    size_t i = 0;
    while (i < n) {
        if (!is_word_byte(s[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n &&
               (is_word_byte(s[i]) || ((s[i] == '.' || s[i] == '@' || s[i] == ':') && i + 1 < n &&
                                       is_word_byte(s[i + 1]) && s[i + 1] != '-')))
            i++;
        if (i - start != ROOMCODE_LEN)
            continue;
        char code[ROOMCODE_LEN + 1];
        int ok = 1;
        for (size_t k = 0; k < ROOMCODE_LEN && ok; k++) {
            char c = s[start + k];
            ok = (k == 3 || k == 8) ? c == '-' : is_letter(c);
            code[k] = to_lower(c);
        }
        code[ROOMCODE_LEN] = '\0';
        if (ok)
            consider(p, DASHED, code);
    }
}

/* Punctuation that may stand around a code in a sentence: "(xvm-wxwo-gbl)." */
static int is_opening(char c) { return c && strchr("([{<\"'`", c); }
static int is_closing(char c) { return c && strchr(".,;:!)]}>\"'`", c); }

/* The code a text without link delimiters is, once blanks and punctuation around go. */
static int parse_punctuated(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    size_t lo = 0;
    while (lo < n && (is_blank(s[lo]) || is_opening(s[lo])))
        lo++;
    while (n > lo && (is_blank(s[n - 1]) || is_closing(s[n - 1])))
        n--;
    return n > lo && parse_bare(s + lo, n - lo, out);
}

/*
 * Reads one word of a text that holds blanks (or the whole of a text that is not a link)
 * into words: a link by its own ranking, other words by the codes written in them. Returns
 * 0 when the word makes the text doubtful: a link whose best candidates differ, or a word
 * in which a link would see a code that is not written there as a word (abc-defg-hij.html,
 * well-made-things), so that a text reads as X only where its links agree.
 */
static int read_word(const char *s, size_t n, pick *words) {
    char code[ROOMCODE_LEN + 1];
    if (has_link_delimiter(s, n)) {
        int read = read_link(s, n, code);
        if (read > 0)
            consider(words, DASHED, code);
        return read >= 0;
    }
    pick written = {0, 0, ""}, dashed = {0, 0, ""};
    find_written_codes(s, n, &written);
    find_dashed(s, 0, n, &dashed);
    if (dashed.mark && (dashed.ambiguous || dashed.mark != DASHED || !written.mark ||
                        written.ambiguous || memcmp(dashed.code, written.code, ROOMCODE_LEN)))
        return 0;
    if (written.mark)
        consider(words, DASHED, written.code);
    return 1;
}

/* What a person's text holds: the reading described at the top of this file. */
static int read_text(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    while (n > 0 && is_blank(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n == 0)
        return 0;
    int link = has_link_delimiter(s, n);
    if (!link && (parse_bare(s, n, out) || parse_punctuated(s, n, out)))
        return 1;
    int blanks = 0;
    for (size_t i = 0; i < n && !blanks; i++)
        blanks = is_blank(s[i]);
    if (link && !blanks)
        return read_link(s, n, out) > 0;
    /* word by word; all that is read must be one code */
    pick words = {0, 0, ""};
    for (size_t i = 0; i < n;) {
        while (i < n && is_blank(s[i]))
            i++;
        size_t start = i;
        while (i < n && !is_blank(s[i]))
            i++;
        if (i > start && !read_word(s + start, i - start, &words))
            return 0;
    }
    if (words.ambiguous)
        return 0;
    if (words.mark) {
        memcpy(out, words.code, ROOMCODE_LEN + 1);
        return 1;
    }
    /* no word holds a code: a link cut by blanks ("XVM WXWO GBL/host") read whole */
    return link && read_link(s, n, out) > 0;
}

/*
 * The UTF-8 character at s[i..n) as a code point, with its length in *len; -1 (and
 * *len 1) for a byte that starts no well-formed character.
 */
static long decode_utf8(const unsigned char *s, size_t i, size_t n, size_t *len) {
    unsigned char c = s[i];
    size_t k = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    *len = 1;
    if (k == 0 || i + k > n)
        return -1;
    long cp = c & (0x3f >> (k - 1));
    for (size_t j = 1; j < k; j++) {
        if ((s[i + j] & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i + j] & 0x3f);
    }
    static const long least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *len = k;
    return cp;
}

/*
 * The ASCII character a non-ASCII one stands for here, or 0: the dashes and hyphens of
 * Unicode's Dash and Hyphen properties read as '-', its spaces (and the zero-width ones)
 * as ' ', curly quotes and guillemets as straight quotes, the ellipsis as '.'.
 */
static char ascii_for(long cp) {
    static const long dashes[] = {0x00ad, 0x058a, 0x05be, 0x1400, 0x1806, 0x2010, 0x2011, 0x2012,
                                  0x2013, 0x2014, 0x2015, 0x2053, 0x207b, 0x208b, 0x2212, 0x2e17,
                                  0x2e1a, 0x2e3a, 0x2e3b, 0x2e40, 0x2e5d, 0x301c, 0x3030, 0x30a0,
                                  0xfe31, 0xfe32, 0xfe58, 0xfe63, 0xff0d, 0x10ead};
    static const long spaces[] = {0x00a0, 0x1680, 0x200b, 0x202f, 0x205f, 0x2060, 0x3000, 0xfeff};
    static const long quotes[] = {0x00ab, 0x00bb, 0x201c, 0x201d, 0x201e, 0x201f, 0x2039, 0x203a};
    static const long apostrophes[] = {0x2018, 0x2019, 0x201a, 0x201b};
    for (size_t i = 0; i < sizeof dashes / sizeof dashes[0]; i++)
        if (cp == dashes[i])
            return '-';
    if (cp >= 0x2000 && cp <= 0x200a)
        return ' ';
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (cp == spaces[i])
            return ' ';
    for (size_t i = 0; i < sizeof quotes / sizeof quotes[0]; i++)
        if (cp == quotes[i])
            return '"';
    for (size_t i = 0; i < sizeof apostrophes / sizeof apostrophes[0]; i++)
        if (cp == apostrophes[i])
            return '\'';
    return cp == 0x2026 ? '.' : 0;
}

/* Writes s[0..n) into t with the characters ascii_for() knows folded; returns t's length. */
static size_t fold_to_ascii(const char *s, size_t n, char *t) {
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        long cp =
            (unsigned char)s[i] < 0x80 ? -1 : decode_utf8((const unsigned char *)s, i, n, &len);
        char a = cp > 0 ? ascii_for(cp) : 0;
        if (a) {
            t[m++] = a;
        } else {
            memcpy(t + m, s + i, len);
            m += len;
        }
        i += len;
    }
    return m;
}

int roomcode_normalize_text(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    if (memchr(s, '\0', n))
        return 0;
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    if (i == n)
        return read_text(s, n, out);
    /* folding never lengthens the text; a short one is folded on the stack */
    char small[512];
    char *t = n <= sizeof small ? small : malloc(n);
    if (!t)
        return 0;
    int found = read_text(t, fold_to_ascii(s, n, t), out);
    if (t != small)
        free(t);
    return found;
}
