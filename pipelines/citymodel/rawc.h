/* Shared by the compiled recogniser's files (_rawc.c, rawc_items.c, rawc_numbers.c): the
 * grammar, the cursor over a member's bytes and its primitives (literals, whitespace,
 * attribute values, texts), and the lists an object is read into. */
#ifndef RAWC_H
#define RAWC_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef struct { const char *s; Py_ssize_t n; } str_t;

#define MAXNAMES 16
typedef struct {
    str_t core, bldg, gml, xlink, gen, xal;
    str_t kinds[MAXNAMES], simple[MAXNAMES], generic[MAXNAMES];
    int nkinds, nsimple, ngeneric;
    PyObject *keep;
} grammar_t;

typedef struct { const char *p, *end, *base; const grammar_t *g; } cur_t;

/* -- literals ------------------------------------------------------------------------------ */
static inline __attribute__((always_inline)) int L(cur_t *c, const char *s) {
    size_t n = strlen(s);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0) return 0;
    c->p += n;
    return 1;
}

static inline __attribute__((always_inline)) int P(cur_t *c, str_t s) {
    if (c->end - c->p < s.n || memcmp(c->p, s.s, (size_t)s.n) != 0) return 0;
    c->p += s.n;
    return 1;
}

static inline __attribute__((always_inline)) int LP(cur_t *c, const char *a, str_t pfx, const char *b) { return L(c, a) && P(c, pfx) && L(c, b); }

/* whitespace between tags; "\r" too (CRLF files: the parser's line-end handling makes it
 * "\n", which the reader ignores there) */
static inline void ws(cur_t *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static inline int is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* [^"<>&\t\n\r]* then '"' */
static inline int av(cur_t *c, const char **a, const char **b) {
    const char *q = c->p;
    while (q < c->end && *q != '"') {
        char ch = *q;
        if (ch == '<' || ch == '>' || ch == '&' || ch == '\t' || ch == '\n' || ch == '\r') return 0;
        q++;
    }
    if (q >= c->end) return 0;
    *a = c->p; *b = q;
    c->p = q + 1;
    return 1;
}

/* the numbers of a posList up to a '<' ("\r" is whitespace to them) */
static inline int numbers(cur_t *c, const char **a, const char **b) {
    const char *q = memchr(c->p, '<', (size_t)(c->end - c->p));
    if (q == NULL) return 0;
    *a = c->p; *b = q;
    c->p = q;
    return 1;
}

/* the text up to a '<' (clean_text refused '&' in the whole member); a "\r" only in the
 * leading or trailing whitespace, which the reader strips (the parser would make "\r\n"
 * "\n" inside) */
static inline int txt(cur_t *c, const char **a, const char **b) {
    const char *q = memchr(c->p, '<', (size_t)(c->end - c->p));
    if (q == NULL) return 0;
    const char *x = c->p, *y = q;
    while (x < y && is_ws(*x)) x++;
    while (y > x && is_ws(y[-1])) y--;
    if (x < y && memchr(x, '\r', (size_t)(y - x)) != NULL) return 0;
    *a = c->p; *b = q;
    c->p = q;
    return 1;
}

/* a name in a table, read as [A-Za-z]+ */
static inline int word(cur_t *c, const str_t *table, int n, const char **a, const char **b) {
    const char *q = c->p;
    while (q < c->end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))) q++;
    for (int i = 0; i < n; i++)
        if (table[i].n == q - c->p && memcmp(table[i].s, c->p, (size_t)(q - c->p)) == 0) {
            *a = c->p; *b = q;
            c->p = q;
            return 1;
        }
    return 0;
}

static inline int name_start(char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_'; }
static inline int name_char(char ch) { return name_start(ch) || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'; }

/* (?:[ \t\n]+name="AV")* then [ \t\n]* and, unless self_close, '>': attribute names without
 * prefix, not xmlns, no duplicates. *code receives codeSpace's value. 1 ok, 0 no.
 * With self_close, "/>" is taken too and *closed set. */
static inline int attrs(cur_t *c, const char **code_a, const char **code_b, int allow_close, int *closed) {
    const char *names[8]; Py_ssize_t lens[8]; int n = 0;
    for (;;) {
        const char *save = c->p;
        ws(c);
        if (c->p == save || c->p >= c->end || !name_start(*c->p)) { c->p = save; break; }
        const char *na = c->p;
        while (c->p < c->end && name_char(*c->p)) c->p++;
        Py_ssize_t nl = c->p - na;
        if (c->p < c->end && *c->p == ':') return 0;  /* a prefixed attribute: not taken */
        if (nl >= 5 && memcmp(na, "xmlns", 5) == 0) return 0;
        if (!L(c, "=\"")) { c->p = save; break; }
        const char *va, *vb;
        if (!av(c, &va, &vb)) return 0;
        if (n == 8) return 0;
        for (int i = 0; i < n; i++)
            if (lens[i] == nl && memcmp(names[i], na, (size_t)nl) == 0) return 0;
        names[n] = na; lens[n] = nl; n++;
        if (code_a && nl == 9 && memcmp(na, "codeSpace", 9) == 0) { *code_a = va; *code_b = vb; }
    }
    ws(c);
    if (allow_close && L(c, "/>")) { *closed = 1; return 1; }
    if (closed) *closed = 0;
    return L(c, ">");
}

static inline int starts(cur_t *c, const char *a, str_t pfx, const char *b) {
    const char *save = c->p;
    int r = LP(c, a, pfx, b);
    c->p = save;
    return r;
}

/* -- output helpers ------------------------------------------------------------------------ */
static inline PyObject *S(const char *a, const char *b) { return PyUnicode_DecodeUTF8(a, b - a, NULL); }

static inline int append_new(PyObject *list, PyObject *item) {
    if (item == NULL) return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

static inline Py_ssize_t newlines(const char *a, const char *b) {
    Py_ssize_t n = 0;
    const char *q = a;
    while ((q = memchr(q, '\n', (size_t)(b - q))) != NULL) { n++; q++; }
    return n;
}

/* an object's lists, filled while its items are read */
typedef struct { PyObject *attrs, *solids, *kinds, *lods, *pids, *texts, *addresses, *parts; } obj_t;

static inline void obj_clear(obj_t *o) {
    Py_CLEAR(o->attrs); Py_CLEAR(o->solids); Py_CLEAR(o->kinds); Py_CLEAR(o->lods);
    Py_CLEAR(o->pids); Py_CLEAR(o->texts); Py_CLEAR(o->addresses); Py_CLEAR(o->parts);
}

static inline int obj_init(obj_t *o) {
    o->attrs = PyList_New(0); o->solids = PyList_New(0); o->kinds = PyList_New(0);
    o->lods = PyList_New(0); o->pids = PyList_New(0); o->texts = PyList_New(0);
    o->addresses = PyList_New(0); o->parts = PyList_New(0);
    if (!o->attrs || !o->solids || !o->kinds || !o->lods || !o->pids || !o->texts
            || !o->addresses || !o->parts) { obj_clear(o); return -1; }
    return 0;
}

/* results: 1 taken, 0 not the common shape, -1 Python error */
#define NEED(x) do { if (!(x)) return 0; } while (0)

/* rawc_items.c */
int rawc_body(cur_t *c, const char *end, obj_t *o, int in_part);
PyObject *rawc_obj_tuple(obj_t *o, PyObject *id, Py_ssize_t nl);
/* rawc_numbers.c */
PyObject *rawc_parse_texts(PyObject *self, PyObject *arg);

#endif
