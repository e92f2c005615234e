"""The encrypted store of transfers: files under ``FILES_DIR/transfers``, their master key in
``instance/transfers_key``.

Every stored transfer is encrypted with its own data key (``domain/security/file_crypto.py``);
the data key is kept only wrapped under the master key, in the transfer's database row. The
master key file is 64 hex digits, mode 0600, beside the audit key in the instance folder, never
in the database. It is made on first use while no transfer is stored; once files exist, a
missing key file is an error that names the file and says to put it back from a backup.
``flask --app app backup`` copies it and ``restore`` puts it back.
"""

from background.transfer_store.keys import StoreKeyError, key_file_for, load_master_key, master_key_for_storing
from background.transfer_store.store import (
    UNREADABLE,
    SealingFile,
    TooLarge,
    copy_encrypted,
    open_stored,
    open_verified,
    remove,
    save_encrypted,
    stored_path,
)

__all__ = ["UNREADABLE", "SealingFile", "StoreKeyError", "TooLarge", "copy_encrypted", "key_file_for",
           "load_master_key", "master_key_for_storing", "open_stored", "open_verified", "remove", "save_encrypted",
           "stored_path"]
