"""Registry tables: employers, participants, contributions, construction projects and API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every table."""


def utc_now() -> dt.datetime:
    """The current time in UTC (stored timestamps are always UTC)."""
    return dt.datetime.now(dt.UTC)


class Employer(Base):
    """A registered employer (pemberi kerja), keyed by its NPP."""

    __tablename__ = "employers"

    npp: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    nib: Mapped[str] = mapped_column(String(13), index=True)
    region_code: Mapped[str] = mapped_column(String(13))
    scale: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str] = mapped_column(String(60))
    risk_class: Mapped[int] = mapped_column(Integer)
    state_employer: Mapped[bool] = mapped_column(Boolean)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    programs: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)


class Participant(Base):
    """A worker enrolled in BPJS Ketenagakerjaan programs, keyed by KPJ."""

    __tablename__ = "participants"

    kpj: Mapped[str] = mapped_column(String(11), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    segment: Mapped[str] = mapped_column(String(5))
    category: Mapped[str] = mapped_column(String(40))
    employer_npp: Mapped[str | None] = mapped_column(ForeignKey("employers.npp"), index=True)
    project_number: Mapped[str | None] = mapped_column(ForeignKey("projects.project_number"), index=True)
    programs: Mapped[list[str]] = mapped_column(JSON, default=list)
    membership_start: Mapped[dt.date] = mapped_column(Date)
    wage: Mapped[int | None] = mapped_column(BigInteger)
    actual_wage: Mapped[int | None] = mapped_column(BigInteger)  # above wage when the employer reported less
    declared_income: Mapped[int | None] = mapped_column(BigInteger)
    payer: Mapped[str] = mapped_column(String(10))
    employment_ended_on: Mapped[dt.date | None] = mapped_column(Date)
    jht_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)

    jht_partial_withdrawals: Mapped[list[JhtWithdrawal]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", order_by="JhtWithdrawal.on"
    )


class JhtWithdrawal(Base):
    """A past partial JHT withdrawal (10 % or 30 %), allowed once per membership."""

    __tablename__ = "jht_withdrawals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpj: Mapped[str] = mapped_column(ForeignKey("participants.kpj", ondelete="CASCADE"), index=True)
    on: Mapped[dt.date] = mapped_column(Date)
    pct: Mapped[int] = mapped_column(Integer)

    participant: Mapped[Participant] = relationship(back_populates="jht_partial_withdrawals")


class Contribution(Base):
    """One month's contribution of a payer: the employer's for PU, the participant's own for BPU."""

    __tablename__ = "contributions"
    __table_args__ = (UniqueConstraint("payer_kind", "payer_ref", "period", name="uq_contribution_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payer_kind: Mapped[str] = mapped_column(String(12))
    payer_ref: Mapped[str] = mapped_column(String(11))
    period: Mapped[str] = mapped_column(String(7))
    amount_due: Mapped[int] = mapped_column(BigInteger)
    amount_paid: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)

    @property
    def payer(self) -> str:
        """The payer in the API's ``kind:ref`` form."""
        return f"{self.payer_kind}:{self.payer_ref}"


class Project(Base):
    """A construction project (Jakon) registered by its contractor, with its termin payments."""

    __tablename__ = "projects"

    project_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    contractor_npp: Mapped[str] = mapped_column(ForeignKey("employers.npp"), index=True)
    owner_name: Mapped[str] = mapped_column(String(200))
    spk_number: Mapped[str] = mapped_column(String(60))
    spk_date: Mapped[dt.date] = mapped_column(Date)
    contract_value: Mapped[int] = mapped_column(BigInteger)
    funding: Mapped[str] = mapped_column(String(8))
    region_code: Mapped[str] = mapped_column(String(13))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)

    payments: Mapped[list[ProjectPayment]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectPayment.termin"
    )


