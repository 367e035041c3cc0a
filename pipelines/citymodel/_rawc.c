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
#include "rawc.h"

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
    int r = rawc_body(&c, body_end, &o, 0);
    if (r < 0) { obj_clear(&o); goto done; }
    if (r == 0) { obj_clear(&o); goto none; }
    PyObject *id = S(ia, ib);
    if (id == NULL) { obj_clear(&o); goto done; }
    result = rawc_obj_tuple(&o, id, newlines(s, ia));
    goto done;
none:
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&buf);
    return result;
}

static PyMethodDef methods[] = {
    {"grammar", make_grammar, METH_VARARGS, "grammar(prefixes, kinds, simple, generic) -> grammar"},
    {"read", read_member, METH_VARARGS, "read(grammar, member) -> tuple | None"},
    {"parse_texts", rawc_parse_texts, METH_O, "parse_texts(texts) -> (values, counts) | None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_rawc", NULL, -1, methods};

PyMODINIT_FUNC PyInit__rawc(void) {
    init_special();
    return PyModule_Create(&module);
}
