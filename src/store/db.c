/* The database layer: SQLite and PostgreSQL behind one small interface
 * (db.h).  Nothing here knows the store's schema. */
#include "db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>

#include "../util/util.h"

/* PostgreSQL type OIDs (fixed in pg_type.dat since 7.x; libpq ships no
 * header naming them) */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26,
       OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

struct p_db {
    p_dialect dialect;
    sqlite3 *lite;
    PGconn *pg;
    unsigned next_stmt;      /* names of the connection's prepared statements */
    p_db_failure failed;
    char errmsg[600];
};

typedef struct pg_param { const char *val; unsigned oid; int bound; char num[32]; } pg_param;

struct p_stmt {
    p_db *db;
    sqlite3_stmt *lite;
    /* PostgreSQL */
    char *sql;               /* with $N placeholders */
    int nparams, keep, prepared;
    char name[24];
    pg_param *params;
    PGresult *res;
    int row, nrows;
};

int p_db_is_pg_url(const char *t) {
    return t && (!strncmp(t, "postgresql://", 13) || !strncmp(t, "postgres://", 11));
}

p_dialect p_db_dialect(const p_db *db) { return db->dialect; }
const char *p_db_errmsg(const p_db *db) { return db->errmsg; }
p_db_failure p_db_failed(const p_db *db) { return db->failed; }

parley_status p_db_error(const p_db *db, parley_error *err) {
    p_set_error(err, PARLEY_ERR_IO, "%s", db->errmsg[0] ? db->errmsg : "database error");
    return PARLEY_ERR_IO;
}

/* One line: libpq's messages end in newlines and indent their hints. */
static void set_fail(p_db *db, p_db_failure f, const char *engine, const char *msg) {
    db->failed = f;
    size_t k = (size_t)snprintf(db->errmsg, sizeof db->errmsg, "%s: ", engine);
    for (; msg && *msg && k + 1 < sizeof db->errmsg; msg++) {
        if (*msg == '\n') {
            while (msg[1] == '\t' || msg[1] == ' ') msg++;
            if (!msg[1]) break;
            db->errmsg[k++] = ';';
            if (k + 1 < sizeof db->errmsg) db->errmsg[k++] = ' ';
            continue;
        }
        db->errmsg[k++] = *msg == '\t' ? ' ' : *msg;
    }
    db->errmsg[k < sizeof db->errmsg ? k : sizeof db->errmsg - 1] = 0;
}

static void lite_fail(p_db *db, int rc, const char *msg) {
    rc &= 0xff;
    set_fail(db, rc == SQLITE_FULL ? P_FAIL_FULL : rc == SQLITE_READONLY ? P_FAIL_READONLY : P_FAIL_OTHER, "sqlite",
             msg ? msg : sqlite3_errmsg(db->lite));
}

/* SQLSTATE classes: 40001 serialization failure, 40P01 deadlock, 53100
 * disk full, 25006 read-only transaction, 08xxx / 57P0x connection gone. */
static void pg_fail(p_db *db, const PGresult *res) {
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    p_db_failure f = P_FAIL_OTHER;
    if (PQstatus(db->pg) == CONNECTION_BAD) f = P_FAIL_CONN;
    else if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01"))) f = P_FAIL_RETRY;
    else if (state && (!strcmp(state, "53100") || !strcmp(state, "53400"))) f = P_FAIL_FULL;
    else if (state && !strcmp(state, "25006")) f = P_FAIL_READONLY;
    else if (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4))) f = P_FAIL_CONN;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) { set_fail(db, f, "postgresql", PQerrorMessage(db->pg)); return; }
    char msg[500];
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    snprintf(msg, sizeof msg, "%s%s%s (SQLSTATE %s)", primary, detail ? "; " : "", detail ? detail : "", state ? state : "?");
    set_fail(db, f, "postgresql", msg);
}

/* The URL as it may be shown: a password in it is replaced by "***". */
static void redact_url(const char *url, char *out, size_t cap) {
    snprintf(out, cap, "%s", url);
    char *p = strstr(out, "://");
    if (p) {
        p += 3;
        char *at = strchr(p, '@'), *slash = strchr(p, '/');
        char *colon = strchr(p, ':');
        if (at && (!slash || at < slash) && colon && colon < at) memmove(colon + 4, at, strlen(at) + 1), memcpy(colon, ":***", 4);
    }
    char *pw = strstr(out, "password=");
    if (pw) {
        char *end = strchr(pw, '&');
        memmove(pw + 12, end ? end : pw + strlen(pw), strlen(end ? end : pw + strlen(pw)) + 1);
        memcpy(pw + 9, "***", 3);
    }
}

static void quiet_notice(void *arg, const char *msg) { (void)arg; (void)msg; }

