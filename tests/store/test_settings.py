"""Settings: BADGELINE_* variables, defaults derived from the data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.settings import Settings


def test_defaults_follow_data_dir(tmp_path):
    s = Settings.explicit(data_dir=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'badgeline.sqlite3'}"
    assert s.key_file == tmp_path / "issuer-key.pem"
    assert s.redis_url is None and s.redis_dir == tmp_path / "redis"
    assert s.max_event_bytes == 256 * 1024 and s.public_url == "http://127.0.0.1:8000"
    assert Settings.explicit().data_dir == Path("./badgeline-data")


def test_explicit_values_win_and_are_normalized(tmp_path):
    s = Settings.explicit(data_dir=tmp_path, database_url="postgresql://x@h/db", public_url="https://b.example/",
                          verifier_allowed_hosts="a.example, b.example", key_passphrase="s3cret")
    assert s.database_url == "postgresql://x@h/db" and s.public_url == "https://b.example"
    assert s.verifier_allowed_hosts == ["a.example", "b.example"]
    assert "s3cret" not in repr(s) and s.key_passphrase.get_secret_value() == "s3cret"


def test_invalid_values_are_refused():
    with pytest.raises(ValidationError):
        Settings.explicit(max_event_bytes=0)


@pytest.mark.skipif(any(k in os.environ for k in ("BADGELINE_ISSUER_NAME", "BADGELINE_VERIFIER_ALLOWED_HOSTS")),
                    reason="the real environment sets these variables")
def test_reads_prefixed_variables_from_a_dotenv_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text('BADGELINE_ISSUER_NAME="Acme Pharmacy Board"\nBADGELINE_VERIFIER_ALLOWED_HOSTS=["x.example"]\n'
                   "ISSUER_NAME=unprefixed-is-ignored\n")
    s = Settings(_env_file=env)
    assert s.issuer_name == "Acme Pharmacy Board" and s.verifier_allowed_hosts == ["x.example"]


def test_every_field_is_documented():
    source = Path(__file__).resolve().parents[2].joinpath("pipeline/settings.py").read_text()
    for name in Settings.model_fields:
        assert f"`BADGELINE_{name.upper()}`" in source, name
