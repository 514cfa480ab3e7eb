/*
 * Preloaded into a sqlite3 shell (LD_PRELOAD), this makes the library report 3.37.2, older
 * than roomcode supports, so that cross_version.sh can see the extension refuse to load.
 * The library's API table takes these functions' addresses through the dynamic linker,
 * so a preloaded definition stands in for them there too.
 */
int sqlite3_libversion_number(void);
const char *sqlite3_libversion(void);

int sqlite3_libversion_number(void) { return 3037002; }
const char *sqlite3_libversion(void) { return "3.37.2"; }
