"""Where the collection links' secret comes from, and what the token is made of."""

from __future__ import annotations

import stat

from pipeline.holder.tokens import SECRET_FILE, collection_secret, token_for, token_hash
from pipeline.settings import Settings


def test_secret_precedence_and_the_generated_file(tmp_path):
    assert collection_secret(Settings.explicit(data_dir=tmp_path, collection_secret="s1", api_key_pepper="p")) == b"s1"
    assert collection_secret(Settings.explicit(data_dir=tmp_path, api_key_pepper="p")) == b"p"
    generated = collection_secret(Settings.explicit(data_dir=tmp_path / "d"))
    path = tmp_path / "d" / SECRET_FILE
    assert len(generated) == 64 and path.read_bytes() == generated
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert collection_secret(Settings.explicit(data_dir=tmp_path / "d")) == generated  # kept, not redrawn


def test_token_depends_on_secret_and_salt():
    token = token_for(b"secret", "salt")
    assert len(token) == 43 and token == token_for(b"secret", "salt")
    assert token != token_for(b"secret", "other") and token != token_for(b"other", "salt")
    assert token_hash(token) != token and len(token_hash(token)) == 64
