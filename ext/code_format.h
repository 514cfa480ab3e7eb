/*
 * The room code format: 10 lowercase letters written xxx-xxxx-xxx. Pure C, no SQLite, so
 * that it can be unit-tested and fuzzed on its own.
 */
#ifndef ROOMCODE_CODE_FORMAT_H
#define ROOMCODE_CODE_FORMAT_H

#include <stddef.h>

#define ROOMCODE_LETTERS 10 /* letters in a code */
#define ROOMCODE_LEN 12     /* bytes of the canonical text, without NUL */

/* Is s[0..n) exactly a canonical stored-form code (a-z, dashes at offsets 3 and 8)? */
int roomcode_is_canonical(const char *s, size_t n);

/* Writes the canonical code for ten letter indexes 0..25 into out (NUL-terminated). */
void roomcode_format_letters(const unsigned char letters[ROOMCODE_LETTERS],
                             char out[ROOMCODE_LEN + 1]);

/*
 * Finds the code in what a person typed or pasted. Unicode dashes and hyphens read as '-',
 * Unicode spaces as blanks. Text without any of / ? # & = is a bare code: any case,
 * blanks/dashes/dots/underscores (or nothing) between the groups, surrounding blanks and
 * punctuation. A link is read as code_format.c describes: the code is found only when the
 * most clearly marked candidates in it are all the same code. Other text (a chat message)
 * is read word by word: codes written with dashes as whole words, and links. Writes the
 * canonical form into out and returns 1, or returns 0 when s[0..n) holds no code, more
 * than one, or a NUL byte.
 */
int roomcode_normalize_text(const char *s, size_t n, char out[ROOMCODE_LEN + 1]);

#endif