p_db *p_db_open(const char *target, int readonly, parley_error *err) {
    p_db *db = calloc(1, sizeof *db);
    if (!db) { p_set_error(err, PARLEY_ERR_NOMEM, "out of memory"); return NULL; }
    if (p_db_is_pg_url(target)) {
        db->dialect = P_PG;
        db->pg = PQconnectdb(target);
        if (!db->pg || PQstatus(db->pg) != CONNECTION_OK) {
            char shown[512], why[600];
            redact_url(target, shown, sizeof shown);
            set_fail(db, P_FAIL_CONN, "postgresql", db->pg ? PQerrorMessage(db->pg) : "out of memory");
            snprintf(why, sizeof why, "%s", db->errmsg + 12);
            p_set_error(err, PARLEY_ERR_IO, "postgresql: cannot connect to %s: %s", shown, why);
            p_db_close(db);
            return NULL;
        }
        /* "relation already exists, skipping" and the like are not for users */
        PQsetNoticeProcessor(db->pg, quiet_notice, NULL);
        if (p_db_exec(db, readonly ? "SET default_transaction_read_only = on; SET client_min_messages = warning"
                                   : "SET client_min_messages = warning")) {
            p_db_error(db, err);
            p_db_close(db);
            return NULL;
        }
        return db;
    }
    db->dialect = P_SQLITE;
    int flags = readonly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(target, &db->lite, flags, NULL) != SQLITE_OK) {
        p_set_error(err, PARLEY_ERR_IO, "%s: %s", target, db->lite ? sqlite3_errmsg(db->lite) : "cannot open");
        p_db_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db->lite, readonly ? 2000 : 5000);
    return db;
}

void p_db_close(p_db *db) {
    if (!db) return;
    if (db->lite) sqlite3_close(db->lite);
    if (db->pg) PQfinish(db->pg);
    free(db);
}

int p_db_exec(p_db *db, const char *sql) {
    if (db->dialect == P_SQLITE) {
        char *msg = NULL;
        int rc = sqlite3_exec(db->lite, sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            lite_fail(db, rc, msg);
            sqlite3_free(msg);
            return -1;
        }
        return 0;
    }
    PGresult *r = PQexec(db->pg, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        pg_fail(db, r);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

int p_db_in_tx(const p_db *db) {
    if (db->dialect == P_SQLITE) return !sqlite3_get_autocommit(db->lite);
    PGTransactionStatusType t = PQtransactionStatus(db->pg);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* `?` and `?N` -> `$N`, outside quoted text and comments. */
static char *pg_placeholders(const char *sql, int *nparams) {
    p_buf b = {0};
    int next = 0, max = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') {
            const char *q = strchr(p + 1, *p);
            if (!q) q = p + strlen(p) - 1;
            p_buf_put(&b, p, (size_t)(q - p + 1));
            p = q;
            continue;
        }
        if (p[0] == '-' && p[1] == '-') {
            const char *q = strchr(p, '\n');
            if (!q) q = p + strlen(p) - 1;
            p_buf_put(&b, p, (size_t)(q - p + 1));
            p = q;
            continue;
        }
        if (*p != '?') { p_buf_putc(&b, *p); continue; }
        int n;
        if (p_isdigit(p[1])) {
            n = 0;
            while (p_isdigit(p[1]) && n < 10000) n = n * 10 + (*++p - '0');
            if (n > next) next = n;
        } else n = ++next;
        if (n > max) max = n;
        p_buf_printf(&b, "$%d", n);
    }
    if (!b.s) p_buf_puts(&b, "");
    *nparams = max;
    return b.s;
}

p_stmt *p_db_prepare(p_db *db, const char *sql, int keep) {
    p_stmt *st = calloc(1, sizeof *st);
    if (!st) { set_fail(db, P_FAIL_OTHER, db->dialect == P_PG ? "postgresql" : "sqlite", "out of memory"); return NULL; }
    st->db = db;
    if (db->dialect == P_SQLITE) {
        int rc = sqlite3_prepare_v2(db->lite, sql, -1, &st->lite, NULL);
        if (rc != SQLITE_OK) {
            lite_fail(db, rc, NULL);
            free(st);
            return NULL;
        }
        return st;
    }
    st->sql = pg_placeholders(sql, &st->nparams);
    st->params = p_xcalloc(st->nparams ? (size_t)st->nparams : 1, sizeof *st->params);
    st->keep = keep;
    if (keep) snprintf(st->name, sizeof st->name, "parley_%u", ++db->next_stmt);
    return st;
}

void p_stmt_free(p_stmt *st) {
    if (!st) return;
    if (st->lite) sqlite3_finalize(st->lite);
    PQclear(st->res);
    free(st->sql);
    free(st->params);
    free(st);
}

static pg_param *param(p_stmt *st, int i) { return i >= 1 && i <= st->nparams ? &st->params[i - 1] : NULL; }

void p_bind_null(p_stmt *st, int i) {
    if (st->lite) { sqlite3_bind_null(st->lite, i); return; }
    pg_param *p = param(st, i);
    if (p) { p->val = NULL; p->oid = 0; p->bound = 1; }
}

static void pg_bind_num(p_stmt *st, int i, unsigned oid, const char *num) {
    pg_param *p = param(st, i);
    if (!p) return;
    snprintf(p->num, sizeof p->num, "%s", num);
    p->val = p->num;
    p->oid = oid;
    p->bound = 1;
}

void p_bind_int(p_stmt *st, int i, long long v) {
    if (st->lite) { sqlite3_bind_int64(st->lite, i, v); return; }
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    pg_bind_num(st, i, OID_INT8, num);
}

void p_bind_double(p_stmt *st, int i, double v) {
    if (st->lite) { sqlite3_bind_double(st->lite, i, v); return; }
    char num[32];
    snprintf(num, sizeof num, "%.17g", v); /* exact round trip */
    pg_bind_num(st, i, OID_FLOAT8, num);
}

void p_bind_text(p_stmt *st, int i, const char *v) {
    if (st->lite) {
        if (v) sqlite3_bind_text(st->lite, i, v, -1, SQLITE_STATIC);
        else sqlite3_bind_null(st->lite, i);
        return;
    }
    pg_param *p = param(st, i);
    if (!p) return;
    p->val = v;
    p->oid = v ? OID_TEXT : 0;
    p->bound = 1;
}

/* Runs the statement on the server: the types of the first execution's
 * values (NULLs: inferred from the SQL) fix those of a kept statement.  A
 * parameter never bound (a filter left out of the SQL) is a NULL text: the
 * server refuses parameters whose type it cannot tell. */
static int pg_execute(p_stmt *st) {
    p_db *db = st->db;
    int n = st->nparams;
    const char **vals = p_xcalloc(n ? (size_t)n : 1, sizeof *vals);
    Oid *types = p_xcalloc(n ? (size_t)n : 1, sizeof *types);
    for (int i = 0; i < n; i++) {
        vals[i] = st->params[i].val;
        types[i] = st->params[i].bound ? st->params[i].oid : OID_TEXT;
    }
    PGresult *r;
    if (st->keep) {
        if (!st->prepared) {
            r = PQprepare(db->pg, st->name, st->sql, n, types);
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                pg_fail(db, r);
                PQclear(r);
                free(vals);
                free(types);
                return -1;
            }
            PQclear(r);
            st->prepared = 1;
        }
        r = PQexecPrepared(db->pg, st->name, n, vals, NULL, NULL, 0);
    } else {
        r = PQexecParams(db->pg, st->sql, n, types, vals, NULL, NULL, 0);
    }
    free(vals);
    free(types);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        pg_fail(db, r);
        PQclear(r);
        return -1;
    }
    st->res = r;
    st->nrows = s == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    st->row = -1;
    return 0;
}

