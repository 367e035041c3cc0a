"""3D Tiles 1.1 building blocks shared by the pipeline and the server.

- :mod:`opengeodata.tiles3d.archive`: the 3D Tiles archive format (``.3tz``: a stored zip whose
  last entry ``@3dtilesIndex1@`` indexes every file by the MD5 of its path), writer and
  random-access reader (a few ``pread`` calls per file, so it also works with range reads).
- :mod:`opengeodata.tiles3d.glb`: glTF 2.0 binary (GLB) writer and reader for building meshes
  with ``EXT_mesh_features`` feature IDs and ``EXT_structural_metadata`` property tables.
"""
