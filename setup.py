"""The compiled half of the raw CityGML reader (pipelines/citymodel/_rawc.c and its parts).

Everything else is in pyproject.toml. The extension is optional: without a C compiler the
package still installs and the reader runs in Python only (slower, same output).
"""

from setuptools import Extension, setup

SOURCES = ["pipelines/citymodel/_rawc.c", "pipelines/citymodel/rawc_items.c",
           "pipelines/citymodel/rawc_numbers.c"]

setup(ext_modules=[Extension("pipelines.citymodel._rawc", SOURCES,
                             depends=["pipelines/citymodel/rawc.h"],
                             extra_compile_args=["-O2", "-Wall", "-Wno-unused-function"],
                             optional=True)])
