"""`badgeline keys generate|show`: real Ed25519 key files (PKCS#8, mode 0600)."""

from __future__ import annotations

import json
import stat

from issuer.keys import Ed25519Key


def test_generate_writes_a_0600_key_and_prints_its_did(run, tmp_path):
    result = run("keys", "generate", "--out", "issuer.pem")
    assert result.exit_code == 0, result.output
    path = tmp_path / "issuer.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = Ed25519Key.load(path)
    assert f"did:key  {key.did_key}" in result.stdout
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_generate_refuses_to_overwrite_without_force(run, tmp_path):
    assert run("keys", "generate", "--out", "issuer.pem").exit_code == 0
    before = (tmp_path / "issuer.pem").read_bytes()
    refused = run("keys", "generate", "--out", "issuer.pem")
    assert refused.exit_code == 1
    assert "exists; use --force" in refused.stderr
    assert (tmp_path / "issuer.pem").read_bytes() == before


def test_generate_force_replaces_the_key_and_keeps_0600(run, tmp_path):
    path = tmp_path / "issuer.pem"
    assert run("keys", "generate", "--out", "issuer.pem").exit_code == 0
    old = Ed25519Key.load(path)
    forced = run("keys", "generate", "--out", "issuer.pem", "--force")
    assert forced.exit_code == 0, forced.output
    new = Ed25519Key.load(path)
    assert new != old and new.did_key in forced.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["issuer.pem"]  # no temporary file left behind


def test_generate_with_passphrase_env(run, tmp_path):
    result = run("keys", "generate", "--out", "enc.pem", "--passphrase-env", "KEY_PW", env={"KEY_PW": "correct horse"})
    assert result.exit_code == 0, result.output
    path = tmp_path / "enc.pem"
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    assert Ed25519Key.load(path, b"correct horse").did_key in result.stdout
    assert "correct horse" not in result.output


def test_passphrase_env_problems_are_clear_errors(run, tmp_path):
    unset = run("keys", "generate", "--out", "a.pem", "--passphrase-env", "NOT_SET_ANYWHERE",
                env={"NOT_SET_ANYWHERE": None})
    assert unset.exit_code == 2 and "NOT_SET_ANYWHERE is not set" in unset.stderr
    empty = run("keys", "generate", "--out", "b.pem", "--passphrase-env", "EMPTY", env={"EMPTY": ""})
    assert empty.exit_code == 1 and "key_passphrase_empty" in empty.stderr
    assert not (tmp_path / "a.pem").exists() and not (tmp_path / "b.pem").exists()


def test_generate_into_a_missing_folder_is_a_clear_error(run):
    result = run("keys", "generate", "--out", "no/such/dir/k.pem")
    assert result.exit_code == 1 and "cannot write" in result.stderr


def test_show_text_and_json(run, tmp_path):
    key = Ed25519Key.from_seed(bytes(range(32)))
    key.save(tmp_path / "k.pem")
    text = run("keys", "show", "k.pem")
    assert text.exit_code == 0
    lines = dict(line.split(None, 1) for line in text.stdout.splitlines())
    assert lines == {"did": key.did_key, "verificationMethod": key.did_key_verification_method,
                     "publicKeyMultibase": key.public_multibase}
    as_json = run("keys", "show", "k.pem", "--json")
    assert json.loads(as_json.stdout) == lines
    assert key.public_multibase.startswith("z6Mk")


def test_show_encrypted_key(run, tmp_path):
    key = Ed25519Key.generate()
    key.save(tmp_path / "enc.pem", b"s3cret")
    missing = run("keys", "show", "enc.pem")
    assert missing.exit_code == 1 and "key_passphrase_required" in missing.stderr
    assert "--passphrase-env VAR" in missing.stderr  # says how to give it
    wrong = run("keys", "show", "enc.pem", "--passphrase-env", "PW", env={"PW": "nope"})
    assert wrong.exit_code == 1 and "key_passphrase_wrong" in wrong.stderr
    right = run("keys", "show", "enc.pem", "--json", "--passphrase-env", "PW", env={"PW": "s3cret"})
    assert right.exit_code == 0 and json.loads(right.stdout)["did"] == key.did_key


def test_show_refuses_a_file_that_is_not_a_key(run, tmp_path):
    (tmp_path / "notakey.pem").write_text("hello\n")
    result = run("keys", "show", "notakey.pem")
    assert result.exit_code == 1 and "key_file_invalid" in result.stderr
