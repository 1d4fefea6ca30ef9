"""The ledger of files a batch wrote: a run stopped between noting a file and writing it
leaves nothing the next run refuses to replace; a person's edit is still refused."""

from __future__ import annotations

from pipeline.run.commit import _write
from pipeline.run.ledger import Ledger


def test_a_file_noted_but_not_yet_replaced_is_still_ours(tmp_path):
    target = tmp_path / "doc.en.docx"
    ledger = Ledger(tmp_path)
    _write([("document", target, b"first version")], ledger, frozenset({"document", "json"}))
    assert Ledger(tmp_path).wrote(target)
    # A later run notes its new version, then stops before the rename.
    ledger.record(target, b"second version")
    assert target.read_bytes() == b"first version"
    assert Ledger(tmp_path).wrote(target)
    # Once written, the new version is ours too; an edit by a person is not.
    _write([("document", target, b"second version")], ledger, frozenset({"document", "json"}))
    assert Ledger(tmp_path).wrote(target)
    target.write_bytes(b"edited by hand")
    fresh = Ledger(tmp_path)
    assert fresh.knows(target) and not fresh.wrote(target)


def test_a_file_is_noted_before_it_is_written(tmp_path, monkeypatch):
    import pipeline.run.commit as commit

    target = tmp_path / "doc.en.docx"
    seen = []
    monkeypatch.setattr(
        commit, "write_atomic", lambda path, data: seen.append(Ledger(tmp_path).knows(path))
    )
    _write([("document", target, b"content")], Ledger(tmp_path), frozenset({"document", "json"}))
    assert seen == [True]