int p_step(p_stmt *st) {
    if (st->lite) {
        int rc = sqlite3_step(st->lite);
        if (rc == SQLITE_ROW) return P_ROW;
        if (rc == SQLITE_DONE) return P_DONE;
        lite_fail(st->db, rc, NULL);
        return P_ERR;
    }
    if (!st->res && pg_execute(st)) return P_ERR;
    if (st->row + 1 < st->nrows) { st->row++; return P_ROW; }
    st->row = st->nrows;
    return P_DONE;
}

void p_reset(p_stmt *st) {
    if (st->lite) { sqlite3_reset(st->lite); return; }
    PQclear(st->res);
    st->res = NULL;
    st->row = st->nrows = 0;
}

static int pg_has(p_stmt *st, int i) {
    return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < PQnfields(st->res);
}

int p_col_null(p_stmt *st, int i) {
    if (st->lite) return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
    return !pg_has(st, i) || PQgetisnull(st->res, st->row, i);
}

p_col_kind p_col_type(p_stmt *st, int i) {
    if (st->lite) {
        switch (sqlite3_column_type(st->lite, i)) {
        case SQLITE_NULL: return P_COL_NULL;
        case SQLITE_INTEGER: return P_COL_INT;
        case SQLITE_FLOAT: return P_COL_FLOAT;
        default: return P_COL_TEXT;
        }
    }
    if (p_col_null(st, i)) return P_COL_NULL;
    switch (PQftype(st->res, i)) {
    case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID: case OID_BOOL: return P_COL_INT;
    case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC: return P_COL_FLOAT;
    default: return P_COL_TEXT;
    }
}

long long p_col_int(p_stmt *st, int i) {
    if (st->lite) return sqlite3_column_int64(st->lite, i);
    if (p_col_null(st, i)) return 0;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (*v == 't') return 1; /* boolean */
    return strtoll(v, NULL, 10);
}

double p_col_double(p_stmt *st, int i) {
    if (st->lite) return sqlite3_column_double(st->lite, i);
    return p_col_null(st, i) ? 0 : strtod(PQgetvalue(st->res, st->row, i), NULL);
}

const char *p_col_text(p_stmt *st, int i) {
    if (st->lite) return (const char *)sqlite3_column_text(st->lite, i);
    return p_col_null(st, i) ? NULL : PQgetvalue(st->res, st->row, i);
}
