"""Signed device commands: the JSON body a webhook provider POSTs to the lock service, its
HMAC-SHA256 signature, and the check of the signed confirmation the service sends back.

Plain Python (no Odoo): the caller gives the secret, the command's fields and the time.

A command's body is the compact JSON object ``{"command": ..., "command_id": ..., "serial":
..., "timestamp": ...}`` (keys sorted, no spaces, UTF-8): the bytes signed are the bytes sent.
The signature is ``sha256=`` and the hexadecimal HMAC-SHA256 of the body under the provider's
secret, sent in the ``X-Leasing-Signature`` header. The service confirms on the same terms: it
signs the exact body it POSTs back, a JSON object naming the command (``command_id``,
``serial``, ``command``) and its ``status`` (``confirmed`` or ``failed``), with an optional
``message``."""

import hashlib
import hmac
import json

SIGNATURE_HEADER = "X-Leasing-Signature"
SIGNATURE_PREFIX = "sha256="
COMMANDS = ("lock", "unlock")
REPLY_STATUSES = ("confirmed", "failed")


def command_body(command_id, serial, command, timestamp):
    """The bytes POSTed for command ``command_id`` (``lock``/``unlock``) to the unit of serial
    number ``serial``, at ``timestamp`` (whole seconds since the epoch, UTC)."""
    if command not in COMMANDS:
        raise ValueError(f"Unknown device command {command!r}")
    payload = {"command": command, "command_id": int(command_id), "serial": serial, "timestamp": int(timestamp)}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret, body):
    """The signature header's value of ``body`` (bytes) under ``secret`` (text)."""
    if not secret:
        raise ValueError("A signature needs a secret")
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(secret, body, signature):
    """Whether ``signature`` (the header's value, text, or None) is the signature of ``body``
    under ``secret``: compared in constant time, never True without a secret."""
    if not secret or not signature:
        return False
    expected = sign(secret, body).encode("ascii")
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


def parse_reply(body):
    """The confirmation ``body`` (bytes) as a dict ``{command_id, serial, command, status,
    message}``; ValueError when it is not such a JSON object."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("The reply is not JSON") from error
    if not isinstance(payload, dict):
        raise ValueError("The reply is not a JSON object")
    command_id = payload.get("command_id")
    if not isinstance(command_id, int) or isinstance(command_id, bool) or command_id <= 0:
        raise ValueError("The reply names no command")
    serial = payload.get("serial")
    if not isinstance(serial, str) or not serial:
        raise ValueError("The reply names no serial number")
    if payload.get("command") not in COMMANDS:
        raise ValueError("The reply names no known command")
    if payload.get("status") not in REPLY_STATUSES:
        raise ValueError("The reply's status is neither confirmed nor failed")
    message = payload.get("message") or ""
    if not isinstance(message, str):
        raise ValueError("The reply's message is not text")
    return {
        "command_id": command_id,
        "serial": serial,
        "command": payload["command"],
        "status": payload["status"],
        "message": message,
    }
