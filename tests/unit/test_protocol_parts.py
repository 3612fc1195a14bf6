"""Pure protocol parts: cursors, frames, client messages, fan-out pacing, fs types."""

from __future__ import annotations

import json
import struct

import pytest

from tailgate.errors import BadClientMessage
from tailgate.files.cursor import BadCursor, FileCursor, checksum
from tailgate.files.fstype import is_remote, mount_type
from tailgate.streaming.frames import hello_payload, lines_payload, notice_payload, ws_text_frame
from tailgate.streaming.messages import Command, parse_client_message
from tailgate.streaming.pacing import FanoutPacer


def test_a_cursor_survives_encoding_and_decoding() -> None:
    cursor = FileCursor(dev=2049, ino=131, offset=48213, check=checksum(b"abc\n"))
    assert FileCursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "text",
    ["", "f1.1.2.3", "f1.a.2.3.00000000", "x" * 300, "f1.1.2.3.0000000g", "f2.1.2.3.00000000"],
)
def test_malformed_cursors_are_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(BadCursor, match="malformed"):
        FileCursor.decode(text)


def test_the_checksum_covers_only_the_last_bytes_before_the_offset() -> None:
    assert checksum(b"x" * 100 + b"tail" * 8) == checksum(b"tail" * 8)
    assert checksum(b"a") != checksum(b"b")


def test_a_lines_frame_is_json_with_the_lines_and_cursor() -> None:
    payload = lines_payload(["a", 'quote " and <tag>', "é"], "f1.1.2.3.00000000")
    assert json.loads(payload) == {
        "type": "lines",
        "lines": ["a", 'quote " and <tag>', "é"],
        "cursor": "f1.1.2.3.00000000",
    }


def test_notice_and_hello_frames_carry_their_fields() -> None:
    assert json.loads(notice_payload("rotated", "m")) == {
        "type": "notice",
        "event": "rotated",
        "message": "m",
    }
    hello = json.loads(hello_payload("app", "App", "file"))
    assert hello["log"] == {"id": "app", "title": "App", "kind": "file"}
    assert hello["protocol"] == 1


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 300_000])
def test_websocket_frames_have_the_rfc6455_header_for_each_length(size: int) -> None:
    payload = b"x" * size
    frame = ws_text_frame(payload)
    assert frame[0] == 0x81  # FIN + text
    if size < 126:
        assert frame[1] == size
        header = 2
    elif size < 65536:
        assert frame[1] == 126
        assert struct.unpack("!H", frame[2:4])[0] == size
        header = 4
    else:
        assert frame[1] == 127
        assert struct.unpack("!Q", frame[2:10])[0] == size
        header = 10
    assert frame[header:] == payload


def test_pause_and_resume_are_the_client_commands() -> None:
    assert parse_client_message('{"type":"pause"}') is Command.PAUSE
    assert parse_client_message('{"type": "resume", "extra": 1}') is Command.RESUME


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[1]", "JSON object"),
        ('{"type":"stop"}', "unknown message type 'stop'"),
        ("{}", "unknown message type None"),
        ('{"type":"' + "p" * 5000 + '"}', "too long"),
    ],
)
def test_bad_client_messages_are_explained(text: str, message: str) -> None:
    with pytest.raises(BadClientMessage, match=message):
        parse_client_message(text)


def test_a_quiet_source_fans_out_at_once() -> None:
    pacer = FanoutPacer()
    assert pacer.delay(100.0) == 0.0
    pacer.record(100.0, 100.000_01)
    assert pacer.delay(101.0) == 0.0


def test_costly_fan_outs_are_spaced_to_the_duty_cycle_and_capped() -> None:
    pacer = FanoutPacer(duty=0.25, max_delay=0.05)
    pacer.record(10.0, 10.004)  # 4 ms of writing to many viewers
    assert pacer.delay(10.004) == pytest.approx(0.012)
    pacer.record(20.0, 20.1)
    assert pacer.delay(20.1) == pytest.approx(0.05)


MOUNTINFO = (
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
    "40 22 0:40 / /mnt/share rw - nfs4 server:/export rw\n"
    "41 22 0:41 / /mnt/fuse\\040dir rw - fuse.sshfs host: rw\n"
    "42 22 0:42 / /var/log rw - tmpfs tmpfs rw\n"
)


def test_the_longest_mount_point_decides_the_filesystem_type() -> None:
    assert mount_type("/mnt/share/app.log", MOUNTINFO) == "nfs4"
    assert mount_type("/mnt/shared.log", MOUNTINFO) == "ext4"
    assert mount_type("/var/log/syslog", MOUNTINFO) == "tmpfs"
    assert mount_type("/mnt/fuse dir/x", MOUNTINFO) == "fuse.sshfs"


def test_network_and_fuse_filesystems_are_polled() -> None:
    assert is_remote("nfs4")
    assert is_remote("fuse.sshfs")
    assert not is_remote("ext4")
    assert not is_remote(None)
