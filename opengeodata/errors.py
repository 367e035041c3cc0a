"""The one exception hierarchy of opengeodata, with its HTTP status mapping."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path


class OpenGeoDataError(Exception):
    """Base of every error the package raises on purpose."""

    status: HTTPStatus = HTTPStatus.INTERNAL_SERVER_ERROR
    code: str = "ServerError"
    #: where a failed refresh kept its bad input (set by the pipeline runner)
    quarantine: Path | None = None
    #: what the bounded quarantine kept or left out (said in the refresh output)
    quarantine_note: str = ""


class DeclarationError(OpenGeoDataError):
    """A dataset.yml is missing, malformed or invalid."""

    code = "DeclarationError"


class SourceError(OpenGeoDataError):
    """A source file or URL cannot be fetched or read."""

    code = "SourceError"


class DataValidationError(OpenGeoDataError):
    """Source data is readable but wrong (CRS, schema, geometry)."""

    code = "DataValidationError"


class PipelineError(OpenGeoDataError):
    """A pipeline step failed for a reason other than bad input."""

    code = "PipelineError"


class PublishError(OpenGeoDataError):
    """A version could not be published, listed or rolled back."""

    code = "PublishError"


class DatasetBusyError(PublishError):
    """Another refresh of the same dataset is running."""

    code = "DatasetBusy"


class NotFoundError(OpenGeoDataError):
    """A requested dataset, version, feature or file does not exist."""

    status = HTTPStatus.NOT_FOUND
    code = "NotFound"


class InvalidRequestError(OpenGeoDataError):
    """A client sent a malformed or unsupported request."""

    status = HTTPStatus.BAD_REQUEST
    code = "InvalidParameterValue"


class ResponseTooLargeError(InvalidRequestError):
    """A request would produce more than one response may hold (e.g. coverage pixels)."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "ResponseTooLarge"


class ServerBusyError(OpenGeoDataError):
    """Every slot for costly requests of this process is taken; retry later."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "ServerBusy"
    retry_after = 5


def http_status(error: BaseException) -> int:
    """Map an exception to the HTTP status the server answers with."""
    if isinstance(error, OpenGeoDataError):
        return int(error.status)
    return int(HTTPStatus.INTERNAL_SERVER_ERROR)


class DownloadError(SourceError):
    """A remote source could not be downloaded completely or failed its checksum."""

    code = "DownloadError"

    def __init__(self, message: str, url: str, partial: Path | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.partial = partial


class SettingsError(OpenGeoDataError):
    """An ``OPENGEODATA_*`` environment variable has an invalid value."""

    code = "SettingsError"


class StorageError(PublishError):
    """Object storage could not be read or written (unreachable, refused, incomplete)."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "StorageUnavailable"


class DatabaseUnavailableError(OpenGeoDataError):
    """The PostGIS feature database cannot be reached or answered with an error."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "DatabaseUnavailable"
