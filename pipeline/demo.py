"""`badgeline demo`: the main job end to end, on embedded defaults, through the real HTTP API.

Starts the stack, accredits two training providers, posts a realistic batch of events
(several learners; statement-level and whole-level results; evidence split across events
and providers; nine of ten statements; a duplicate; an invalid event), waits for the
workers, then prints who reached which level and writes the signed credentials to a folder.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pipeline.providers import add_provider, parse_scope
from pipeline.services import build_services, utc_now
from pipeline.settings import Settings

FRAMEWORK = {"id": "29-2052.00", "version": "v.26.05"}
Echo = Callable[[str], None]


@dataclass
class Posted:
    label: str
    status: int
    body: dict[str, Any]


@dataclass
class DemoResult:
    posted: list[Posted] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_credentials: set[str] = field(default_factory=set)
    credentials: list[dict[str, Any]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _statements(level: str, numbers: range) -> list[str]:
    return [f"{level[0].upper()}{n:02d}" for n in numbers]


LEARNERS = {
    "ana": {"email": "ana.diaz@example.org", "name": "Ana Diaz"},
    "ben": {"email": "ben.okafor@example.org", "name": "Ben Okafor"},
    "chen": {"email": "chen.wei@example.org", "name": "Chen Wei",
             "did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
}


def demo_events(now: datetime, run: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, provider, event): the scripted batch. Times are in the recent past; event ids carry
    `run`, so a second demo posts new events (and the levels already reached issue nothing new)."""

    def at(hours: int) -> str:
        return (now - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")

    ana, ben, chen = LEARNERS["ana"], LEARNERS["ben"], LEARNERS["chen"]

    def results(codes: list[str], score: float = 0.91) -> list[dict[str, Any]]:
        return [{"statement": c, "score": score} for c in codes]

    def event(event_id: str, learner: dict, assessment: tuple[str, str], hours: int, **body: Any) -> dict:
        return {"event_id": f"{event_id}-{run}", "type": "assessment.completed", "occurred_at": at(hours),
                "learner": learner, "framework": FRAMEWORK,
                "assessment": {"id": assessment[0], "name": assessment[1]}, **body}

    return [
        ("Ana: Emerging, whole-level exam", "north",
         event("north-101", ana, ("exam-emerging", "Emerging practical exam"), 72,
               level="emerging", score=0.86)),
        ("Ana: Proficient P01-P06 (provider 1)", "north",
         event("north-102", ana, ("quiz-dispensing", "Dispensing workflow"), 48,
               results=results(_statements("proficient", range(1, 7))))),
        ("Ana: Proficient P07-P10 (provider 2)", "river",
         event("river-201", ana, ("sim-inventory", "Inventory and compliance simulation"), 24,
               results=results(_statements("proficient", range(7, 11)), 0.88))),
        ("Ana: P07 retaken and failed (a pass is never undone)", "river",
         event("river-202", ana, ("sim-inventory-retake", "Inventory simulation, retake"), 12,
               results=[{"statement": "P07", "score": 0.42, "passed": False}])),
        ("Ben: Developing, whole-level exam", "north",
         event("north-103", ben, ("exam-developing", "Developing written exam"), 30,
               level="developing", score=0.81)),
        ("Ben: Proficient, nine of ten statements", "north",
         event("north-104", ben, ("quiz-proficient", "Proficient skills check"), 20,
               results=results(_statements("proficient", range(1, 10))))),
        ("Chen (wallet DID): Advanced, whole-level exam", "river",
         event("river-203", chen, ("exam-advanced", "Advanced leadership assessment"), 6,
               level="advanced", score=0.93, passed=True)),
        ("Duplicate of north-101 (same body)", "north",
         event("north-101", ana, ("exam-emerging", "Emerging practical exam"), 72,
               level="emerging", score=0.86)),
        ("Invalid: unknown statement Z99", "north",
         event("north-105", ben, ("quiz-bad", "Broken export"), 2, results=[{"statement": "Z99", "score": 0.9}])),
    ]


DEMO_MARK = ".badgeline-demo"


def demo_settings(settings: Settings, port: int) -> Settings:
    """Settings of a demo run: a fresh folder `data_dir/demo` (emptied first; refused if it was not
    made by a demo) with its own SQLite store, key and embedded Redis, served at 127.0.0.1:`port`.
    The service's own store, key, broker and issuer DID are never touched."""
    folder = settings.data_dir / "demo"
    if folder.exists():
        if any(folder.iterdir()) and not (folder / DEMO_MARK).exists():
            raise FileExistsError(f"{folder} exists and was not made by `badgeline demo`; move it away")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARK).write_text("made by `badgeline demo`; replaced by the next run\n", encoding="utf-8")
    own = f"127.0.0.1:{port}"
    return Settings.explicit(
        data_dir=folder, public_url=f"http://{own}", issuer_name=settings.issuer_name,
        verifier_allowed_hosts=[*settings.verifier_allowed_hosts, own])


