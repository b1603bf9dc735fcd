"""The `status` check: Bitstring Status List (and StatusList2021) entries (BSL §3.2 validate).

For each entry: fetch the list credential through the guard; verify it with the core (its
own proof, contexts, validity period), or, for a list served as a compact JWS, with the JOSE
checks; require its issuer to be the credential's issuer; then read the status bits
(`issuer.status.read_status`). A list's own `ttl` (BSL §2.2, milliseconds) shortens how long
the fetched copy is reused (`cache_ttl_s` caps it otherwise). A list that cannot be fetched,
verified or trusted makes the check cannot-check, never "not revoked" (DESIGN rule 3). A set
revocation or suspension bit fails the check.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from issuer import problems as P
from issuer.dids import KeyResolver
from issuer.errors import IssuerError, StatusListError
from issuer.json_limits import bounded_loads
from issuer.jsondoc import parse_json
from issuer.problems import CheckResult, Outcome, Problem
from issuer.status import ENTRY_TYPES
from issuer.status import PROBLEM_TYPES as STATUS_PROBLEM_TYPES
from issuer.status import read_status
from issuer.verify import VerificationReport, check_validity, issuer_id, verify_credential
from verifier.jwt import is_compact_jws
from verifier.resolvers import CREDENTIAL_ACCEPT, Fetcher

if TYPE_CHECKING:
    from verifier.engine import Verification

#: Verifies a compact-JWS credential with the core checks (the engine's `verify_jwt_core`).
VerifyJwt = Callable[[str, datetime], "Verification"]

NAME = "status"
ENTRY_CODES = frozenset({"status_entry_invalid", "status_index_invalid", "status_size_invalid"})
"""Problems of the credential's own entry: the check fails (the list is not to blame)."""

_RANK = {Outcome.PASS: 0, Outcome.CANNOT_CHECK: 1, Outcome.FAIL: 2}


def _cannot(type_: str, code: str, title: str, detail: str, path: str) -> CheckResult:
    return CheckResult(NAME, Outcome.CANNOT_CHECK, detail, [Problem(type_, code, title, detail, path)])


def _fail(type_: str, code: str, title: str, detail: str, path: str) -> CheckResult:
    return CheckResult(NAME, Outcome.FAIL, detail, [Problem(type_, code, title, detail, path)])


