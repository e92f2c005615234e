"""Secure messages schema: threads between two organisations, their posts, who read what, templates,
recipient groups, bulk sends and email notices.

Design: a **thread** is between exactly two organisations of one LA (school and LA, or two schools);
each side has a **party** row carrying what its inbox needs (archived, when the thread last moved, the
latest post from the other side, the other side's id), so an organisation's inbox page is one index
range. A **post** is one message in a thread; its body is NULL once retention has deleted it
(``expired_at`` set, the record kept). **Reads** record each person's first reading of each post (the
read receipts); **unread** rows mark, per person, the conversations with something they have not read (made
for the recipient organisation's people when a message arrives, removed when they open it), so the unread
count costs what is unread, not the size of the inbox. A bulk send to a group
makes one thread per school (``bulk_id``) so replies stay private. A post's files are
``message_attachments`` rows (0002), their bytes encrypted in the transfers' store.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("messages")

_STAMP = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*'"


@migrations(name="0001_messages")
def messages_tables(db: Database) -> None:
    statements = (
        """
        CREATE TABLE message_templates (
            id INTEGER PRIMARY KEY,
            la_code TEXT NOT NULL CHECK (length(la_code) = 3),
            name TEXT NOT NULL CHECK (trim(name) <> '' AND length(name) <= 100),
            subject TEXT NOT NULL CHECK (trim(subject) <> '' AND length(subject) <= 150),
            body TEXT NOT NULL CHECK (trim(body) <> '' AND length(body) <= 10000),
            confirm_receipt INTEGER NOT NULL DEFAULT 0 CHECK (confirm_receipt IN (0, 1)),
            updated_by INTEGER REFERENCES users (id),
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX idx_message_templates_name ON message_templates (la_code, name COLLATE NOCASE)",
        """
        CREATE TABLE message_template_seeds (
            la_code TEXT PRIMARY KEY CHECK (length(la_code) = 3),
            seeded_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE message_groups (
            id INTEGER PRIMARY KEY,
            la_code TEXT NOT NULL CHECK (length(la_code) = 3),
            name TEXT NOT NULL CHECK (trim(name) <> '' AND length(name) <= 100),
            updated_by INTEGER REFERENCES users (id),
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX idx_message_groups_name ON message_groups (la_code, name COLLATE NOCASE)",
        """
        CREATE TABLE message_group_members (
            group_id INTEGER NOT NULL REFERENCES message_groups (id) ON DELETE CASCADE,
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            PRIMARY KEY (group_id, organisation_id)
        ) WITHOUT ROWID
        """,
        f"""
        CREATE TABLE message_bulk_sends (
            id INTEGER PRIMARY KEY,
            la_code TEXT NOT NULL CHECK (length(la_code) = 3),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            group_label TEXT NOT NULL,
            template_id INTEGER REFERENCES message_templates (id) ON DELETE SET NULL,
            subject TEXT,
            threads INTEGER NOT NULL CHECK (threads >= 1),
            created_by INTEGER REFERENCES users (id),
            created_at TEXT NOT NULL CHECK (created_at {_STAMP})
        )
        """,
        "CREATE INDEX idx_message_bulk_sends_org ON message_bulk_sends (organisation_id, created_at)",
        f"""
        CREATE TABLE message_threads (
            id INTEGER PRIMARY KEY,
            la_code TEXT NOT NULL CHECK (length(la_code) = 3),
            subject TEXT CHECK (subject IS NULL OR (trim(subject) <> '' AND length(subject) <= 150)),
            sender_org_id INTEGER NOT NULL REFERENCES organisations (id),
            recipient_org_id INTEGER NOT NULL REFERENCES organisations (id),
            created_by INTEGER REFERENCES users (id),
            created_at TEXT NOT NULL CHECK (created_at {_STAMP}),
            last_post_at TEXT NOT NULL,
            bulk_id INTEGER REFERENCES message_bulk_sends (id),
            confirm_requested INTEGER NOT NULL DEFAULT 0 CHECK (confirm_requested IN (0, 1)),
            confirmed_at TEXT,
            confirmed_by INTEGER REFERENCES users (id),
            chased_at TEXT,
            expiry_warned_at TEXT,
            expired_at TEXT,
            CHECK (sender_org_id <> recipient_org_id),
            CHECK (confirmed_at IS NULL OR confirm_requested = 1),
            CHECK ((subject IS NULL) = (expired_at IS NOT NULL))
        )
        """,
        "CREATE INDEX idx_message_threads_bulk ON message_threads (bulk_id) WHERE bulk_id IS NOT NULL",
        "CREATE INDEX idx_message_threads_unconfirmed ON message_threads (created_at)"
        " WHERE confirm_requested = 1 AND confirmed_at IS NULL AND chased_at IS NULL",
        "CREATE INDEX idx_message_threads_retention ON message_threads (last_post_at) WHERE expired_at IS NULL",
        """
        CREATE TABLE message_parties (
            thread_id INTEGER NOT NULL REFERENCES message_threads (id),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            other_org_id INTEGER NOT NULL REFERENCES organisations (id),
            archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
            last_post_at TEXT NOT NULL,
            last_sent_at TEXT,
            PRIMARY KEY (thread_id, organisation_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX idx_message_parties_inbox"
        " ON message_parties (organisation_id, archived, last_post_at DESC, thread_id DESC)",
        "CREATE INDEX idx_message_parties_sent ON message_parties (organisation_id, last_sent_at DESC, thread_id DESC)"
        " WHERE last_sent_at IS NOT NULL",
        f"""
        CREATE TABLE message_posts (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES message_threads (id),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            author_id INTEGER REFERENCES users (id),
            body TEXT CHECK (body IS NULL OR (trim(body) <> '' AND length(body) <= 10000)),
            sent_at TEXT NOT NULL CHECK (sent_at {_STAMP}),
            expired_at TEXT,
            CHECK ((body IS NULL) = (expired_at IS NOT NULL))
        )
        """,
        "CREATE INDEX idx_message_posts_thread ON message_posts (thread_id, id)",
        """
        CREATE TABLE message_reads (
            post_id INTEGER NOT NULL REFERENCES message_posts (id),
            user_id INTEGER NOT NULL REFERENCES users (id),
            read_at TEXT NOT NULL,
            PRIMARY KEY (post_id, user_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE message_unread (
            user_id INTEGER NOT NULL REFERENCES users (id),
            thread_id INTEGER NOT NULL REFERENCES message_threads (id),
            PRIMARY KEY (user_id, thread_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX idx_message_unread_thread ON message_unread (thread_id)",
        # One row per person to tell about a post; the digest job claims and sends them.
        """
        CREATE TABLE message_notices (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            post_id INTEGER NOT NULL REFERENCES message_posts (id),
            created_at TEXT NOT NULL,
            digest_id INTEGER REFERENCES message_digests (id),
            UNIQUE (user_id, post_id)
        )
        """,
        "CREATE INDEX idx_message_notices_pending ON message_notices (user_id) WHERE digest_id IS NULL",
        """
        CREATE TABLE message_digests (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            sent_at TEXT NOT NULL,
            messages INTEGER NOT NULL CHECK (messages >= 1),
            outbox_id INTEGER REFERENCES outbox (id)
        )
        """,
        "CREATE INDEX idx_message_digests_user ON message_digests (user_id, sent_at)",
    )
    for statement in statements:
        db.conn.execute(statement)


@migrations(name="0002_message_attachments")
def message_attachments(db: Database) -> None:
    """Files attached to a post, encrypted in the transfers' store (``background/transfer_store``).

    A group send stores each file once: every school's post gets its own row naming the same stored file and
    wrapped key, and the bytes are removed when the last row naming them expires. Retention clears
    ``stored_name`` and ``wrapped_key`` (the record and its download log stay, ``expired_at`` set).
    """
    statements = (
        f"""
        CREATE TABLE message_attachments (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES message_posts (id),
            original_name TEXT NOT NULL CHECK (trim(original_name) <> '' AND length(original_name) <= 255),
            size INTEGER NOT NULL CHECK (size > 0),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            stored_name TEXT,
            wrapped_key BLOB,
            key_id TEXT NOT NULL,
            uploaded_by INTEGER REFERENCES users (id),
            uploaded_at TEXT NOT NULL CHECK (uploaded_at {_STAMP}),
            expired_at TEXT,
            CHECK ((stored_name IS NULL) = (wrapped_key IS NULL)),
            CHECK ((stored_name IS NULL) = (expired_at IS NOT NULL))
        )
        """,
        "CREATE INDEX idx_message_attachments_post ON message_attachments (post_id)",
        "CREATE INDEX idx_message_attachments_stored ON message_attachments (stored_name)"
        " WHERE stored_name IS NOT NULL",
        f"""
        CREATE TABLE message_attachment_downloads (
            id INTEGER PRIMARY KEY,
            attachment_id INTEGER NOT NULL REFERENCES message_attachments (id),
            user_id INTEGER REFERENCES users (id),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            downloaded_at TEXT NOT NULL CHECK (downloaded_at {_STAMP})
        )
        """,
        "CREATE INDEX idx_message_attachment_downloads ON message_attachment_downloads (attachment_id, id)",
    )
    for statement in statements:
        db.conn.execute(statement)
