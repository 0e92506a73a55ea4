"""Storage: SQLAlchemy 2 tables, durable engine settings, gapless protocol numbers.

SQLite is the embedded default (WAL, synchronous FULL, every write transaction taking the write
lock at BEGIN so concurrent submissions queue instead of failing); PostgreSQL when
``CARTA_DATABASE_URL`` says so.  The schema is created by Alembic migrations.

The SQLite file and everything beside it (write-ahead log, shared memory, lock) are owner-only
(0600, SQLite gives the -wal and -shm files the database file's mode) in an owner-only instance
folder (0700), and deleted content is overwritten (``secure_delete``): see :func:`scrub` for
what it takes to leave nothing of a purged record in the files.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker


def utcnow() -> dt.datetime:
    """Timezone-aware now in UTC (stored as UTC everywhere)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the backend's tables."""


class Counter(Base):
    """Last protocol number issued per year."""

    __tablename__ = "protocol_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Submission(Base):
    """A received domanda or reclamo, exactly as validated, with its protocol number."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_submission_year_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    protocol: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                    index=True)
    lang: Mapped[str] = mapped_column(String(5))
    service: Mapped[str | None] = mapped_column(String(80), index=True)
    comune: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(30), default="ricevuta", index=True)
    charter_hash: Mapped[str] = mapped_column(String(64))
    # the form definition it was checked against (stored once per version)
    form_version: Mapped[str] = mapped_column(ForeignKey("form_definitions.version"))
    data: Mapped[dict] = mapped_column(JSON)  # answers, without special-category data
    sensitive: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted JSON
    content_sha256: Mapped[str] = mapped_column(String(64))
    points: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(40))
    deadlines: Mapped[dict] = mapped_column(JSON, default=dict)
    # the issuer of the identity the citizen logged in with (form_backend.oidc), else None
    identified_by: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # the privacy notice shown and acknowledged ("Ho letto l'informativa"), by version; None
    # for a form without the box and for submissions stored before notices were versioned
    privacy_notice: Mapped[str | None] = mapped_column(ForeignKey("privacy_notices.version"),
                                                       nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                    onupdate=utcnow)

    form_definition: Mapped[FormDefinition] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="submission",
                                                         cascade="all, delete-orphan")
    events: Mapped[list[AuditEvent]] = relationship(back_populates="submission",
                                                    cascade="all, delete-orphan",
                                                    order_by="AuditEvent.id")


class FormDefinition(Base):
    """A form definition exactly as submissions were checked against it, once per version."""

    __tablename__ = "form_definitions"
    version: Mapped[str] = mapped_column(String(80), primary_key=True)
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PrivacyNotice(Base):
    """A privacy notice exactly as shown (every heading and line, in every language), once per
    version (carta.present.legal.notice_record)."""

    __tablename__ = "privacy_notices"
    version: Mapped[str] = mapped_column(String(80), primary_key=True)
    notice: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attachment(Base):
    """An uploaded document, stored in the same transaction as its submission."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id",
                                                                 ondelete="CASCADE"), index=True)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"),
                                                 index=True)
    document: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    submission: Mapped[Submission | None] = relationship(back_populates="attachments")


class Draft(Base):
    """Answers waiting on the check-your-answers page (expire after a day)."""

    __tablename__ = "drafts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    service: Mapped[str | None] = mapped_column(String(80))
    lang: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    data: Mapped[dict] = mapped_column(JSON)
    sensitive: Mapped[bytes | None] = mapped_column(LargeBinary)


class Outbox(Base):
    """An e-mail to send, written in the same transaction as the record it is about."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                         index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # a sender's lease while it delivers the row (kept apart from the back-off above)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))


class AuditEvent(Base):
    """Who did what to a submission, and when."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    submission: Mapped[Submission] = relationship(back_populates="events")


