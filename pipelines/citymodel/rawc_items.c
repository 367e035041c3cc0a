/* The items of a Building or BuildingPart, as the raw reader's expressions (rawgrammar.py)
 * take them: attributes, names, addresses, thematic surfaces, geometries and parts. Each
 * recogniser returns 1 (taken, lists appended), 0 (not the common shape) or -1 (Python
 * error). */
#include "rawc.h"

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
 * <G:posList [srsDimension="3"]>TXT</G:posList> ... </G:surfaceMember>, whitespace between tags
 * (the expressions' "member", and the attribute that only confirms 3D points): appended to
 * pids and texts ("" for no id) */
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
    NEED(LP(c, "<", g->gml, "LinearRing") && gid_close(c));
    ws(c);
    NEED(LP(c, "<", g->gml, "posList"));
    save = c->p;  /* srsDimension="3" says what the reader assumes anyway (AdV deliveries) */
    ws(c);
    if (!(c->p > save && L(c, "srsDimension=\"3\""))) c->p = save;
    ws(c);
    NEED(L(c, ">") && numbers(c, &ta, &tb));
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

/* at "<": an element's start or end tag up to its name, which must have one of the root's
 * prefixes (*na: the name with its prefix of *pn bytes, *nlen bytes in all) */
static int tag_name(cur_t *c, int *closing, const char **na, Py_ssize_t *pn, Py_ssize_t *nlen) {
    c->p++;  /* '<' */
    *closing = L(c, "/");
    NEED(any_prefix(c, na, pn));
    c->p += *pn;
    while (c->p < c->end && name_char(*c->p)) c->p++;
    *nlen = c->p - *na;
    return 1;
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
        int closing;
        const char *na; Py_ssize_t pn, nlen;
        NEED(tag_name(c, &closing, &na, &pn, &nlen));
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



static int same(str_t a, const char *s, Py_ssize_t n) { return a.n == n && memcmp(a.s, s, (size_t)n) == 0; }

/* a start tag's attributes after its name: names with one of the root's prefixes (or xml:) or
 * none, no xmlns, no duplicate; then ">" or "/>" (*closed) */
static int any_attrs(cur_t *c, int *closed) {
    const char *names[12]; Py_ssize_t lens[12]; int n = 0;
    for (;;) {
        const char *save = c->p;
        ws(c);
        if (c->p == save || c->p >= c->end || !name_start(*c->p)) { c->p = save; break; }
        const char *na = c->p, *pa; Py_ssize_t pn;
        if (L(c, "xml:") || (c->p = na, any_prefix(c, &pa, &pn) && (c->p += pn, 1))) {}
        else c->p = na;
        NEED(c->p < c->end && name_start(*c->p));
        while (c->p < c->end && name_char(*c->p)) c->p++;
        Py_ssize_t nl = c->p - na;
        NEED(!(nl >= 5 && memcmp(na, "xmlns", 5) == 0) && L(c, "=\""));
        const char *va, *vb;
        NEED(av(c, &va, &vb) && n < 12);
        for (int i = 0; i < n; i++)
            NEED(!(lens[i] == nl && memcmp(names[i], na, (size_t)nl) == 0));
        names[n] = na; lens[n] = nl; n++;
    }
    ws(c);
    if (L(c, "/>")) { *closed = 1; return 1; }
    *closed = 0;
    return L(c, ">");
}

/* a name the element reader reads as a child of a Building (citygml.ROLES, in bldg:) */
static int bldg_role(const grammar_t *g, const char *a, Py_ssize_t n) {
    for (int i = 0; i < g->nsimple; i++)
        if (g->simple[i].n == n && memcmp(g->simple[i].s, a, (size_t)n) == 0) return 1;
    static const char *named[] = {"boundedBy", "consistsOfBuildingPart", "address"};
    for (int i = 0; i < 3; i++)
        if ((size_t)n == strlen(named[i]) && memcmp(a, named[i], (size_t)n) == 0) return 1;
    return n >= 4 && memcmp(a, "lod", 3) == 0 && a[3] >= '1' && a[3] <= '4'
           && ((n == 9 && memcmp(a + 4, "Solid", 5) == 0)
               || (n == 16 && memcmp(a + 4, "MultiSurface", 12) == 0));
}

/* at "<B:lod": a geometry property the reader reads (lod1-4 Solid or MultiSurface) */
static int geometry_role(cur_t *c) {
    const char *a = c->p + 1 + c->g->bldg.n, *q = a;
    while (q < c->end && name_char(*q)) q++;
    return bldg_role(c->g, a, q - a);
}

/* a child the element reader has no role for (core:externalReference, gml:boundedBy,
 * bldg:lod0FootPrint, ...): skipped with its content, which must be balanced elements with the
 * root's prefixes (well-formed by construction) */
static int skipped(cur_t *c) {
    const grammar_t *g = c->g;
    const char *stack[32]; Py_ssize_t slen[32]; int depth = 0;
    for (;;) {
        const char *ta, *tb;
        if (depth > 0) NEED(numbers(c, &ta, &tb));  /* any text: the reader ignores it */
        NEED(c->p < c->end && *c->p == '<');
        int closing;
        const char *na; Py_ssize_t pn, nlen;
        NEED(tag_name(c, &closing, &na, &pn, &nlen));
        if (depth == 0) {  /* the child itself: not a role, not gen: (generic attributes) */
            str_t pfx = {na, pn};
            NEED(!closing && !same(pfx, g->gen.s, g->gen.n)
                 && !(same(pfx, g->bldg.s, g->bldg.n) && bldg_role(g, na + pn, nlen - pn))
                 && !(same(pfx, g->gml.s, g->gml.n) && nlen - pn == 4
                      && memcmp(na + pn, "name", 4) == 0));
        }
        if (closing) {
            ws(c);
            NEED(L(c, ">") && depth > 0 && slen[depth - 1] == nlen
                 && memcmp(stack[depth - 1], na, (size_t)nlen) == 0);
            depth--;
        } else {
            int closed = 0;
            NEED(any_attrs(c, &closed));
            if (!closed) {
                NEED(depth < 32);
                stack[depth] = na; slen[depth] = nlen; depth++;
            }
        }
        if (depth == 0) return 1;
    }
}

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
    int r = rawc_body(c, stop, &sub, 1);
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
    PyObject *t = rawc_obj_tuple(&sub, id, newlines(c->base, item_start));
    return append_new(o->parts, t) < 0 ? -1 : 1;
}

/* the items of a Building or BuildingPart up to end */
int rawc_body(cur_t *c, const char *end, obj_t *o, int in_part) {
    const grammar_t *g = c->g;
    const char *outer_end = c->end;
    c->end = end;
    int r = 0;
    for (;;) {
        const char *item_start = c->p;
        ws(c);
        if (c->p >= end) { r = 1; break; }
        if (starts(c, "<", g->bldg, "boundedBy")) r = thematic(c, o);
        else if (starts(c, "<", g->bldg, "lod") && geometry_role(c)) r = geometry(c, o);
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
            if (r == 0) { c->p = save; r = skipped(c); }
        }
        if (r <= 0) break;
    }
    c->end = outer_end;
    return r;
}

PyObject *rawc_obj_tuple(obj_t *o, PyObject *id, Py_ssize_t nl) {
    PyObject *t = Py_BuildValue("(N n N N N N N N N N)", id, nl, o->attrs, o->solids, o->kinds,
                                o->lods, o->pids, o->texts, o->addresses, o->parts);
    if (t == NULL) {
        o->attrs = o->solids = o->kinds = o->lods = o->pids = o->texts = o->addresses = o->parts = NULL;
    }
    return t;
}

/* XML characters in valid UTF-8: no control character but tab and newline, no U+FFFE/U+FFFF,
 * no surrogate, no "]]>" */
