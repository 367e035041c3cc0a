"""The web pages and the DCAT/ATOM routes share one catalogue per published snapshot."""

from __future__ import annotations

import pytest

from opengeodata.catalogue import Catalogue
from opengeodata.server import create_app
from opengeodata.settings import Settings


def test_one_catalogue_build_serves_pages_and_feeds(
    web_site: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[object] = []
    original = Catalogue.from_published

    def counting(*args: object, **kwargs: object) -> Catalogue:
        builds.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Catalogue, "from_published", staticmethod(counting))
    client = create_app(web_site).test_client()
    for path in ("/catalogue/", "/catalogue/search?q=spiel", "/catalogue/dcat",
                 "/atom/service.xml"):
        assert client.get(path).status_code == 200, path
    assert len(builds) == 1