class User(Base):
    """An office operator (argon2 password hash)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def make_engine(url: str, read_only: bool = False, scratch: bool = False) -> Engine:
    """An engine with durable, concurrency-safe settings for SQLite or PostgreSQL.

    With SQLite, writers take the write lock at BEGIN (``BEGIN IMMEDIATE``) so they queue
    instead of failing; ``read_only`` engines start plain transactions, which WAL lets run
    beside a writer without waiting.  ``scratch`` engines write without waiting for the disk
    (synchronous NORMAL): used only for drafts, which nobody has been promised yet.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            owner_only(Path(path))
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL" if scratch else "PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            # deleted rows are overwritten with zeros, not left in free space
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        # Writers queue on an OS file lock before BEGIN IMMEDIATE: a blocked writer wakes the
        # moment the lock is free, instead of SQLite's sleep-and-retry, which makes long tails
        # under concurrency (threads and gunicorn workers alike).
        lock_path = f"{path}.writer-lock" if path and path != ":memory:" else None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            if read_only:
                conn.exec_driver_sql("BEGIN")
                return
            if lock_path:
                record = conn.connection._connection_record
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)
                record.info["carta_lock"] = fd
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine, "checkin")
        def _sqlite_release(dbapi_conn, record):
            fd = record.info.pop("carta_lock", None)
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


SIDE_FILES = ("-wal", "-shm", "-journal", ".writer-lock")


def owner_only(path: Path) -> None:
    """Make the SQLite file ``path`` (created empty if missing: SQLite takes an empty file as
    an empty database) and the files beside it readable by their owner only, in a folder
    created 0700; a Flask-style ``instance`` folder is tightened to 0700 as well."""
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if parent.name == "instance":
        _tighten(parent, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)):
        _tighten(candidate, 0o600)


def _tighten(path: Path, mode: int) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_uid == os.geteuid() and st.st_mode & 0o777 & ~mode:
        os.chmod(path, mode)


def scrub(engine: Engine) -> None:
    """After a purge, leave nothing deleted in the SQLite files: ``secure_delete`` has zeroed
    it in the live pages, the write-ahead log still holds the older page images (checkpointed
    and truncated to zero bytes here), and free pages of a database that was used before
    ``secure_delete`` may too (``VACUUM`` rebuilds the file without them).  The writers' file
    lock is held meanwhile, so submissions queue instead of failing.

    PostgreSQL is not scrubbed here: ``VACUUM`` only marks dead rows' space reusable (their
    bytes stay in the table files until overwritten), ``VACUUM FULL`` rewrites the table but
    the old files' blocks and the WAL segments (and any base backup or WAL archive) keep the
    deleted rows until the file system reuses them or the archive expires.  There, erasure
    rests on encrypted storage, WAL retention and backup expiry (docs/security.md)."""
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    fd = None
    if path and path != ":memory:":
        fd = os.open(f"{path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM",
                          "PRAGMA wal_checkpoint(TRUNCATE)"):
            row = cur.execute(statement).fetchone()
            if statement.startswith("PRAGMA") and row and row[0]:
                raise RuntimeError("the write-ahead log could not be emptied: a reader held it "
                                   "for longer than the busy timeout; run the purge again")
        cur.close()
    finally:
        raw.close()
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory of ``engine``."""
    return sessionmaker(engine, expire_on_commit=False)


_BUMP = (update(Counter).where(Counter.year == bindparam("y")).values(last=Counter.last + 1)
         .returning(Counter.last))


def insert_if_missing(connection: Connection, table, key: str, values: dict) -> None:
    """Insert ``values`` unless a row with the same ``key`` exists, also when another
    transaction is inserting it at this moment (``ON CONFLICT DO NOTHING``)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - other databases are not supported
        raise NotImplementedError(connection.dialect.name)
    connection.execute(dialect_insert(table).values(**values)
                       .on_conflict_do_nothing(index_elements=[key]))


def next_protocol(connection: Connection, year: int) -> int:
    """The next protocol number of ``year``, inside the caller's transaction.

    The counter row is locked by the UPDATE until the transaction ends, so concurrent
    submissions queue; a rolled-back submission rolls its number back too: no gaps, no
    duplicates.
    """
    number = connection.execute(_BUMP, {"y": year}).scalar()
    if number is None:  # the year's first submission
        insert_if_missing(connection, Counter.__table__, "year", {"year": year, "last": 0})
        number = connection.execute(_BUMP, {"y": year}).scalar()
    return number


def format_protocol(year: int, number: int) -> str:
    """``2026/0000123``."""
    return f"{year}/{number:07d}"


def find_by_key(session: Session, key: str) -> Submission | None:
    """The submission already stored for an idempotency key, if any."""
    return session.execute(select(Submission).where(Submission.idempotency_key == key)).scalar()
