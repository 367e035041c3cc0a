/* posList numbers parsed as numpy's fromstring(sep=" ") parses plain decimals. */
#include "rawc.h"

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
PyObject *rawc_parse_texts(PyObject *self, PyObject *arg) {
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