class StatusChecker:
    """Checks `credentialStatus` entries; keeps a small cache of list verifications by content digest."""

    def __init__(self, fetcher: Fetcher, resolve_key: KeyResolver, *, clock_skew: timedelta,
                 verify_jwt: VerifyJwt | None = None, cache_entries: int = 128) -> None:
        self.fetcher, self.resolve_key, self.clock_skew = fetcher, resolve_key, clock_skew
        self.verify_jwt = verify_jwt
        self._verified: OrderedDict[tuple[str, str], tuple[Any, VerificationReport]] = OrderedDict()
        self._ttl_s: dict[str, float] = {}  # list URL -> its own `ttl`, learned at the last fetch
        self._lock = threading.Lock()
        self._cache_entries = cache_entries

    def check(self, credential: dict[str, Any], now: datetime) -> CheckResult:
        """The combined status of every entry: the worst outcome wins."""
        raw = credential.get("credentialStatus")
        if raw is None:
            return CheckResult(NAME, Outcome.PASS, "The issuer publishes no revocation status for this credential.",
                               details={"applicable": False})
        entries = raw if isinstance(raw, list) else [raw]
        results = [self.check_entry(credential, entry, i if isinstance(raw, list) else None, now)
                   for i, entry in enumerate(entries)]
        worst = max(results, key=lambda r: _RANK[r.outcome])
        problems = [p for r in results for p in r.problems]
        details = {"entries": [r.details for r in results]}
        return CheckResult(NAME, worst.outcome, worst.summary, problems, details)

    def check_entry(self, credential: dict[str, Any], entry: Any, index: int | None, now: datetime) -> CheckResult:
        path = "/credentialStatus" + (f"/{index}" if index is not None else "")
        if not isinstance(entry, dict):
            return _fail(P.MALFORMED_VALUE_ERROR, "status_entry_invalid", "Invalid status entry",
                         "The credential's status entry is not an object.", path)
        if entry.get("type") not in ENTRY_TYPES:
            return _cannot(P.STATUS_VERIFICATION_ERROR, "status_type_unsupported", "Status type not supported",
                           f"The status type {entry.get('type')!r} is not one this verifier can check.", path)
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or not url:
            return _fail(P.MALFORMED_VALUE_ERROR, "status_entry_invalid", "Invalid status entry",
                         "The status entry does not name its status list.", path + "/statusListCredential")
        try:
            with self._lock:
                max_age_s = self._ttl_s.get(url)
            body = self.fetcher.fetch(url, accept=CREDENTIAL_ACCEPT, max_age_s=max_age_s)
        except IssuerError as exc:
            return _cannot(P.STATUS_RETRIEVAL_ERROR, "status_list_unreachable", "Status list unavailable",
                           f"The status list {url} could not be retrieved ({exc.message}), so revocation "
                           f"could not be checked.", path)
        list_credential, report = self._verify_list(body, url, now)
        if list_credential is None:
            return _cannot(P.STATUS_RETRIEVAL_ERROR, "status_list_unreadable", "Status list unreadable",
                           f"The status list {url} is neither a JSON credential nor a JWT.", path)
        untrusted = self._untrusted_list(credential, list_credential, report, url, path)
        if untrusted is not None:
            return untrusted
        self._learn_ttl(url, list_credential)
        return self._read(entry, list_credential, url, path)

    def _learn_ttl(self, url: str, list_credential: dict[str, Any]) -> None:
        """Remember the list's `ttl` (BSL §2.2, milliseconds): later checks refetch it once older."""
        subject = list_credential.get("credentialSubject")
        ttl = subject.get("ttl") if isinstance(subject, dict) else None
        with self._lock:
            if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0:
                self._ttl_s[url] = ttl / 1000
            else:
                self._ttl_s.pop(url, None)
            while len(self._ttl_s) > self._cache_entries:
                self._ttl_s.pop(next(iter(self._ttl_s)))

    def _untrusted_list(self, credential: dict[str, Any], list_credential: dict[str, Any], report: VerificationReport,
                        url: str, path: str) -> CheckResult | None:
        if not report.verified:
            first = report.problems[0].detail if report.problems else "it did not verify"
            return _cannot(P.STATUS_VERIFICATION_ERROR, "status_list_unverified", "Status list not verified",
                           f"The status list {url} could not be verified ({first}), so revocation could not "
                           f"be checked.", path)
        expected, actual = issuer_id(credential), issuer_id(list_credential)
        if actual != expected:
            return _cannot(P.STATUS_VERIFICATION_ERROR, "status_list_foreign_issuer", "Status list from another issuer",
                           f"The status list {url} was issued by {actual}, not by the credential's issuer "
                           f"{expected}, so it cannot vouch for this credential.", path)
        return None

    def _verify_list(self, body: bytes, url: str, now: datetime) -> tuple[Any, VerificationReport]:
        """(the list credential, its verification): a JSON credential with its own proof, or a
        compact JWS (VC-JOSE, BSL §3.6: secured like the credentials it serves). (None, report)
        when the body is neither. Verifications are cached by the body's digest."""
        key = (url, hashlib.sha256(body).hexdigest())
        with self._lock:
            cached = self._verified.get(key)
        if cached is not None and cached[1].verified:
            if check_validity(cached[0], now, self.clock_skew).outcome is Outcome.PASS:
                return cached
        result = self._verify_body(body, now)
        if result[0] is not None:
            with self._lock:
                self._verified[key] = result
                while len(self._verified) > self._cache_entries:
                    self._verified.popitem(last=False)
        return result

    def _verify_body(self, body: bytes, now: datetime) -> tuple[Any, VerificationReport]:
        try:
            text = body.decode("utf-8").strip()
        except UnicodeDecodeError:
            return None, VerificationReport([])
        if self.verify_jwt is not None and is_compact_jws(text):
            verification = self.verify_jwt(text, now)
            return verification.credential, verification.report
        try:
            list_credential = bounded_loads(text, parse_json)
        except ValueError:
            return None, VerificationReport([])
        return list_credential, verify_credential(list_credential, resolve_key=self.resolve_key, now=now,
                                                  clock_skew=self.clock_skew)

    @staticmethod
    def _read(entry: dict[str, Any], list_credential: dict[str, Any], url: str, path: str) -> CheckResult:
        purpose = entry.get("statusPurpose")
        try:
            value = read_status(list_credential, entry)
        except StatusListError as exc:
            type_ = STATUS_PROBLEM_TYPES.get(exc.code, P.STATUS_VERIFICATION_ERROR)
            if exc.code in ENTRY_CODES:
                return _fail(type_, exc.code, "Invalid status entry", f"The status entry is invalid: {exc.message}.", path)
            return _cannot(type_, exc.code, "Status list unusable",
                           f"The status list {url} cannot answer for this credential: {exc.message}.", path)
        details = {"statusListCredential": url, "statusPurpose": purpose, "status": value}
        if value and purpose == "revocation":
            return CheckResult(NAME, Outcome.FAIL, "The issuer has revoked this credential.",
                               [Problem(P.STATUS_VERIFICATION_ERROR, "revoked", "Revoked",
                                        "The issuer has revoked this credential.", path)], details)
        if value and purpose == "suspension":
            return CheckResult(NAME, Outcome.FAIL, "The issuer has suspended this credential.",
                               [Problem(P.STATUS_VERIFICATION_ERROR, "suspended", "Suspended",
                                        "The issuer has suspended this credential.", path)], details)
        if value:
            return CheckResult(NAME, Outcome.PASS, f"The {purpose} status is set ({value}).", details=details)
        words = {"revocation": "not revoked", "suspension": "not suspended"}.get(purpose, f"no {purpose} status set")
        return CheckResult(NAME, Outcome.PASS, f"The issuer's status list says: {words}.", details=details)