class ProjectPayment(Base):
    """A termin payment of a project's contribution (50 % / 25 % / 25 %, or all at once)."""

    __tablename__ = "project_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_number: Mapped[str] = mapped_column(
        ForeignKey("projects.project_number", ondelete="CASCADE"), index=True
    )
    termin: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)

    project: Mapped[Project] = relationship(back_populates="payments")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RulesetVersion(Base):
    """Every ruleset the service has run under, kept so old decisions can be replayed byte for byte."""

    __tablename__ = "rulesets"

    version: Mapped[str] = mapped_column(String(71), primary_key=True)  # "sha256:" + 64 hex
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    first_loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class DecisionRecord(Base):
    """An append-only, hash-chained record of one decision with the inputs, facts and trace it was made from.

    Database triggers refuse UPDATE and DELETE on this table (migration 0004).

    ``format`` 1 records (stored before inputs, trace and actor were kept) have those columns null; see
    ``adjudication.chain`` for what each format's hash covers.
    """

    __tablename__ = "decisions"

    decision_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    ruleset_version: Mapped[str] = mapped_column(ForeignKey("rulesets.version"))
    facts: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[int] = mapped_column(Integer, server_default="1")
    inputs: Mapped[dict | None] = mapped_column(JSON)
    trace: Mapped[list | None] = mapped_column(JSON)
    actor: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))
    service_version: Mapped[str | None] = mapped_column(String(64))


class ChainHead(Base):
    """The single row that serialises appends to the decision chain on SQLite and PostgreSQL alike."""

    __tablename__ = "decision_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class SigningKey(Base):
    """A public key that signed checkpoints; kept after the key is rotated so its checkpoints stay verifiable."""

    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 (hex) of the raw public key
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(Text)  # PEM, SubjectPublicKeyInfo
    first_used_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Checkpoint(Base):
    """The service's signature over the decision log's head: ``seq`` and the hash of the record at ``seq``.

    What is signed is ``adjudication.chain.checkpoint_message``; rows are written by ``decision_log.append_many``
    in the transaction of the records they sign, and are never updated or deleted (database triggers refuse it).
    """

    __tablename__ = "checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_keys.key_id"))
    signature: Mapped[str] = mapped_column(String(88))  # base64 of the 64-byte Ed25519 signature


class Claim(Base):
    """A submitted claim: the officer's body, its idempotency key and its current decision.

    ``decision_id`` and ``outcome`` follow the latest decision; the earlier ones stay in the decision log (kind
    ``claim``, subject the claim id). ``officer_token_id`` is the token that submitted it (four eyes).
    """

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_claim_idempotency_key"),)

    claim_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    body_hash: Mapped[str] = mapped_column(String(64))
    kpj: Mapped[str] = mapped_column(String(11), index=True)
    claim_type: Mapped[str] = mapped_column(String(3))
    event_date: Mapped[dt.date] = mapped_column(Date)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[dict] = mapped_column(JSON)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.decision_id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    officer_token_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    decision: Mapped[DecisionRecord] = relationship()


class ReplayJob(Base):
    """An impact analysis: every decision of a window replayed with one ruleset, in chunks, by worker processes.

    The window is frozen when the job is made (``upto_seq``: decisions appended later are not in it); ``summary``
    is written once every chunk is done. ``shard_index`` of ``shard_count`` takes the decisions whose ``seq``
    modulo ``shard_count`` is ``shard_index - 1``, so shards run on several machines add up to the whole window.
    """

    __tablename__ = "replay_jobs"

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # queued | running | done | failed
    origin: Mapped[str] = mapped_column(String(10))  # api | cli
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(32))
    ruleset: Mapped[str] = mapped_column(String(71))  # "original" or the version replayed with
    shard_index: Mapped[int] = mapped_column(Integer, server_default="1")
    shard_count: Mapped[int] = mapped_column(Integer, server_default="1")
    upto_seq: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(2000))
    actor: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ReplayChunk(Base):
    """A run of a job's decisions by sequence number; ``done_at`` marks its tally and changes as committed.

    A worker claims a chunk by raising ``attempt``; it commits the chunk's result only while ``attempt`` is still
    its own and ``done_at`` is empty, so a chunk whose worker died is redone and counted exactly once.
    """

    __tablename__ = "replay_chunks"

    job_id: Mapped[str] = mapped_column(ForeignKey("replay_jobs.job_id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    tally: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(2000))


class ReplayChange(Base):
    """A decision a job's replay changed (or could not replay), with what changed."""

    __tablename__ = "replay_changes"

    job_id: Mapped[str] = mapped_column(ForeignKey("replay_jobs.job_id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    claim_type: Mapped[str | None] = mapped_column(String(3))
    bucket: Mapped[str] = mapped_column(String(20))  # changed_outcome | changed_amount | changed_other | failed
    outcome_before: Mapped[str | None] = mapped_column(String(10))
    outcome_after: Mapped[str | None] = mapped_column(String(10))
    total_before: Mapped[int | None] = mapped_column(BigInteger)
    total_after: Mapped[int | None] = mapped_column(BigInteger)
    differences: Mapped[list] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(2000))
