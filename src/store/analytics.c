/* Dyad series and change detection (docs/analytics.md).
 *
 * Per period t of a dyad, with events i and Goldstein scores g_i:
 *   tension_t = -(sum_i g_i) / (N_t + 2)
 * positive when relations are hostile; the +2 shrinks thin periods towards
 * 0 so that one stray event does not read as a crisis.
 * Change detection is a rolling z-score against the previous 4 periods:
 *   z_t = (tension_t - mean) / max(sd, 1)
 * z_t >= 2 with tension_t > 0 flags an escalation; z_t <= -2 after a hostile
 * baseline (mean > 0) flags a de-escalation.  A flagged period needs at least
 * 3 events (or, for a de-escalation, the period before it). */
#include <math.h>
#include <stdio.h>

#include "store.h"

#define BASELINE 4
#define ZFLAG 2.0
#define MIN_FLAG_EVENTS 3

typedef struct period { int32_t key; int events, quad[5]; double gsum; } period;
typedef P_VEC(period) periodvec;

static int32_t period_key(int32_t ymd, const char *by) {
    if (!strcmp(by, "day")) return ymd;
    if (!strcmp(by, "month")) return ymd / 100 * 100 + 1;
    int32_t dn = store_day_number(ymd);
    int32_t monday = dn - ((dn + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
    return store_from_day_number(monday);
}

static int32_t next_period(int32_t key, const char *by) {
    if (!strcmp(by, "day")) return store_from_day_number(store_day_number(key) + 1);
    if (!strcmp(by, "month")) {
        int y = key / 10000, m = key / 100 % 100 + 1;
        if (m > 12) { m = 1; y++; }
        return y * 10000 + m * 100 + 1;
    }
    return store_from_day_number(store_day_number(key) + 7);
}

static void add_event(periodvec *pv, const char *by, int32_t date, int quad, double g) {
    int32_t k = period_key(date, by);
    if (!pv->n || pv->v[pv->n - 1].key != k) {
        /* fill the gap with empty periods so the series is continuous */
        while (pv->n && pv->v[pv->n - 1].key < k) {
            int32_t nk = next_period(pv->v[pv->n - 1].key, by);
            if (nk >= k) break;
            period e;
            memset(&e, 0, sizeof e);
            e.key = nk;
            P_PUSH(*pv, e);
        }
        period p;
        memset(&p, 0, sizeof p);
        p.key = k;
        P_PUSH(*pv, p);
    }
    period *p = &pv->v[pv->n - 1];
    p->events++;
    if (quad >= 1 && quad <= 4) p->quad[quad]++;
    p->gsum += g;
}

static void score(const periodvec *pv, size_t i, double *tension, double *z, int *flag) {
    const period *p = &pv->v[i];
    *tension = -p->gsum / (p->events + 2.0);
    *z = 0;
    *flag = 0;
    if (i < 2) return;
    size_t a = i >= BASELINE ? i - BASELINE : 0;
    double m = 0, ss = 0;
    size_t n = i - a;
    for (size_t k = a; k < i; k++) m += -pv->v[k].gsum / (pv->v[k].events + 2.0);
    m /= (double)n;
    for (size_t k = a; k < i; k++) { double t = -pv->v[k].gsum / (pv->v[k].events + 2.0) - m; ss += t * t; }
    double sd = sqrt(ss / (double)n);
    if (sd < 1.0) sd = 1.0;
    *z = (*tension - m) / sd;
    /* a flag needs a few events behind it: one report is not a trend */
    if (*z >= ZFLAG && *tension > 0 && p->events >= MIN_FLAG_EVENTS) *flag = 1;
    else if (*z <= -ZFLAG && m > 0 && (p->events >= MIN_FLAG_EVENTS || pv->v[i - 1].events >= MIN_FLAG_EVENTS)) *flag = -1;
}

static void fmt_period(int32_t key, char out[16]) {
    unsigned y = (unsigned)(key / 10000) % 10000u, m = (unsigned)(key / 100 % 100) % 100u, d = (unsigned)(key % 100) % 100u;
    snprintf(out, 16, "%04u-%02u-%02u", y, m, d);
}

static int valid_by(const char *by) { return by && (!strcmp(by, "day") || !strcmp(by, "week") || !strcmp(by, "month")); }

parley_status parley_store_trend(parley_store *s, const char *a, const char *b, const char *by, int directed, int32_t since,
                                 parley_trend_fn fn, void *ud, parley_error *err) {
    if (!valid_by(by)) { p_set_error(err, PARLEY_ERR_ARG, "--by must be day, week or month"); return PARLEY_ERR_ARG; }
    /* country codes (3 letters) use the dyad index; longer prefixes
     * ("ISRGOV") narrow it further */
    const char *sql = "SELECT date, quad_class, coalesce(goldstein,0) FROM events WHERE date >= ?3 AND "
                      "((src_country = substr(?1,1,3) AND tgt_country = substr(?2,1,3) AND source LIKE ?1 || '%' AND target LIKE ?2 || '%')"
                      " OR (?4 = 0 AND src_country = substr(?2,1,3) AND tgt_country = substr(?1,1,3) AND source LIKE ?2 || '%' AND target LIKE ?1 || '%')) "
                      "ORDER BY date";
    p_stmt *st = p_db_prepare(s->db, sql, 0);
    if (!st) return p_db_error(s->db, err);
    p_bind_text(st, 1, a);
    p_bind_text(st, 2, b);
    p_bind_int(st, 3, since);
    p_bind_int(st, 4, directed);
    periodvec pv = {0};
    int rc;
    while ((rc = p_step(st)) == P_ROW) add_event(&pv, by, (int32_t)p_col_int(st, 0), (int)p_col_int(st, 1), p_col_double(st, 2));
    p_stmt_free(st);
    if (rc == P_ERR) { P_FREE_VEC(pv); return p_db_error(s->db, err); }
    for (size_t i = 0; i < pv.n; i++) {
        parley_trend_row r;
        memset(&r, 0, sizeof r);
        char per[16];
        fmt_period(pv.v[i].key, per);
        r.period = per;
        r.events = pv.v[i].events;
        memcpy(r.quad, pv.v[i].quad, sizeof r.quad);
        r.goldstein_sum = pv.v[i].gsum;
        r.goldstein_mean = r.events ? r.goldstein_sum / r.events : 0;
        score(&pv, i, &r.tension, &r.z, &r.flag);
        if (fn && fn(ud, &r)) break;
    }
    P_FREE_VEC(pv);
    return PARLEY_OK;
}

parley_status parley_store_alerts(parley_store *s, const char *by, int32_t since, int min_events, parley_alert_fn fn, void *ud,
                                  parley_error *err) {
    if (!valid_by(by)) { p_set_error(err, PARLEY_ERR_ARG, "--by must be day, week or month"); return PARLEY_ERR_ARG; }
    /* undirected country pairs, smaller code first (CASE: SQLite's
     * two-argument min/max are PostgreSQL's LEAST/GREATEST) */
    const char *sql =
        "SELECT CASE WHEN src_country < tgt_country THEN src_country ELSE tgt_country END AS x,"
        " CASE WHEN src_country < tgt_country THEN tgt_country ELSE src_country END AS y,"
        " date, quad_class, coalesce(goldstein,0) FROM events"
        " WHERE src_country IS NOT NULL AND tgt_country IS NOT NULL AND src_country <> '---' AND tgt_country <> '---'"
        " AND src_country <> tgt_country AND date >= ?1 ORDER BY x, y, date";
    p_stmt *st = p_db_prepare(s->db, sql, 0);
    if (!st) return p_db_error(s->db, err);
    p_bind_int(st, 1, since);
    periodvec pv = {0};
    char cur_a[8] = "", cur_b[8] = "";
    int total = 0, stop = 0, rc;
    for (;;) {
        rc = p_step(st);
        const char *x = rc == P_ROW ? p_col_text(st, 0) : NULL;
        const char *y = rc == P_ROW ? p_col_text(st, 1) : NULL;
        if (rc != P_ROW || strcmp(x, cur_a) || strcmp(y, cur_b)) {
            if (pv.n && total >= min_events && !stop)
                for (size_t i = 0; i < pv.n && !stop; i++) {
                    double t, z;
                    int flag;
                    score(&pv, i, &t, &z, &flag);
                    if (!flag) continue;
                    char per[16];
                    fmt_period(pv.v[i].key, per);
                    parley_alert al = {cur_a, cur_b, per, flag, pv.v[i].events, t, z};
                    if (fn && fn(ud, &al)) stop = 1;
                }
            pv.n = 0;
            total = 0;
            if (rc != P_ROW) break;
            snprintf(cur_a, sizeof cur_a, "%s", x);
            snprintf(cur_b, sizeof cur_b, "%s", y);
        }
        add_event(&pv, by, (int32_t)p_col_int(st, 2), (int)p_col_int(st, 3), p_col_double(st, 4));
        total++;
    }
    p_stmt_free(st);
    P_FREE_VEC(pv);
    return rc == P_ERR ? p_db_error(s->db, err) : PARLEY_OK;
}
