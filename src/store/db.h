/* A small database layer under the event store: one interface over SQLite
 * and PostgreSQL (libpq), so the store's logic is written once and the SQL
 * differs only where the dialects must (schema types, full-text search).
 *
 * SQL uses SQLite's placeholders, `?` and `?N`; for PostgreSQL they are
 * rewritten to `$N`.  Parameters are 1-based, columns 0-based, as in SQLite.
 * Bound text is not copied: it must stay valid until the statement has been
 * stepped (SQLite's SQLITE_STATIC rule).
 *
 * Every failure leaves a message on the handle ("sqlite: ..." or
 * "postgresql: ...") and a class saying what kind of failure it was, so the
 * store can say "disk full" or retry a deadlock without knowing the engine. */
#ifndef PARLEY_DB_H
#define PARLEY_DB_H

#include "parley.h"

typedef struct p_db p_db;
typedef struct p_stmt p_stmt;

typedef enum p_dialect { P_SQLITE = 1, P_PG } p_dialect;

enum { P_ROW = 1, P_DONE = 0, P_ERR = -1 };

typedef enum p_db_failure {
    P_FAIL_NONE = 0,
    P_FAIL_OTHER,
    P_FAIL_FULL,      /* disk or quota full                               */
    P_FAIL_READONLY,  /* the store (file, server or transaction) is read-only */
    P_FAIL_RETRY,     /* deadlock or serialization failure: run it again  */
    P_FAIL_CONN       /* the connection is gone                           */
} p_db_failure;

typedef enum p_col_kind { P_COL_NULL = 0, P_COL_INT, P_COL_FLOAT, P_COL_TEXT } p_col_kind;

/* 1 when `target` names a PostgreSQL database (postgresql:// or postgres://). */
int p_db_is_pg_url(const char *target);

/* Opens a SQLite file or connects to a PostgreSQL URL.  readonly: no writes
 * (SQLite opens the file read-only; PostgreSQL sessions default to read-only
 * transactions).  NULL with err set on failure. */
p_db *p_db_open(const char *target, int readonly, parley_error *err);
void p_db_close(p_db *db);
p_dialect p_db_dialect(const p_db *db);

/* Runs one or more statements without parameters.  0 or -1. */
int p_db_exec(p_db *db, const char *sql);
/* 1 while a transaction is open on the connection. */
int p_db_in_tx(const p_db *db);

const char *p_db_errmsg(const p_db *db);
p_db_failure p_db_failed(const p_db *db);
/* Copies the last failure into err (PARLEY_ERR_IO); returns PARLEY_ERR_IO. */
parley_status p_db_error(const p_db *db, parley_error *err);

/* A statement.  keep: prepared once on the server and reused (for the
 * ingest's hot statements); otherwise parsed at each execution. */
p_stmt *p_db_prepare(p_db *db, const char *sql, int keep);
void p_stmt_free(p_stmt *st);

void p_bind_null(p_stmt *st, int i);
void p_bind_int(p_stmt *st, int i, long long v);
void p_bind_double(p_stmt *st, int i, double v);
void p_bind_text(p_stmt *st, int i, const char *v); /* NULL binds NULL */

/* P_ROW, P_DONE or P_ERR.  After P_DONE or P_ERR, and before reusing the
 * statement, call p_reset (bindings are kept). */
int p_step(p_stmt *st);
void p_reset(p_stmt *st);

p_col_kind p_col_type(p_stmt *st, int i);
int p_col_null(p_stmt *st, int i);
long long p_col_int(p_stmt *st, int i);
double p_col_double(p_stmt *st, int i);
const char *p_col_text(p_stmt *st, int i); /* NULL for NULL */

#endif
