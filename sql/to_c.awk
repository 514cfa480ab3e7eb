# Turns the SQL of sql/ into C data (build/storage_sql.h, included by ext/store_sql.c
# only, declared in ext/store_sql.h), so that the extension never searches SQL text at run
# time. The one build step for all of sql/:
#   roomcode_sql_store_table        the CREATE TABLE of the store (store_table.sql)
#   roomcode_sql_store_definition   what follows its name, whitespace runs as one space
#   roomcode_sql_triggers[]         per store trigger: name suffix, CREATE TRIGGER
#   roomcode_sql_indexes[]          per store index: name suffix, CREATE INDEX, definition
#   roomcode_sql_templates_tables   the CREATE TABLEs of templates_tables.sql, one string
#   roomcode_sql_templates_triggers[]  per trigger of templates_triggers.sql: name suffix
#                                   (after "{table}_"), CREATE TRIGGER, in file order
#   roomcode_sql_raised_<suffix>    each trigger's RAISE message
#   roomcode_sql_stmt_<name>        each statement of a *_statements.sql file
# {cap} and {max_name_bytes} are filled in here from ext/store_limits.h, the one place the
# storage's constants are set; {schema}, {table} and {columns} stay for the extension.
# usage: awk -f sql/to_c.awk ext/store_limits.h sql/store_table.sql sql/store_triggers.sql \
#            sql/store_statements.sql sql/templates_tables.sql sql/templates_triggers.sql \
#            sql/templates_statements.sql > build/storage_sql.h
# POSIX awk (mawk and gawk alike): make needs nothing beyond the build's own tools.

function c_string(text,    out, n, i, lines) {
    n = split(text, lines, "\n")
    out = ""
    for (i = 1; i <= n; i++) {
        gsub(/\\/, "\\\\", lines[i])
        gsub(/"/, "\\\"", lines[i])
        out = out "\n    \"" lines[i] (i < n ? "\\n" : "") "\""
    }
    return out
}

# whitespace runs as one space, none at either end, no final ';'
function squeeze(text) {
    gsub(/[ \t\r\n]+/, " ", text)
    sub(/^ /, "", text)
    sub(/ $/, "", text)
    sub(/;$/, "", text)
    sub(/ $/, "", text)
    return text
}

function fail(msg) {
    print "to_c.awk: " FILENAME ":" FNR ": " msg > "/dev/stderr"
    failed = 1
    exit 1
}

function fill_constants(line) {
    gsub(/\{cap\}/, cap, line)
    gsub(/\{max_name_bytes\}/, max_name_bytes, line)
    return line
}

# the quoted suffix after "{table}_store_ in text
function suffix_of(text,    s) {
    if (!match(text, /"\{table\}_store_[a-z0-9_]+"/))
        fail("no \"{table}_store_<suffix>\" name")
    s = substr(text, RSTART + 15, RLENGTH - 16)
    return s
}

# the quoted suffix after "{table}_ in text: the first such name, the object's own
function templates_suffix_of(text) {
    if (!match(text, /"\{table\}_[a-z0-9_]+"/))
        fail("no \"{table}_<suffix>\" name")
    return substr(text, RSTART + 9, RLENGTH - 10)
}

