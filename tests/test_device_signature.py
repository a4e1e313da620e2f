"""The signing of device commands and the check of their confirmations
(leasing_fleet/tools/device_signature.py), against fixed vectors: RFC 4231's test case 2 for
HMAC-SHA256 itself, and a command body whose signature was computed with ``openssl dgst -sha256
-hmac``."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "leasing_fleet" / "tools" / "device_signature.py"
_SPEC = importlib.util.spec_from_file_location("leasing_fleet_device_signature", _PATH)
signature = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(signature)

SECRET = "s3cr3t-key"
BODY = b'{"command":"lock","command_id":42,"serial":"SN-0001","timestamp":1796083200}'
# printf '%s' "$BODY" | openssl dgst -sha256 -hmac 's3cr3t-key'
BODY_SIGNATURE = "sha256=ef7126fa8911219fd869d7e3b445596be544b5d5496a470d261d823476b70a57"


def test_rfc4231_case_2():
    assert (
        signature.sign("Jefe", b"what do ya want for nothing?")
        == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_command_body_is_compact_sorted_json():
    assert signature.command_body(42, "SN-0001", "lock", 1796083200) == BODY
    assert signature.command_body("7", "挖掘机-01", "unlock", 1796083200.9) == (
        '{"command":"unlock","command_id":7,"serial":"挖掘机-01","timestamp":1796083200}'.encode()
    )


def test_unknown_command_refused():
    with pytest.raises(ValueError):
        signature.command_body(42, "SN-0001", "wipe", 1796083200)


def test_sign_fixed_vector():
    assert signature.sign(SECRET, BODY) == BODY_SIGNATURE


def test_sign_needs_a_secret():
    with pytest.raises(ValueError):
        signature.sign("", BODY)


@pytest.mark.parametrize(
    ("secret", "body", "header", "valid"),
    [
        (SECRET, BODY, BODY_SIGNATURE, True),
        # Surrounding white space of a header is not part of it.
        (SECRET, BODY, f" {BODY_SIGNATURE} ", True),
        # One byte of the body changed.
        (SECRET, BODY.replace(b"42", b"43"), BODY_SIGNATURE, False),
        # Another secret.
        ("another-key", BODY, BODY_SIGNATURE, False),
        # The digest without its prefix, in capitals, cut short, empty, absent, not ASCII.
        (SECRET, BODY, BODY_SIGNATURE[len("sha256=") :], False),
        (SECRET, BODY, BODY_SIGNATURE.upper(), False),
        (SECRET, BODY, BODY_SIGNATURE[:-1], False),
        (SECRET, BODY, "", False),
        (SECRET, BODY, None, False),
        (SECRET, BODY, "sha256=é", False),
        # No secret on the provider: nothing is ever valid.
        ("", BODY, BODY_SIGNATURE, False),
        (None, BODY, BODY_SIGNATURE, False),
    ],
)
def test_verify(secret, body, header, valid):
    assert signature.verify(secret, body, header) is valid


def test_parse_reply():
    body = b'{"command_id": 42, "serial": "SN-0001", "command": "lock", "status": "confirmed"}'
    assert signature.parse_reply(body) == {
        "command_id": 42,
        "serial": "SN-0001",
        "command": "lock",
        "status": "confirmed",
        "message": "",
    }
    failed = b'{"command_id": 42, "serial": "SN-0001", "command": "lock", "status": "failed", "message": "offline"}'
    assert signature.parse_reply(failed)["message"] == "offline"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[42]",
        b'{"serial": "SN-0001", "command": "lock", "status": "confirmed"}',
        b'{"command_id": "42", "serial": "SN-0001", "command": "lock", "status": "confirmed"}',
        b'{"command_id": true, "serial": "SN-0001", "command": "lock", "status": "confirmed"}',
        b'{"command_id": 0, "serial": "SN-0001", "command": "lock", "status": "confirmed"}',
        b'{"command_id": 42, "serial": "", "command": "lock", "status": "confirmed"}',
        b'{"command_id": 42, "serial": "SN-0001", "command": "wipe", "status": "confirmed"}',
        b'{"command_id": 42, "serial": "SN-0001", "command": "lock", "status": "done"}',
        b'{"command_id": 42, "serial": "SN-0001", "command": "lock", "status": "failed", "message": 3}',
    ],
)
def test_parse_reply_refuses_malformed(body):
    with pytest.raises(ValueError):
        signature.parse_reply(body)
