/*
 * The storage SQL the build made from sql/ (build/storage_sql.h, included here only), the
 * filling in of a table's names, and the definitions of the database's own CREATE
 * statements, which the store's are compared with.
 */
#include "store_sql.h"

#include <ctype.h>
#include <string.h>

#include "storage_sql.h"

char *roomcode_sql_fill(const char *tmpl, const char *schema, const char *table,
                        const char *columns) {
    static const struct {
        const char *key;
        size_t len;
    } keys[] = {{"{schema}", 8}, {"{table}", 7}, {"{columns}", 9}};
    sqlite3_str *out = sqlite3_str_new(0);
    const char *p = tmpl;
    while (*p) {
        const char *brace = strchr(p, '{');
        if (!brace) {
            sqlite3_str_appendall(out, p);
            break;
        }
        sqlite3_str_append(out, p, (int)(brace - p));
        p = brace;
        size_t k = 0;
        while (k < 3 && strncmp(p, keys[k].key, keys[k].len) != 0)
            k++;
        if (k == 3 || (k == 2 && !columns)) {
            sqlite3_str_appendchar(out, 1, *p++);
            continue;
        }
        if (k == 2)
            sqlite3_str_appendall(out, columns);
        else
            sqlite3_str_appendf(out, "%w", k == 0 ? schema : table);
        p += keys[k].len;
    }
    return sqlite3_str_finish(out);
}

int roomcode_sql_exec(sqlite3 *db, const char *tmpl, const char *schema, const char *table,
                      char **err) {
    char *sql = roomcode_sql_fill(tmpl, schema, table, 0);
    int rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}

int roomcode_sql_exec_each(sqlite3 *db, const roomcode_sql_object *objects, int n,
                           const char *schema, const char *table, char **err) {
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < n; i++)
        rc = roomcode_sql_exec(db, objects[i].sql, schema, table, err);
    return rc;
}

/*
 * Text with every run of whitespace made one space, none at either end or before a final
 * ';', which is dropped (*out sqlite3_malloc'd, NULL when empty): how definitions compare,
 * as sql/to_c.awk squeezes the store's own.
 */
static int squeeze(const char *p, char **out) {
    *out = 0;
    sqlite3_str *def = sqlite3_str_new(0);
    for (int space = 0; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = 1;
            continue;
        }
        if (space && sqlite3_str_length(def) > 0)
            sqlite3_str_appendchar(def, 1, ' ');
        space = 0;
        sqlite3_str_appendchar(def, 1, *p);
    }
    int rc = sqlite3_str_errcode(def), n = sqlite3_str_length(def);
    *out = sqlite3_str_finish(def);
    if (rc != SQLITE_OK) {
        sqlite3_free(*out);
        *out = 0;
    } else if (*out && (*out)[n - 1] == ';') {
        (*out)[n - 1] = '\0';
        if (n > 1 && (*out)[n - 2] == ' ')
            (*out)[n - 2] = '\0';
    }
    return rc;
}

/* Skips an identifier, quoted in any of SQLite's ways or bare. */
static const char *skip_name(const char *p) {
    char close = *p == '"' ? '"' : *p == '`' ? '`' : *p == '[' ? ']' : 0;
    if (!close) {
        while (*p && *p != '(' && *p != '.' && !isspace((unsigned char)*p))
            p++;
        return p;
    }
    for (p++; *p; p++) {
        if (*p == close && close != ']' && p[1] == close)
            p++;
        else if (*p == close)
            return p + 1;
    }
    return p;
}

/* What follows the (maybe schema-qualified) name in `CREATE TABLE name ...` or
 * `CREATE INDEX name ...`, as keyword gives, or NULL when sql starts otherwise. */
static const char *after_created_name(const char *sql, const char *keyword) {
    size_t n = strlen(keyword);
    if (sqlite3_strnicmp(sql, keyword, (int)n) != 0)
        return 0;
    const char *p = sql + n;
    while (isspace((unsigned char)*p))
        p++;
    p = skip_name(p);
    if (*p == '.')
        p = skip_name(p + 1);
    return p;
}

int roomcode_sql_table_definition(const char *sql, char **out) {
    *out = 0;
    const char *p = after_created_name(sql, "CREATE TABLE");
    return p ? squeeze(p, out) : SQLITE_OK;
}

char *roomcode_sql_index_definition(const char *sql) {
    const char *p = after_created_name(sql, "CREATE INDEX");
    if (!p)
        return 0;
    while (isspace((unsigned char)*p))
        p++;
    if (sqlite3_strnicmp(p, "ON", 2) != 0 || !isspace((unsigned char)p[2]))
        return 0;
    for (p += 2; isspace((unsigned char)*p);)
        p++;
    p = skip_name(p);
    char *def = 0;
    return squeeze(p, &def) == SQLITE_OK ? def : 0;
}
