"""Acceptance: every bundled dataset published and served by a real server (gunicorn) appears
in Records, DCAT-AP.de and ATOM, and every download link there answers 200 with the size and
SHA-256 it states (checked by downloading and hashing, also reassembled from ranged parts)."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from opengeodata.catalogue.dcat import SPDX
from opengeodata.settings import Settings
from opengeodata.store import Store

pytestmark = pytest.mark.slow
ATOM = {"a": "http://www.w3.org/2005/Atom",
        "dls": "http://inspire.ec.europa.eu/schemas/inspire_dls/1.0"}


@dataclass(frozen=True)
class Claim:
    """A link somewhere in the catalogue stating a file's size (and checksum)."""

    where: str
    url: str
    size: int
    sha256: str | None


@pytest.fixture(scope="session")
def server(everything_server: str) -> str:
    """`opengeodata serve` over every dataset (the session's shared server)."""
    return everything_server


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as resp:
        return resp.status, resp.read()


def record_claims(base: str) -> tuple[set[str], list[Claim]]:
    _, body = get(f"{base}/collections/catalogue/items?f=json&limit=10000")
    features = json.loads(body)["features"]
    claims = []
    for f in features:
        for link in f["links"]:
            if link["rel"] == "enclosure":
                claims.append(Claim(f"record {f['id']}", link["href"], link["length"],
                                    link["sha256"]))
        for d in f["properties"]["downloads"]:
            for url in (d["href"], d["latest"], d["versioned"]):
                if url:
                    claims.append(Claim(f"record {f['id']} downloads", url, d["size"],
                                        d["sha256"]))
    return {f["id"] for f in features}, claims


def collection_claims(base: str) -> list[Claim]:
    _, body = get(f"{base}/collections?f=json")
    return [Claim(f"collection {c['id']}", link["href"], link["length"], None)
            for c in json.loads(body)["collections"]
            for link in c["links"] if link["rel"] == "enclosure"]


def dcat_claims(base: str) -> tuple[set[str], list[Claim]]:
    _, body = get(f"{base}/catalogue/dcat?f=ttl")
    g = Graph().parse(data=body, format="turtle")
    ids, claims = set(), []
    for ds in g.subjects(RDF.type, DCAT.Dataset):
        ids.add(str(ds).rsplit("/", 1)[1])
        for dist in g.objects(ds, DCAT.distribution):
            if (dist, DCAT.accessService, None) in g:  # WMS layer, ISO record: not a file
                service_url = str(next(g.objects(dist, DCAT.accessURL)))
                status, _ = get(service_url)
                assert status == 200, (ds, service_url, status)
                continue
            size = int(next(g.objects(dist, DCAT.byteSize)))  # type: ignore[call-overload]
            checksum = next(g.objects(dist, SPDX.checksum))
            sha = str(next(g.objects(checksum, SPDX.checksumValue)))
            for prop in (DCAT.downloadURL, DCAT.accessURL):
                claims.append(Claim(f"dcat {ds}", str(next(g.objects(dist, prop))), size, sha))
    return ids, claims


def atom_claims(base: str) -> tuple[set[str], list[Claim]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    _, body = get(f"{base}/atom/service.xml")
    service = etree.fromstring(body, parser)
    ids, claims = set(), []
    for entry in service.findall("a:entry", ATOM):
        ids.add(entry.findtext("dls:spatial_dataset_identifier_code", namespaces=ATOM))
        feed_url = entry.find("a:link[@rel='alternate']", ATOM).get("href")  # type: ignore[union-attr]
        _, feed_body = get(str(feed_url))
        feed = etree.fromstring(feed_body, parser)
        for item in feed.findall("a:entry", ATOM):
            sums = dict(re.findall(r"([^\s;:]+): SHA-256 ([0-9a-f]{64})",
                                   item.findtext("a:summary", namespaces=ATOM) or ""))
            for link in item.findall("a:link", ATOM):
                href = str(link.get("href"))
                name = href.rsplit("/", 1)[1]
                sha = sums.get(name) or (next(iter(sums.values())) if len(sums) == 1 else None)
                assert sha, f"no checksum for {href} in {feed_url}"
                claims.append(Claim(f"atom {feed_url}", href, int(str(link.get("length"))), sha))
    return {i for i in ids if i}, claims


def test_every_dataset_everywhere_and_every_link_delivers(server: str,
                                                          everything: Settings) -> None:
    published = set(Store(everything.data_dir).live_ids())
    declared = {p.parent.name for p in Path(everything.datasets_dir).glob("*/dataset.yml")}
    assert published == declared

    record_ids, claims = record_claims(server)
    dcat_ids, more = dcat_claims(server)
    claims += more
    atom_ids, more = atom_claims(server)
    claims += more
    claims += collection_claims(server)
    assert record_ids == dcat_ids == atom_ids == published

    verified: dict[str, tuple[int, str]] = {}
    for claim in claims:
        assert claim.url.startswith(f"{server}/downloads/"), claim
        if claim.url not in verified:
            status, body = get(claim.url)
            assert status == 200, claim
            verified[claim.url] = (len(body), hashlib.sha256(body).hexdigest())
        size, sha = verified[claim.url]
        assert size == claim.size, claim
        if claim.sha256 is not None:
            assert sha == claim.sha256, claim
    assert len(verified) >= 3 * len(published)

    # every distinct file once more, reassembled from three ranged parts
    by_sha = {sha: (url, size) for url, (size, sha) in verified.items()}
    for sha, (url, size) in by_sha.items():
        cuts = [0, size // 3, 2 * size // 3, size]
        digest = hashlib.sha256()
        for start, end in itertools.pairwise(cuts):
            if end <= start:
                continue
            status, part = get(url, {"Range": f"bytes={start}-{end - 1}"})
            assert status == 206 and len(part) == end - start, (url, start, end)
            digest.update(part)
        assert digest.hexdigest() == sha, url
