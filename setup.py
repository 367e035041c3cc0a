"""The compiled half of the raw CityGML reader (pipelines/citymodel/_rawc.c).

Everything else is in pyproject.toml. The extension is optional: without a C compiler the
package still installs and the reader runs in Python only (slower, same output).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pipelines.citymodel._rawc", ["pipelines/citymodel/_rawc.c"],
                             extra_compile_args=["-O2", "-Wall", "-Wno-unused-function"],
                             optional=True)])
