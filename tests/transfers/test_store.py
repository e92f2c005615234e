"""The encrypted store, end to end: what lands on disk, refusal of damaged files, destroyed keys, backups."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from background import transfer_store
from models import transfers
from models.db import connection, one, rows, scalar
from tests.conftest import audit_events
from tests.transfers.factories import ctf, sent_ctf


def _stored(app, transfer_id: int, db) -> Path:
    name = scalar(db, "SELECT stored_name FROM transfers WHERE id = ?", (transfer_id,))
    return Path(app.config["FILES_DIR"]) / name


def test_bytes_on_disk_are_not_the_plaintext_and_the_key_is_not_in_the_database(app, db, school, other_school):
    stream, _ = ctf("8732001", "8732002")
    plaintext = stream.getvalue()
    transfer_id = sent_ctf(app, db, school, "8732002")
    on_disk = _stored(app, transfer_id, db).read_bytes()
    assert b"CTfile" not in on_disk and b"Smith" not in on_disk and plaintext[:40] not in on_disk
    key_file = Path(app.instance_path) / "transfers_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_hex = key_file.read_text().strip()
    assert len(key_hex) == 64
    database = Path(app.config["DATABASE"]).read_bytes() + Path(app.config["DATABASE"] + "-wal").read_bytes()
    assert key_hex.encode() not in database and bytes.fromhex(key_hex) not in database
    # Nothing plain is left in the temporary folder either.
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == []


def test_the_recipient_downloads_exactly_what_was_sent(app, db, client, sign_in, school, receiver):
    stream, _ = ctf("8732001", "8732002")
    transfer_id = sent_ctf(app, db, school, "8732002")
    sign_in(receiver)
    response = client.get(f"/transfers/{transfer_id}/download")
    assert response.status_code == 200
    assert response.get_data() == stream.getvalue()
    assert response.headers["Content-Disposition"].startswith('attachment; filename="8732001_CTF_8732002_001.xml"')
    assert response.headers["Cache-Control"] == "no-store"


def _refused(client, transfer_id: int, db) -> None:
    response = client.get(f"/transfers/{transfer_id}/download")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "This file cannot be downloaded" in page and "Nothing was downloaded" in page
    assert scalar(db, "SELECT count(*) FROM transfer_downloads WHERE transfer_id = ?", (transfer_id,)) == 0
    assert audit_events(db, "transfer_download_refused")


def test_a_flipped_byte_is_refused_on_download(app, db, client, sign_in, school, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002")
    path = _stored(app, transfer_id, db)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    sign_in(receiver)
    _refused(client, transfer_id, db)


def test_a_truncated_file_is_refused_on_download(app, db, client, sign_in, school, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002")
    path = _stored(app, transfer_id, db)
    path.write_bytes(path.read_bytes()[:-20])
    sign_in(receiver)
    _refused(client, transfer_id, db)


def test_a_missing_key_file_refuses_downloads_and_new_files_with_a_clear_message(app, db, client, sign_in, school,
                                                                                 receiver, sender):
    transfer_id = sent_ctf(app, db, school, "8732002")
    (Path(app.instance_path) / "transfers_key").unlink()
    sign_in(receiver)
    _refused(client, transfer_id, db)
    stream, name = ctf("8732001", "8732002", name="8732001_CTF_8732002_002.xml")
    outcome = transfer_store.sending.send_ctf(app.config, db, sender=school, user=sender, stream=stream, raw_name=name)
    assert not outcome.sent and "transfers key is missing" in outcome.reason
    assert not (Path(app.instance_path) / "transfers_key").exists()  # never replaced by a key that opens nothing
    assert scalar(db, "SELECT count(*) FROM transfers") == 1


def test_revoking_destroys_the_wrapped_key_and_the_file(app, db, client_request, sign_in, school, sender, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    path = _stored(app, transfer_id, db)
    sign_in(sender)
    client_request.post("transfers.revoke", transfer_id=transfer_id, _data={}, _expected_status=303)
    row = one(db, "SELECT * FROM transfers WHERE id = ?", (transfer_id,))
    assert row["wrapped_key"] is None and row["stored_name"] is None and row["revoked_at"]
    assert not path.exists()
    assert transfers.get(db, transfer_id)["status"]["key"] == "revoked"
    assert audit_events(db, "transfer_revoked")[0]["actor_id"] == sender["id"]


def test_backup_carries_the_key_and_a_restored_instance_opens_the_files(app, db, runner, school, other_school,
                                                                        receiver, tmp_path, fresh_instance):
    stream, _ = ctf("8732001", "8732002")
    transfer_id = sent_ctf(app, db, school, "8732002")
    dest = tmp_path / "backup"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert (dest / "transfers_key").read_bytes() == (Path(app.instance_path) / "transfers_key").read_bytes()
    assert stat.S_IMODE((dest / "transfers_key").stat().st_mode) == 0o600
    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(dest)])
    assert result.exit_code == 0, result.output
    restored_key = Path(fresh_instance.instance_path) / "transfers_key"
    assert restored_key.read_bytes() == (dest / "transfers_key").read_bytes()
    assert stat.S_IMODE(restored_key.stat().st_mode) == 0o600

    with connection(fresh_instance.config["DATABASE"]) as restored:
        row = one(restored, "SELECT * FROM transfers WHERE id = ?", (transfer_id,))
        key = transfer_store.load_master_key(restored, allow_create=False)
    chunks = transfer_store.open_verified(fresh_instance.config["FILES_DIR"], row["stored_name"], key,
                                          row["wrapped_key"])
    assert b"".join(chunks) == stream.getvalue()


def test_restore_refuses_an_instance_holding_another_transfers_key(app, db, runner, school, other_school, tmp_path,
                                                                  fresh_instance):
    sent_ctf(app, db, school, "8732002")
    runner.invoke(args=["backup", str(tmp_path / "b")])
    other_key = Path(fresh_instance.instance_path) / "transfers_key"
    other_key.write_text(os.urandom(32).hex() + "\n")
    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "already has a transfers key" in result.stderr and "Nothing was changed" in result.stderr
    assert not Path(fresh_instance.config["DATABASE"]).exists()
    assert not (Path(fresh_instance.instance_path) / "audit_key").exists()
    assert rows(db, "SELECT id FROM transfers")


def test_the_start_up_sweep_deletes_transfer_files_no_transfer_points_at(app, db, school, other_school):
    """A server killed between storing a file and recording it leaves an orphan; the next `serve` deletes it (and any
    half-encrypted upload in FILES_DIR/tmp) and keeps every file a transfer holds."""
    from background.validation_pool.sweep import sweep

    transfer_id = sent_ctf(app, db, school, "8732002")
    kept = _stored(app, transfer_id, db)
    key = transfer_store.load_master_key(db, allow_create=False)
    orphan, _ = transfer_store.save_encrypted(app.config["FILES_DIR"], io.BytesIO(b"never recorded"), key)
    half = transfer_store.SealingFile(app.config["FILES_DIR"], key)
    half.write(b"half an upload")
    half._out.close()  # the server died here: neither sealed nor closed by a request
    report = sweep(app.config["DATABASE"], app.config["FILES_DIR"])
    assert report.orphans_removed == 1 and report.temp_files_removed == 1
    assert kept.exists() and not (Path(app.config["FILES_DIR"]) / orphan).exists()
    assert not half.temp.exists()


def _handles_on(path: Path) -> int:
    """How many of this process's open files are ``path``."""
    return sum(os.path.realpath(f"/proc/self/fd/{fd}") == str(path) for fd in os.listdir("/proc/self/fd"))


def test_a_verified_file_closed_before_its_first_chunk_is_not_left_open(app, db, school, other_school):
    # A download refused after the file was opened (revoked meanwhile) closes it without reading it.
    transfer_id = sent_ctf(app, db, school, "8732002")
    row = one(db, "SELECT stored_name, wrapped_key FROM transfers WHERE id = ?", (transfer_id,))
    path = _stored(app, transfer_id, db).resolve()
    key = transfer_store.load_master_key(db, allow_create=False)
    chunks = transfer_store.open_verified(app.config["FILES_DIR"], row["stored_name"], key, row["wrapped_key"])
    assert _handles_on(path) == 1
    chunks.close()
    assert _handles_on(path) == 0