function add_raised(text, suffix) {
    if (match(text, /RAISE\(ABORT, '[^']*'/)) {
        n_raised++
        raised_name[n_raised] = suffix
        raised_msg[n_raised] = substr(text, RSTART + 14, RLENGTH - 15)
    }
}

function end_object(    text, suffix, p) {
    text = object
    object = ""
    if (kind == "table") {
        table_sql = text
        p = index(text, "\"{table}_store\"")
        if (!p)
            fail("the store table is not \"{schema}\".\"{table}_store\"")
        table_def = squeeze(substr(text, p + 15))
    } else if (kind == "trigger") {
        suffix = suffix_of(text)
        n_triggers++
        trigger_suffix[n_triggers] = suffix
        trigger_sql[n_triggers] = text
        add_raised(text, suffix)
    } else if (kind == "templates_table") {
        templates_tables = templates_tables (templates_tables == "" ? "" : "\n") text
    } else if (kind == "templates_trigger") {
        suffix = templates_suffix_of(text)
        n_ttriggers++
        ttrigger_suffix[n_ttriggers] = suffix
        ttrigger_sql[n_ttriggers] = text
        add_raised(text, suffix)
    } else if (kind == "index") {
        suffix = suffix_of(text)
        p = index(text, " ON \"{table}_store\"")
        if (!p)
            fail("index " suffix " is not ON \"{table}_store\"")
        n_indexes++
        index_suffix[n_indexes] = suffix
        index_sql[n_indexes] = text
        index_def[n_indexes] = squeeze(substr(text, p + 19))
    } else if (kind == "statement") {
        n_stmts++
        stmt_name[n_stmts] = stmt
        stmt_sql[n_stmts] = text
    }
    kind = ""
}

FNR == 1 { file = FILENAME; sub(/.*\//, "", file) }

file == "store_limits.h" {
    if ($1 == "#define" && $2 == "ROOMCODE_MAX_PER_ROOM")
        cap = $3
    if ($1 == "#define" && $2 == "ROOMCODE_MAX_NAME_BYTES")
        max_name_bytes = $3
    next
}

/^[ \t]*-- statement: / {
    stmt = $3
    kind_next = "statement"
    next
}
/^[ \t]*--/ || /^[ \t]*$/ { next }

{
    line = fill_constants($0)
    if (kind == "") {
        if (file ~ /_statements\.sql$/) {
            if (kind_next != "statement")
                fail("a statement without a \"-- statement: <name>\" line")
            kind = "statement"
            kind_next = ""
        } else if (line ~ /^CREATE TABLE /) {
            kind = file ~ /^templates_/ ? "templates_table" : "table"
        } else if (line ~ /^CREATE TRIGGER /) {
            kind = file ~ /^templates_/ ? "templates_trigger" : "trigger"
        } else if (line ~ /^CREATE INDEX /) {
            kind = "index"
        } else {
            fail("expected CREATE TABLE, TRIGGER or INDEX")
        }
        object = line
    } else {
        object = object "\n" line
    }
    if ((kind ~ /trigger$/ && line ~ /^END;[ \t]*$/) || (kind !~ /trigger$/ && line ~ /;[ \t]*$/))
        end_object()
}

END {
    if (failed)
        exit 1
    if (kind != "")
        fail("the last statement has no end")
    if (cap == "" || max_name_bytes == "")
        fail("ext/store_limits.h lacks ROOMCODE_MAX_PER_ROOM or ROOMCODE_MAX_NAME_BYTES")
    if (table_sql == "" || n_triggers == 0 || n_indexes == 0 || n_stmts == 0)
        fail("a table, triggers, indexes and statements are all needed")
    if (templates_tables == "" || n_ttriggers == 0)
        fail("the templates' tables and triggers are both needed")
    print "/* Made by sql/to_c.awk from sql/ and ext/store_limits.h: edit those. */"
    print "const char roomcode_sql_store_table[] =" c_string(table_sql) ";"
    print "const char roomcode_sql_store_definition[] =" c_string(table_def) ";"
    print "const roomcode_sql_object roomcode_sql_triggers[] = {"
    for (i = 1; i <= n_triggers; i++)
        print "    {\"" trigger_suffix[i] "\"," c_string(trigger_sql[i]) ", 0},"
    print "};"
    print "const int roomcode_sql_n_triggers = " n_triggers ";"
    print "const roomcode_sql_object roomcode_sql_indexes[] = {"
    for (i = 1; i <= n_indexes; i++)
        print "    {\"" index_suffix[i] "\"," c_string(index_sql[i]) "," c_string(index_def[i]) "},"
    print "};"
    print "const int roomcode_sql_n_indexes = " n_indexes ";"
    print "const char roomcode_sql_templates_tables[] =" c_string(templates_tables) ";"
    print "const roomcode_sql_object roomcode_sql_templates_triggers[] = {"
    for (i = 1; i <= n_ttriggers; i++)
        print "    {\"" ttrigger_suffix[i] "\"," c_string(ttrigger_sql[i]) ", 0},"
    print "};"
    print "const int roomcode_sql_n_templates_triggers = " n_ttriggers ";"
    for (i = 1; i <= n_raised; i++)
        print "const char roomcode_sql_raised_" raised_name[i] "[] =" c_string(raised_msg[i]) ";"
    for (i = 1; i <= n_stmts; i++)
        print "const char roomcode_sql_stmt_" stmt_name[i] "[] =" c_string(stmt_sql[i]) ";"
}
