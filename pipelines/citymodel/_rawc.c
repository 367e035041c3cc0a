/* Compiled half of the raw-bytes CityGML reader (pipelines/citymodel/rawread.py).
 *
 * read(grammar, member) recognises one cityObjectMember of the common shape in its UTF-8
 * bytes: a subset of what the reader's regular expressions (rawgrammar.py) take, with the same
 * captures. It accepts a member only if the member is also well-formed XML by construction
 * (balanced tags with the root's prefixes, attributes without prefix, no duplicate, valid
 * UTF-8 and XML characters, no "]]>"), so the caller need not give its text to the XML
 * parser. Anything else gives None and the Python reader takes the member as before.
 *
 * parse_texts(texts) parses posList texts into float64 values exactly as numpy's
 * fromstring(sep=" ") does for plain decimal numbers (Clinger's fast path where it is exact,
 * else PyOS_string_to_double); None when a token is anything else.
 */
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

static int is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* [^"<>&\t\n\r]* then '"' */
static int av(cur_t *c, const char **a, const char **b) {
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
static int numbers(cur_t *c, const char **a, const char **b) {
    const char *q = memchr(c->p, '<', (size_t)(c->end - c->p));
    if (q == NULL) return 0;
    *a = c->p; *b = q;
    c->p = q;
    return 1;
}

/* the text up to a '<' (clean_text refused '&' in the whole member); a "\r" only in the
 * leading or trailing whitespace, which the reader strips (the parser would make "\r\n"
 * "\n" inside) */
static int txt(cur_t *c, const char **a, const char **b) {
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
static int word(cur_t *c, const str_t *table, int n, const char **a, const char **b) {
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

static int name_start(char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_'; }
static int name_char(char ch) { return name_start(ch) || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'; }

/* (?:[ \t\n]+name="AV")* then [ \t\n]* and, unless self_close, '>': attribute names without
 * prefix, not xmlns, no duplicates. *code receives codeSpace's value. 1 ok, 0 no.
 * With self_close, "/>" is taken too and *closed set. */
static int attrs(cur_t *c, const char **code_a, const char **code_b, int allow_close, int *closed) {
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

static int starts(cur_t *c, const char *a, str_t pfx, const char *b) {
    const char *save = c->p;
    int r = LP(c, a, pfx, b);
    c->p = save;
    return r;
}

/* -- output helpers ------------------------------------------------------------------------ */
static PyObject *S(const char *a, const char *b) { return PyUnicode_DecodeUTF8(a, b - a, NULL); }

static int append_new(PyObject *list, PyObject *item) {
    if (item == NULL) return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

static Py_ssize_t newlines(const char *a, const char *b) {
    Py_ssize_t n = 0;
    const char *q = a;
    while ((q = memchr(q, '\n', (size_t)(b - q))) != NULL) { n++; q++; }
    return n;
}

/* an object's lists, filled while its items are read */
typedef struct { PyObject *attrs, *solids, *kinds, *lods, *pids, *texts, *addresses, *parts; } obj_t;

static void obj_clear(obj_t *o) {
    Py_CLEAR(o->attrs); Py_CLEAR(o->solids); Py_CLEAR(o->kinds); Py_CLEAR(o->lods);
    Py_CLEAR(o->pids); Py_CLEAR(o->texts); Py_CLEAR(o->addresses); Py_CLEAR(o->parts);
}

static int obj_init(obj_t *o) {
    o->attrs = PyList_New(0); o->solids = PyList_New(0); o->kinds = PyList_New(0);
    o->lods = PyList_New(0); o->pids = PyList_New(0); o->texts = PyList_New(0);
    o->addresses = PyList_New(0); o->parts = PyList_New(0);
    if (!o->attrs || !o->solids || !o->kinds || !o->lods || !o->pids || !o->texts
            || !o->addresses || !o->parts) { obj_clear(o); return -1; }
    return 0;
}

/* results: 1 taken, 0 not the common shape, -1 Python error */
#define TRY(x) do { int r_ = (x); if (r_ <= 0) return r_; } while (0)
#define NEED(x) do { if (!(x)) return 0; } while (0)

static int close_tag(cur_t *c, str_t pfx, const char *a, const char *b);

/* [ \t\n]+G:id="AV" (optional) [ \t\n]* ">" */
static int gid_close(cur_t *c) {
    const char *save = c->p, *a, *b;
    ws(c);
    if (!(c->p > save && P(c, c->g->gml) && L(c, "id=\"") && av(c, &a, &b))) c->p = save;
    ws(c);
    return L(c, ">");
}

/* [ \t\n]* "<" pfx name [ \t\n]* ">" */
static int opn(cur_t *c, str_t pfx, const char *name) {
    ws(c);
    NEED(LP(c, "<", pfx, name));
    ws(c);
    return L(c, ">");
}

/* [ \t\n]* "</" pfx name [ \t\n]* ">" */
static int cls(cur_t *c, str_t pfx, const char *name) {
    ws(c);
    NEED(LP(c, "</", pfx, name));
    ws(c);
    return L(c, ">");
}

/* [ \t\n]* <G:surfaceMember> <G:Polygon [G:id="AV"]> <G:exterior> <G:LinearRing [G:id]>
 * <G:posList>TXT</G:posList> ... </G:surfaceMember>, whitespace between tags (the expressions'
 * "member"): appended to pids and texts ("" for no id) */
static int polygon_member(cur_t *c, PyObject *pids, PyObject *texts) {
    const grammar_t *g = c->g;
    const char *pa = NULL, *pb = NULL, *ta, *tb;
    NEED(opn(c, g->gml, "surfaceMember"));
    ws(c);
    NEED(LP(c, "<", g->gml, "Polygon"));
    const char *save = c->p;
    ws(c);
    if (!(c->p > save && P(c, g->gml) && L(c, "id=\"") && av(c, &pa, &pb))) { c->p = save; pa = NULL; }
    ws(c);
    NEED(L(c, ">") && opn(c, g->gml, "exterior"));
    ws(c);
    NEED(LP(c, "<", g->gml, "LinearRing") && gid_close(c) && opn(c, g->gml, "posList")
         && numbers(c, &ta, &tb));
    NEED(LP(c, "</", g->gml, "posList"));
    ws(c);
    NEED(L(c, ">") && cls(c, g->gml, "LinearRing") && cls(c, g->gml, "exterior")
         && cls(c, g->gml, "Polygon") && cls(c, g->gml, "surfaceMember"));
    if (append_new(pids, pa ? S(pa, pb) : PyUnicode_FromStringAndSize("", 0)) < 0
            || append_new(texts, S(ta, tb)) < 0) return -1;
    return 1;
}

/* <B:boundedBy> <B:KIND [G:id]> <B:lodNMultiSurface> <G:MultiSurface [G:id]> polygon members
 * </...></B:boundedBy> (the expressions' "sm"): each polygon with the kind and LoD */
static int thematic(cur_t *c, obj_t *o) {
    const grammar_t *g = c->g;
    const char *ka, *kb;
    NEED(opn(c, g->bldg, "boundedBy"));
    ws(c);
    NEED(L(c, "<") && P(c, g->bldg) && word(c, g->kinds, g->nkinds, &ka, &kb) && gid_close(c));
    ws(c);
    NEED(LP(c, "<", g->bldg, "lod") && c->p < c->end && *c->p >= '0' && *c->p <= '4');
    char lod = *c->p++;
    NEED(L(c, "MultiSurface"));
    ws(c);
    NEED(L(c, ">"));
    ws(c);
    NEED(LP(c, "<", g->gml, "MultiSurface") && gid_close(c));
    Py_ssize_t before = PyList_GET_SIZE(o->texts);
    for (;;) {
        const char *save = c->p;
        ws(c);
        int more = starts(c, "<", g->gml, "surfaceMember");
        c->p = save;
        if (!more) break;
        int r = polygon_member(c, o->pids, o->texts);
        if (r <= 0) return r;
    }
    Py_ssize_t n = PyList_GET_SIZE(o->texts) - before;
    NEED(n > 0 && cls(c, g->gml, "MultiSurface"));
    ws(c);
    NEED(LP(c, "</", g->bldg, "lod") && c->p < c->end && *c->p == lod);
    c->p++;
    NEED(L(c, "MultiSurface"));
    ws(c);
    NEED(L(c, ">"));
    ws(c);
    NEED(close_tag(c, g->bldg, ka, kb) && cls(c, g->bldg, "boundedBy"));
    for (Py_ssize_t i = 0; i < n; i++)
        if (append_new(o->kinds, S(ka, kb)) < 0
                || append_new(o->lods, PyUnicode_FromStringAndSize(&lod, 1)) < 0) return -1;
    return 1;
}

/* <B:lodNSolid> <G:Solid [id]> <G:exterior> <G:CompositeSurface [id]> members </...> or
 * <B:lodNMultiSurface> <G:MultiSurface [id]> members </...> (the expressions' "pb"): members
 * all <G:surfaceMember X:href="#id"/> or all inline polygons; as (type, lod, hrefs, None) or
 * (type, lod, None, [(id, text), ...]) */
static int geometry(cur_t *c, obj_t *o) {
    const grammar_t *g = c->g;
    NEED(LP(c, "<", g->bldg, "lod") && c->p < c->end && *c->p >= '1' && *c->p <= '4');
    char lod = *c->p++;
    int solid = L(c, "Solid");
    NEED(solid || L(c, "MultiSurface"));
    ws(c);
    NEED(L(c, ">"));
    ws(c);
    if (solid) {
        NEED(LP(c, "<", g->gml, "Solid") && gid_close(c) && opn(c, g->gml, "exterior"));
        ws(c);
        NEED(LP(c, "<", g->gml, "CompositeSurface") && gid_close(c));
    } else {
        NEED(LP(c, "<", g->gml, "MultiSurface") && gid_close(c));
    }
    /* inline polygons when the first member has no attribute */
    const char *save = c->p;
    ws(c);
    int inline_ = 0;
    if (starts(c, "<", g->gml, "surfaceMember")) {
        const char *q = c->p + 1 + g->gml.n + 13;
        while (q < c->end && is_ws(*q)) q++;
        inline_ = q < c->end && *q == '>';
    }
    c->p = save;
    PyObject *hrefs = PyList_New(0), *pids = PyList_New(0), *texts = PyList_New(0);
    int r = (hrefs && pids && texts) ? 1 : -1;
    while (r > 0) {
        save = c->p;
        ws(c);
        if (!starts(c, "<", g->gml, "surfaceMember")) { c->p = save; break; }
        if (inline_) { c->p = save; r = polygon_member(c, pids, texts); continue; }
        c->p += 1 + g->gml.n + 13;
        if (c->p >= c->end || !is_ws(*c->p)) { r = 0; break; }
        ws(c);
        if (!(P(c, g->xlink) && L(c, "href=\"#"))) { r = 0; break; }
        const char *a = c->p;
        while (c->p < c->end && *c->p != '"') {
            char ch = *c->p;
            if (ch == '#' || ch == '<' || ch == '>' || ch == '&' || ch == '\t' || ch == '\n'
                    || ch == '\r') { r = 0; break; }
            c->p++;
        }
        if (r == 0) break;
        const char *b = c->p;
        if (!L(c, "\"")) { r = 0; break; }
        ws(c);
        if (!L(c, "/>")) { r = 0; break; }
        if (append_new(hrefs, S(a, b)) < 0) r = -1;
    }
    if (r > 0) {
        r = solid ? cls(c, g->gml, "CompositeSurface") && cls(c, g->gml, "exterior")
                    && cls(c, g->gml, "Solid")
                  : cls(c, g->gml, "MultiSurface");
        if (r) { ws(c); r = LP(c, "</", g->bldg, "lod") && c->p < c->end && *c->p == lod; }
        if (r) { c->p++; r = L(c, solid ? "Solid" : "MultiSurface"); }
        if (r) { ws(c); r = L(c, ">"); }
    }
    PyObject *item = NULL;
    if (r > 0) {
        PyObject *polygons = NULL;
        if (inline_) {
            Py_ssize_t n = PyList_GET_SIZE(texts);
            polygons = PyList_New(n);
            for (Py_ssize_t i = 0; polygons && i < n; i++) {
                PyObject *pair = PyTuple_Pack(2, PyList_GET_ITEM(pids, i), PyList_GET_ITEM(texts, i));
                if (pair == NULL) { Py_CLEAR(polygons); break; }
                PyList_SET_ITEM(polygons, i, pair);
            }
            if (polygons == NULL) r = -1;
        }
        if (r > 0) {
            item = inline_ ? Py_BuildValue("(s N O N)", solid ? "Solid" : "MultiSurface",
                                           PyUnicode_FromStringAndSize(&lod, 1), Py_None, polygons)
                           : Py_BuildValue("(s N O O)", solid ? "Solid" : "MultiSurface",
                                           PyUnicode_FromStringAndSize(&lod, 1), hrefs, Py_None);
            if (item == NULL || append_new(o->solids, item) < 0) r = -1;
        }
    }
    Py_XDECREF(hrefs); Py_XDECREF(pids); Py_XDECREF(texts);
    return r;
}

/* "</" pfx name [ \t\n]* ">" */
static int close_tag(cur_t *c, str_t pfx, const char *a, const char *b) {
    NEED(L(c, "</") && P(c, pfx));
    NEED(c->end - c->p >= b - a && memcmp(c->p, a, (size_t)(b - a)) == 0);
    c->p += b - a;
    ws(c);
    return L(c, ">");
}

/* <B:NAME attrs>TXT</B:NAME> */
static int simple_attr(cur_t *c, obj_t *o) {
    const char *na, *nb, *ca = NULL, *cb = NULL, *ta, *tb;
    NEED(L(c, "<") && P(c, c->g->bldg) && word(c, c->g->simple, c->g->nsimple, &na, &nb));
    NEED(attrs(c, &ca, &cb, 0, NULL) && txt(c, &ta, &tb) && close_tag(c, c->g->bldg, na, nb));
    PyObject *code = ca ? S(ca, cb) : (Py_INCREF(Py_None), Py_None);
    if (code == NULL) return -1;
    return append_new(o->attrs, Py_BuildValue("(i N N N)", 0, S(na, nb), S(ta, tb), code)) < 0 ? -1 : 1;
}

/* <N:TYPE name="AV"><N:value>TXT</N:value></N:TYPE> */
static int generic_attr(cur_t *c, obj_t *o) {
    const grammar_t *g = c->g;
    const char *ga, *gb, *na, *nb, *va, *vb;
    NEED(L(c, "<") && P(c, g->gen) && word(c, g->generic, g->ngeneric, &ga, &gb));
    NEED(c->p < c->end && is_ws(*c->p));
    ws(c);
    NEED(L(c, "name=\"") && av(c, &na, &nb));
    ws(c);
    NEED(L(c, ">"));
    ws(c);
    NEED(LP(c, "<", g->gen, "value") && attrs(c, NULL, NULL, 0, NULL) && txt(c, &va, &vb));
    NEED(LP(c, "</", g->gen, "value"));
    ws(c);
    NEED(L(c, ">"));
    ws(c);
    NEED(close_tag(c, g->gen, ga, gb));
    return append_new(o->attrs, Py_BuildValue("(i N N N)", 1, S(ga, gb), S(na, nb), S(va, vb))) < 0 ? -1 : 1;
}

/* <G:name attrs>TXT</G:name> */
static int gml_name(cur_t *c, obj_t *o) {
    const char *ta, *tb;
    static const char nm[] = "name";
    NEED(LP(c, "<", c->g->gml, "name") && attrs(c, NULL, NULL, 0, NULL) && txt(c, &ta, &tb));
    NEED(close_tag(c, c->g->gml, nm, nm + 4));
    return append_new(o->attrs, Py_BuildValue("(i N)", 2, S(ta, tb))) < 0 ? -1 : 1;
}

/* one of the six prefixes (none when absent, "\0") */
static int any_prefix(cur_t *c, const char **pa, Py_ssize_t *pn) {
    const grammar_t *g = c->g;
    const str_t *all[6] = {&g->xal, &g->core, &g->bldg, &g->gml, &g->xlink, &g->gen};
    for (int i = 0; i < 6; i++) {
        const str_t *s = all[i];
        if (s->n == 0 || (s->n == 1 && s->s[0] == '\0')) continue;
        if (c->end - c->p > s->n && memcmp(c->p, s->s, (size_t)s->n) == 0 && name_start(c->p[s->n])) {
            *pa = c->p; *pn = s->n;
            return 1;
        }
    }
    return 0;
}

static const char *XAL_FIELDS[] = {"CountryName", "LocalityName", "DependentLocalityName",
                                   "ThoroughfareName", "ThoroughfareNumber", "PostalCodeNumber"};

static int xal_field(const grammar_t *g, const char *na, Py_ssize_t nlen) {
    if (g->xal.n < 1 || g->xal.s[0] == '\0' || nlen <= g->xal.n
            || memcmp(na, g->xal.s, (size_t)g->xal.n) != 0) return 0;
    for (int i = 0; i < 6; i++)
        if ((size_t)(nlen - g->xal.n) == strlen(XAL_FIELDS[i])
                && memcmp(na + g->xal.n, XAL_FIELDS[i], (size_t)(nlen - g->xal.n)) == 0) return 1;
    return 0;
}

/* the content of core:xalAddress: text and balanced elements with the root's prefixes, up to
 * "</C:xalAddress" (what the expressions' "until" takes, and well-formed). Appends the fields
 * (xAL elements named in XAL_FIELDS, holding text only) to fields as (name, text); 0 where the
 * expressions would not take them all (a field with elements in it or empty-element tag, or
 * "xmlns" anywhere). */
static int address_inner(cur_t *c, PyObject *fields) {
    const char *stack[32]; Py_ssize_t slen[32]; int depth = 0;
    const char *field = NULL, *field_text = NULL;  /* the open field element */
    Py_ssize_t field_len = 0;
    const char *start = c->p;
    for (;;) {
        const char *ta, *tb;
        NEED(txt(c, &ta, &tb));
        const char *save = c->p;
        int at_end = LP(c, "</", c->g->core, "xalAddress");
        c->p = save;
        if (at_end) break;
        c->p++;  /* '<' */
        int closing = L(c, "/");
        const char *na; Py_ssize_t pn;
        NEED(any_prefix(c, &na, &pn));
        c->p += pn;
        while (c->p < c->end && name_char(*c->p)) c->p++;
        Py_ssize_t nlen = c->p - na;
        if (closing) {
            const char *text_end = save;
            ws(c);
            NEED(L(c, ">") && depth > 0 && slen[depth - 1] == nlen
                 && memcmp(stack[depth - 1], na, (size_t)nlen) == 0);
            depth--;
            if (field != NULL && field == stack[depth]) {
                PyObject *pair = Py_BuildValue("(N N)", S(field + c->g->xal.n, field + field_len),
                                               S(field_text, text_end));
                if (append_new(fields, pair) < 0) return -1;
                field = NULL;
            }
        } else {
            int closed = 0;
            NEED(field == NULL);  /* an element in a field */
            NEED(attrs(c, NULL, NULL, 1, &closed));
            int is_field = xal_field(c->g, na, nlen);
            NEED(!(closed && is_field));
            if (!closed) {
                NEED(depth < 32);
                stack[depth] = na; slen[depth] = nlen; depth++;
                if (is_field) { field = na; field_len = nlen; field_text = c->p; }
            }
        }
    }
    NEED(depth == 0);
    for (const char *q = start; (q = memchr(q, 'x', (size_t)(c->p - q))) != NULL; q++)
        NEED(c->p - q < 5 || memcmp(q, "xmlns", 5) != 0);
    return 1;
}

/* <B:address><C:Address [G:id]><C:xalAddress>...</C:xalAddress></C:Address></B:address> */
static int address(cur_t *c, obj_t *o) {
    const grammar_t *g = c->g;
    NEED(opn(c, g->bldg, "address"));
    ws(c);
    NEED(LP(c, "<", g->core, "Address"));
    const char *save = c->p;
    ws(c);
    const char *a, *b;
    if (!(c->p > save && P(c, g->gml) && L(c, "id=\"") && av(c, &a, &b))) c->p = save;
    ws(c);
    NEED(L(c, ">"));
    ws(c);
    NEED(opn(c, g->core, "xalAddress"));
    PyObject *fields = PyList_New(0);
    if (fields == NULL) return -1;
    int r = address_inner(c, fields);
    if (r > 0) {
        r = LP(c, "</", g->core, "xalAddress");
        if (r) { ws(c); r = L(c, ">"); }
        if (r) { ws(c); r = LP(c, "</", g->core, "Address"); }
        if (r) { ws(c); r = L(c, ">"); }
        if (r) { ws(c); r = LP(c, "</", g->bldg, "address"); }
        if (r) { ws(c); r = L(c, ">"); }
    }
    if (r <= 0) { Py_DECREF(fields); return r; }
    return append_new(o->addresses, fields) < 0 ? -1 : 1;
}

/* creationDate, terminationDate, relativeToTerrain, relativeToWater, gml:description */
static int ignored(cur_t *c) {
    static const char *core_names[] = {"creationDate", "terminationDate", "relativeToTerrain",
                                       "relativeToWater"};
    const char *ta, *tb;
    for (int i = 0; i < 5; i++) {
        const char *save = c->p;
        const char *nm = i < 4 ? core_names[i] : "description";
        str_t pfx = i < 4 ? c->g->core : c->g->gml;
        if (LP(c, "<", pfx, nm)) {
            ws(c);
            NEED(L(c, ">") && txt(c, &ta, &tb) && close_tag(c, pfx, nm, nm + strlen(nm)));
            return 1;
        }
        c->p = save;
    }
    return 0;
}


static PyObject *obj_tuple(obj_t *o, PyObject *id, Py_ssize_t nl);
static int body(cur_t *c, const char *end, obj_t *o, int in_part);

/* <B:consistsOfBuildingPart><B:BuildingPart G:id="AV">...</B:BuildingPart></...> */
static int part(cur_t *c, obj_t *o, const char *item_start) {
    const grammar_t *g = c->g;
    const char *a, *b;
    NEED(opn(c, g->bldg, "consistsOfBuildingPart"));
    ws(c);
    NEED(LP(c, "<", g->bldg, "BuildingPart") && c->p < c->end && (*c->p == ' ' || *c->p == '\t'));
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
    NEED(P(c, g->gml) && L(c, "id=\"") && av(c, &a, &b));
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
    NEED(L(c, ">"));
    /* the part's content ends at the first "</B:BuildingPart" */
    const char *q = c->p, *stop = NULL;
    Py_ssize_t n = g->bldg.n;
    while ((q = memchr(q, '<', (size_t)(c->end - q))) != NULL) {
        if (c->end - q >= 2 + n + 12 && q[1] == '/' && memcmp(q + 2, g->bldg.s, (size_t)n) == 0
                && memcmp(q + 2 + n, "BuildingPart", 12) == 0) { stop = q; break; }
        q++;
    }
    NEED(stop != NULL);
    for (q = c->p; (q = memchr(q, 'B', (size_t)(stop - q))) != NULL; q++)
        NEED(stop - q < 12 || memcmp(q, "BuildingPart", 12) != 0);  /* nested parts: Python */
    obj_t sub;
    if (obj_init(&sub) < 0) return -1;
    int r = body(c, stop, &sub, 1);
    if (r <= 0) { obj_clear(&sub); return r; }
    c->p = stop;
    if (!(LP(c, "</", g->bldg, "BuildingPart"))) { obj_clear(&sub); return 0; }
    ws(c);
    if (!L(c, ">")) { obj_clear(&sub); return 0; }
    ws(c);
    if (!(LP(c, "</", g->bldg, "consistsOfBuildingPart"))) { obj_clear(&sub); return 0; }
    ws(c);
    if (!L(c, ">")) { obj_clear(&sub); return 0; }
    PyObject *id = S(a, b);
    if (id == NULL) { obj_clear(&sub); return -1; }
    PyObject *t = obj_tuple(&sub, id, newlines(c->base, item_start));
    return append_new(o->parts, t) < 0 ? -1 : 1;
}

/* the items of a Building or BuildingPart up to end */
static int body(cur_t *c, const char *end, obj_t *o, int in_part) {
    const grammar_t *g = c->g;
    const char *outer_end = c->end;
    c->end = end;
    int r = 0;
    for (;;) {
        const char *item_start = c->p;
        ws(c);
        if (c->p >= end) { r = 1; break; }
        if (starts(c, "<", g->bldg, "boundedBy")) r = thematic(c, o);
        else if (starts(c, "<", g->bldg, "lod")) r = geometry(c, o);
        else if (starts(c, "<", g->bldg, "address")
                 && c->p + 1 + g->bldg.n + 7 < end
                 && (is_ws(c->p[1 + g->bldg.n + 7]) || c->p[1 + g->bldg.n + 7] == '>')) {
            r = address(c, o);
        } else if (starts(c, "<", g->bldg, "consistsOfBuildingPart")) {
            r = in_part ? 0 : part(c, o, item_start);
        } else {
            const char *save = c->p;
            r = simple_attr(c, o);
            if (r == 0) { c->p = save; r = generic_attr(c, o); }
            if (r == 0) { c->p = save; r = gml_name(c, o); }
            if (r == 0) { c->p = save; r = ignored(c); }
        }
        if (r <= 0) break;
    }
    c->end = outer_end;
    return r;
}

static PyObject *obj_tuple(obj_t *o, PyObject *id, Py_ssize_t nl) {
    PyObject *t = Py_BuildValue("(N n N N N N N N N N)", id, nl, o->attrs, o->solids, o->kinds,
                                o->lods, o->pids, o->texts, o->addresses, o->parts);
    if (t == NULL) {
        o->attrs = o->solids = o->kinds = o->lods = o->pids = o->texts = o->addresses = o->parts = NULL;
    }
    return t;
}

/* XML characters in valid UTF-8: no control character but tab and newline, no U+FFFE/U+FFFF,
 * no surrogate, no "]]>" */
static unsigned char SPECIAL[256];  /* 1: a byte clean_text looks at (set at import) */

static void init_special(void) {
    for (int b = 0; b < 256; b++)
        SPECIAL[b] = (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == ']' || b == '&'
                     || b >= 0x80;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* eight bytes that are all plain (0x20..0x7f but "]" and "&") */
static inline int plain8(const unsigned char *p) {
    unsigned long long w;
    memcpy(&w, p, 8);
    unsigned long long x = w ^ (ONES * ']'), y = w ^ (ONES * '&');
    return !((w & HIGHS) | ((w - ONES * 0x20) & ~w & HIGHS) | ((x - ONES) & ~x & HIGHS)
             | ((y - ONES) & ~y & HIGHS));
}

static int clean_text(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        while (i + 8 <= n && plain8(s + i)) i += 8;
        Py_ssize_t stop = i + 8 < n ? i + 8 : n;
        while (i < stop) {
            unsigned char ch = s[i];
            if (!SPECIAL[ch]) { i++; continue; }
            if (ch == '&') return 0;  /* a reference: the expressions never take one */
            if (ch < 0x80) {
                if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') return 0;
                if (ch == ']' && i + 2 < n && s[i + 1] == ']' && s[i + 2] == '>') return 0;
                i++;
                continue;
            }
            unsigned int cp; int len;
            if (ch >= 0xC2 && ch <= 0xDF) { cp = ch & 0x1F; len = 2; }
            else if (ch >= 0xE0 && ch <= 0xEF) { cp = ch & 0x0F; len = 3; }
            else if (ch >= 0xF0 && ch <= 0xF4) { cp = ch & 0x07; len = 4; }
            else return 0;
            if (i + len > n) return 0;
            for (int k = 1; k < len; k++) {
                if ((s[i + k] & 0xC0) != 0x80) return 0;
                cp = (cp << 6) | (s[i + k] & 0x3F);
            }
            if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
                    || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
            i += len;
        }
    }
    return 1;
}

static void grammar_free(PyObject *capsule) {
    grammar_t *g = PyCapsule_GetPointer(capsule, "rawc.grammar");
    if (g) { Py_XDECREF(g->keep); PyMem_Free(g); }
}

static int fill(PyObject *seq, str_t *out, int *n) {
    Py_ssize_t k = PyTuple_GET_SIZE(seq);
    if (k > MAXNAMES) { PyErr_SetString(PyExc_ValueError, "too many names"); return -1; }
    for (Py_ssize_t i = 0; i < k; i++) {
        PyObject *b = PyTuple_GET_ITEM(seq, i);
        if (!PyBytes_Check(b)) { PyErr_SetString(PyExc_TypeError, "names must be bytes"); return -1; }
        out[i].s = PyBytes_AS_STRING(b); out[i].n = PyBytes_GET_SIZE(b);
    }
    *n = (int)k;
    return 0;
}

static PyObject *make_grammar(PyObject *self, PyObject *args) {
    PyObject *prefixes, *kinds, *simple, *generic;
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyTuple_Type, &prefixes, &PyTuple_Type, &kinds,
                          &PyTuple_Type, &simple, &PyTuple_Type, &generic)) return NULL;
    if (PyTuple_GET_SIZE(prefixes) != 6) { PyErr_SetString(PyExc_ValueError, "six prefixes"); return NULL; }
    grammar_t *g = PyMem_Calloc(1, sizeof(grammar_t));
    if (g == NULL) return PyErr_NoMemory();
    g->keep = Py_BuildValue("(OOOO)", prefixes, kinds, simple, generic);
    str_t *pf[6] = {&g->core, &g->bldg, &g->gml, &g->xlink, &g->gen, &g->xal};
    int bad = g->keep == NULL;
    for (int i = 0; i < 6 && !bad; i++) {
        PyObject *b = PyTuple_GET_ITEM(prefixes, i);
        if (!PyBytes_Check(b)) { PyErr_SetString(PyExc_TypeError, "prefixes must be bytes"); bad = 1; break; }
        pf[i]->s = PyBytes_AS_STRING(b); pf[i]->n = PyBytes_GET_SIZE(b);
    }
    if (!bad) bad = fill(kinds, g->kinds, &g->nkinds) < 0 || fill(simple, g->simple, &g->nsimple) < 0
                    || fill(generic, g->generic, &g->ngeneric) < 0;
    if (bad) { Py_XDECREF(g->keep); PyMem_Free(g); return NULL; }
    return PyCapsule_New(g, "rawc.grammar", grammar_free);
}

/* read(grammar, member: bytes) -> (id, newlines before id, attrs, solids, kinds, lods, pids,
 * texts, addresses, parts) or None */
static PyObject *read_member(PyObject *self, PyObject *args) {
    PyObject *capsule;
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "Oy*", &capsule, &buf)) return NULL;
    grammar_t *g = PyCapsule_GetPointer(capsule, "rawc.grammar");
    if (g == NULL) { PyBuffer_Release(&buf); return NULL; }
    const char *s = buf.buf, *e = s + buf.len;
    PyObject *result = NULL;
    cur_t c = {s, e, s, g};
    if (!clean_text((const unsigned char *)s, buf.len)) goto none;
    /* the end: </B:Building S> S </C:cityObjectMember S> */
    const char *q = e;
    if (q <= s || q[-1] != '>') goto none;
    q--;
    while (q > s && is_ws(q[-1])) q--;
    Py_ssize_t m = 16 + g->core.n + 2;
    if (q - s < m || memcmp(q - 16, "cityObjectMember", 16) != 0
            || memcmp(q - 16 - g->core.n, g->core.s, (size_t)g->core.n) != 0
            || memcmp(q - m, "</", 2) != 0) goto none;
    q -= m;
    while (q > s && is_ws(q[-1])) q--;
    if (q <= s || q[-1] != '>') goto none;
    q--;
    while (q > s && is_ws(q[-1])) q--;
    m = 8 + g->bldg.n + 2;
    if (q - s < m || memcmp(q - 8, "Building", 8) != 0
            || memcmp(q - 8 - g->bldg.n, g->bldg.s, (size_t)g->bldg.n) != 0
            || memcmp(q - m, "</", 2) != 0) goto none;
    const char *body_end = q - m;
    /* the start: <C:cityObjectMember> S <B:Building[ \t]+G:id="AV"[ \t]*> */
    const char *ia, *ib;
    if (!(LP(&c, "<", g->core, "cityObjectMember>"))) goto none;
    ws(&c);
    if (!(LP(&c, "<", g->bldg, "Building")) || c.p >= e || (*c.p != ' ' && *c.p != '\t')) goto none;
    while (c.p < e && (*c.p == ' ' || *c.p == '\t')) c.p++;
    if (!(P(&c, g->gml) && L(&c, "id=\"") && av(&c, &ia, &ib))) goto none;
    while (c.p < e && (*c.p == ' ' || *c.p == '\t')) c.p++;
    if (!L(&c, ">") || c.p > body_end) goto none;
    obj_t o;
    if (obj_init(&o) < 0) goto done;
    int r = body(&c, body_end, &o, 0);
    if (r < 0) { obj_clear(&o); goto done; }
    if (r == 0) { obj_clear(&o); goto none; }
    PyObject *id = S(ia, ib);
    if (id == NULL) { obj_clear(&o); goto done; }
    result = obj_tuple(&o, id, newlines(s, ia));
    goto done;
none:
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&buf);
    return result;
}

/* -- numbers ------------------------------------------------------------------------------- */
static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* one token [+-]?digits[.digits] ([eE][+-]?digits)?; 1 ok, 0 not such a token */
static int number(const char *a, const char *b, double *out) {
    const char *p = a;
    int neg = 0;
    if (p < b && (*p == '+' || *p == '-')) { neg = *p == '-'; p++; }
    unsigned long long mant = 0;
    int digits = 0, frac = 0, exact = 1, seen = 0;
    while (p < b && *p >= '0' && *p <= '9') {
        seen = 1;
        if (mant || *p != '0') digits++;
        if (digits > 19) exact = 0; else mant = mant * 10 + (unsigned)(*p - '0');
        p++;
    }
    if (p < b && *p == '.') {
        p++;
        while (p < b && *p >= '0' && *p <= '9') {
            seen = 1;
            if (mant || *p != '0') digits++;
            if (digits > 19) exact = 0; else mant = mant * 10 + (unsigned)(*p - '0');
            frac++;
            p++;
        }
    }
    if (!seen) return 0;
    if (p < b) {
        if (*p != 'e' && *p != 'E') return 0;
        const char *x = p + 1;
        if (x < b && (*x == '+' || *x == '-')) x++;
        if (x >= b) return 0;
        while (x < b) { if (*x < '0' || *x > '9') return 0; x++; }
        exact = 0;
    }
    if (exact && mant <= (1ULL << 53) && frac <= 22) {
        double v = (double)mant / POW10[frac];
        *out = neg ? -v : v;
        return 1;
    }
    char tmp[128];
    if (b - a >= (Py_ssize_t)sizeof(tmp)) return 0;
    memcpy(tmp, a, (size_t)(b - a));
    tmp[b - a] = '\0';
    char *endp;
    double v = PyOS_string_to_double(tmp, &endp, NULL);
    if (v == -1.0 && PyErr_Occurred()) { PyErr_Clear(); return 0; }
    if (*endp != '\0') return 0;
    *out = v;
    return 1;
}

/* parse_texts(texts: list[str]) -> (float64 values: bytes, int64 value counts: bytes) | None */
static PyObject *parse_texts(PyObject *self, PyObject *arg) {
    if (!PyList_Check(arg)) { PyErr_SetString(PyExc_TypeError, "a list of str"); return NULL; }
    Py_ssize_t n = PyList_GET_SIZE(arg), total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(arg, i);
        if (!PyUnicode_Check(t) || !PyUnicode_IS_ASCII(t)) Py_RETURN_NONE;
        total += PyUnicode_GET_LENGTH(t) / 2 + 1;  /* at most one value per two characters */
    }
    PyObject *values = PyBytes_FromStringAndSize(NULL, (total + 1) * (Py_ssize_t)sizeof(double));
    PyObject *counts = PyBytes_FromStringAndSize(NULL, (n ? n : 1) * (Py_ssize_t)sizeof(long long));
    if (values == NULL || counts == NULL) { Py_XDECREF(values); Py_XDECREF(counts); return NULL; }
    double *v = (double *)PyBytes_AS_STRING(values);
    long long *cnt = (long long *)PyBytes_AS_STRING(counts);
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(arg, i);
        const char *p = (const char *)PyUnicode_DATA(t), *e = p + PyUnicode_GET_LENGTH(t);
        Py_ssize_t k0 = k;
        for (;;) {
            while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
            if (p >= e) break;
            const char *a = p;
            while (p < e && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
            if (k > total || !number(a, p, &v[k])) { Py_DECREF(values); Py_DECREF(counts); Py_RETURN_NONE; }
            k++;
        }
        cnt[i] = k - k0;
    }
    if (_PyBytes_Resize(&values, k * (Py_ssize_t)sizeof(double)) < 0) { Py_DECREF(counts); return NULL; }
    if (_PyBytes_Resize(&counts, n * (Py_ssize_t)sizeof(long long)) < 0) { Py_DECREF(values); return NULL; }
    return Py_BuildValue("(N N)", values, counts);
}

static PyMethodDef methods[] = {
    {"grammar", make_grammar, METH_VARARGS, "grammar(prefixes, kinds, simple, generic) -> grammar"},
    {"read", read_member, METH_VARARGS, "read(grammar, member) -> tuple | None"},
    {"parse_texts", parse_texts, METH_O, "parse_texts(texts) -> (values, counts) | None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_rawc", NULL, -1, methods};

PyMODINIT_FUNC PyInit__rawc(void) {
    init_special();
    return PyModule_Create(&module);
}
