"""A 2 GB download streams in constant memory (sparse file, Python allocations traced)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from opengeodata.manifest import OutputFile
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.server.downloads.fixtures import add_output, private_copy

SIZE = 2 * 1024**3 + 7  # 2 GiB and a bit: bigger than any buffer


def test_large_sparse_file_streams_in_constant_memory(published: Settings,
                                                      tmp_path: Path) -> None:
    settings = private_copy(published, tmp_path)
    store = Store(settings.data_dir)
    live = store.live_dir("stadtbezirke")
    assert live is not None
    big = live / "big.bin"
    with big.open("wb") as fh:  # sparse: no disk blocks, reads as zeros
        fh.truncate(SIZE)
        fh.seek(SIZE - 4)
        fh.write(b"TAIL")
    add_output(store, "stadtbezirke", OutputFile(
        name="big.bin", format="bin", media_type="application/octet-stream", size=SIZE,
        sha256="ab" * 32))
    client = create_app(settings).test_client()

    head = client.head("/downloads/stadtbezirke/big.bin")
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == SIZE
    tail = client.get("/downloads/stadtbezirke/big.bin", headers={"Range": "bytes=-4"})
    assert tail.status_code == 206 and tail.data == b"TAIL"

    tracemalloc.start()
    try:
        resp = client.get("/downloads/stadtbezirke/big.bin", buffered=False)
        assert resp.status_code == 200 and int(resp.headers["Content-Length"]) == SIZE
        assert resp.is_streamed
        received = 0
        for chunk in resp.response:  # read the first 64 MiB through the app's iterator
            received += len(chunk)
            if received >= 64 * 1024**2:
                break
        resp.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received >= 64 * 1024**2
    assert peak < 8 * 1024**2, f"peak Python allocation {peak} bytes while streaming"