def _request(method: str, url: str, key: str, body: dict | None = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def verify_while_up(base: str, credential_file: Path) -> dict[str, Any]:
    """The running service's verifier on one written credential (`POST /credentials/verify`),
    while its status lists are still served: the full check a reader would get from an employer."""
    body = {"verifiableCredential": json.loads(credential_file.read_text(encoding="utf-8"))}
    _status, answer = _request("POST", f"{base}/credentials/verify", "", body)
    return answer


def accredit(settings: Settings) -> dict[str, str]:
    """Two providers accredited for the framework; returns their API keys by short name."""
    services = build_services(settings)
    try:
        scope = [parse_scope(f"{FRAMEWORK['id']}@{FRAMEWORK['version']}", services.registry)]
        with services.sessions.begin() as session:
            north = add_provider(session, name="Northside Pharmacy College", scopes=scope, now=utc_now())
            river = add_provider(session, name="Riverside Health Academy", scopes=scope, now=utc_now())
        return {"north": north.key, "river": river.key}
    finally:
        services.close()


def wait_final(base: str, key: str, event_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = _request("GET", f"{base}/api/v1/events/{event_id}", key)
        if status == 200 and body.get("state") in ("processed", "rejected"):
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"event {event_id} still {body.get('state')!r} after {timeout_s:.0f} s")
        time.sleep(0.2)


def run_demo(base: str, settings: Settings, out_dir: Path, echo: Echo) -> DemoResult:
    keys = accredit(settings)
    result = DemoResult()
    now = datetime.now(timezone.utc)
    for label, provider, event in demo_events(now, now.strftime("%Y%m%d%H%M%S")):
        status, body = _request("POST", f"{base}/api/v1/events", keys[provider], event)
        result.posted.append(Posted(label, status, body))
        echo(f"  {status}  {label}" + (f"  [{body.get('code')}: {body.get('detail', '')}]" if status >= 400 else ""))
        if status in (200, 202):
            result.events[body["id"]] = {"provider": provider}
    echo("waiting for the workers…")
    for event_id, info in result.events.items():
        resource = wait_final(base, keys[info["provider"]], event_id)
        result.new_credentials.update(c["id"] for c in resource["outcome"]["credentials"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for cred_url, key in learner_credential_urls(base, keys).items():
        status, document = _request("GET", cred_url, key)
        if status != 200:
            continue
        path = out_dir / f"{document['id'].removeprefix('urn:uuid:')}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        result.credentials.append(document)
        result.written.append(path)
    return result


def learner_credential_urls(base: str, keys: dict[str, str]) -> dict[str, str]:
    """Every credential of the demo learners that a provider may see: URL -> that provider's key."""
    urls: dict[str, str] = {}
    for learner in LEARNERS.values():
        for key in keys.values():
            ident = learner.get("did") or learner["email"]
            status, body = _request("GET", f"{base}/api/v1/learners/{ident}/credentials", key)
            for cred in body.get("credentials", []) if status == 200 else []:
                urls.setdefault(cred["url"], key)
    return urls


def learner_table(credentials: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(learner, level, framework version, credential id) rows, sorted."""
    rows = []
    for doc in credentials:
        subject = doc["credentialSubject"]
        name = next((i["identityHash"] for i in subject.get("identifier", []) if i.get("identityType") == "name"),
                    subject.get("id", "?"))
        achievement = subject["achievement"]
        level = achievement["name"].split(":")[-1].strip()
        rows.append((name, level, achievement.get("version", "?"), doc["id"]))
    return sorted(rows)
