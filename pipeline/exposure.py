"""What each process may see and who may read the data (issue 10, finding 9).

1. Secrets per role: a child process gets only the secrets its work needs. The web process
   checks API keys (the pepper) but never signs (no key passphrase); a worker signs (the
   passphrase) but never checks API keys (no pepper). `role_env` drops the others.
2. Owner-only data: `secure_data_dir` makes the data folder (and its logs/) 0700 and what it
   holds 0600, before and after the store is migrated: the SQLite database (its WAL and SHM
   files take its mode), the issuer key (written 0600), logs and embedded Redis files sit in a
   folder no one else may enter (files created later, such as logs, are covered by the folder).
   The process umask is left alone, so tests that run the CLI in-process do not change it for
   everything they start afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

PASSPHRASE = "BADGELINE_KEY_PASSPHRASE"
PEPPER = "BADGELINE_API_KEY_PEPPER"
#: the secrets a role must NOT receive
WITHHELD: dict[str, tuple[str, ...]] = {"web": (PASSPHRASE,), "worker": (PEPPER,)}


def role_env(role: str, env: Mapping[str, str]) -> dict[str, str]:
    """`env` without the secrets `role` ("web" or "worker") does not need."""
    withheld = WITHHELD[role]
    return {name: value for name, value in env.items() if name not in withheld}


def secure_data_dir(data_dir: Path) -> None:
    """Create `data_dir` (0700) and make what it already holds owner-only (one level, plus logs/)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in (data_dir, data_dir / "logs"):
        if not folder.is_dir():
            continue
        folder.chmod(0o700)
        for entry in folder.iterdir():
            if entry.is_symlink():
                continue
            entry.chmod(0o700 if entry.is_dir() else 0o600)
