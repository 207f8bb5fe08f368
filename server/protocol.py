"""The JSON-RPC protocol, changed so that every request is answered, malformed ones included.

pygls turns a message into lsprotocol types while the JSON is being read; when that fails (a required field
missing, a position of the wrong type) it logs the error and drops the message, so the client waits forever
for an answer (an ``inlayHint`` request without a ``range`` did). LSP wants a result or an error for every
request: here a request whose params do not fit its type is answered with ``InvalidParams`` naming the fields
(``required field missing @ $.params.range``). A malformed notification cannot be answered; it is logged.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from cattrs import transform_error
from cattrs.errors import ClassValidationError
from lsprotocol.types import LSPErrorCodes
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger("codeexecutor.server")


class RequestFailed(JsonRpcException):
    """LSP's ``RequestFailed``: a well-formed request the server could not carry out; the message says why."""

    CODE = LSPErrorCodes.RequestFailed.value


class _Answered:
    """What a malformed request becomes once its error is sent: nothing more to do with it."""


ANSWERED = _Answered()


class AnsweringProtocol(LanguageServerProtocol):
    """pygls's protocol, plus an ``InvalidParams`` answer to requests whose params do not deserialize."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as e:
            if not _is_request(data):
                log.warning("ignored a malformed notification %r: %s", data.get("method"), _why(e))
                return ANSWERED
            message = f"{data['method']}: invalid params: {_why(e)}"
            log.warning("answered request %r with InvalidParams: %s", data["id"], message)
            self._send_response(data["id"], None, JsonRpcInvalidParams(message).to_response_error())
            return ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        super().handle_message(message)


def _is_request(data: dict[str, Any]) -> bool:
    return "method" in data and isinstance(data.get("id"), int | str) and not isinstance(data.get("id"), bool)


def _why(error: JsonRpcException) -> str:
    """The cattrs problems behind a failed deserialization, in the protocol's field names (camelCase)."""
    cause = error.__cause__
    if isinstance(cause, ClassValidationError):
        problems = transform_error(cause)
    else:
        problems = [f"{type(cause).__name__}: {cause}" if cause is not None else str(error)]
    return "; ".join(re.sub(r"_([a-z])", lambda m: m.group(1).upper(), p) for p in problems)
